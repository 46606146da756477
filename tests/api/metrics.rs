//! `/metrics` on its own listener: after a small workload every family has a figure
//! above zero, and label values stay bounded (route templates, known operation names).

use std::collections::HashMap;
use std::time::Duration;

use hamkor_api::alert::entity::consumer;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app_with};
use crate::webhook_delivery::partner;
use crate::webhooks::{eventually, hook_settings, send_referral};
use crate::ws::{acknowledged, send};

/// The samples of a scrape: `name{labels}` → value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The sum of a family's samples whose labels contain every one of `labels`.
fn sum(samples: &HashMap<String, f64>, family: &str, labels: &[&str]) -> f64 {
    samples
        .iter()
        .filter(|(k, _)| k.split('{').next() == Some(family) && labels.iter().all(|l| k.contains(l)))
        .map(|(_, v)| v)
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let addr = app.metrics_addr.expect("a metrics listener");
    let resp = app
        .client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(resp.status(), 200);
    resp.text().await.expect("text")
}

#[tokio::test]
async fn a_scrape_after_a_workload_has_a_figure_in_every_family() {
    let app = spawn_app_with(|s| {
        hook_settings(s, true);
        s.metrics_listen = Some("127.0.0.1:0".parse().expect("addr"));
    })
    .await;
    // Nothing is served on the API's port.
    let r = app.client.get(app.url("/metrics")).send().await.expect("get");
    assert_eq!(r.status(), 404);

    // Webhooks to a partner that is down: attempts fail and wait for a retry.
    let partner = partner(&app, "http").await;
    send_referral(&app, &partner.st).await;
    // A consumer that never moves: the lag it reports grows with every event.
    consumer::ActiveModel {
        name: Set("metrics_probe".into()),
        position: Set(0),
    }
    .insert(app.db())
    .await
    .expect("a consumer row");

    let admin = app.admin_token().await;
    app.gql(Some(&admin), "query Me { me { roles } }", json!({}))
        .await
        .ok();
    app.gql(Some(&admin), "{ me { roles } }", json!({})).await.ok();
    app.gql(None, "query Secret { me { roles } }", json!({}))
        .await
        .expect_code("UNAUTHENTICATED");
    app.gql(None, "query Broken { nope }", json!({}))
        .await
        .expect_code("GRAPHQL_VALIDATION_FAILED");
    let r = app.client.get(app.url("/cases/12345")).send().await.expect("get");
    assert_eq!(r.status(), 404);
    for _ in 0..6 {
        app.gql(
            None,
            "mutation { login(username: \"nobody\", password: \"wrong password\") { accessToken } }",
            json!({}),
        )
        .await;
    }
    let mut socket = acknowledged(&app).await;
    send(
        &mut socket,
        json!({"id": "s", "type": "subscribe", "payload": {"query": "subscription { referralEvents { id } }"}}),
    )
    .await;

    let wanted: &[(&str, &[&str])] = &[
        ("hamkor_build_info", &["version=\""]),
        (
            "hamkor_http_requests_total",
            &["route=\"/graphql\"", "status=\"200\""],
        ),
        (
            "hamkor_http_requests_total",
            &["route=\"unmatched\"", "status=\"404\""],
        ),
        (
            "hamkor_http_request_duration_seconds_count",
            &["route=\"/graphql\""],
        ),
        (
            "hamkor_graphql_operations_total",
            &["operation=\"Me\"", "type=\"query\""],
        ),
        ("hamkor_graphql_operations_total", &["operation=\"unknown\""]),
        ("hamkor_graphql_errors_total", &["code=\"UNAUTHENTICATED\""]),
        (
            "hamkor_graphql_errors_total",
            &["code=\"GRAPHQL_VALIDATION_FAILED\""],
        ),
        (
            "hamkor_graphql_operation_duration_seconds_count",
            &["type=\"mutation\""],
        ),
        ("hamkor_graphql_subscriptions_open", &[]),
        ("hamkor_db_pool_connections", &[]),
        ("hamkor_db_pool_max_connections", &[]),
        (
            "hamkor_outbox_consumer_lag_events",
            &["consumer=\"metrics_probe\""],
        ),
        (
            "hamkor_outbox_consumer_lag_seconds",
            &["consumer=\"metrics_probe\""],
        ),
        ("hamkor_webhook_deliveries_total", &["outcome=\"retrying\""]),
        ("hamkor_webhook_queue_depth", &[]),
        ("hamkor_webhook_oldest_pending_age_seconds", &[]),
        ("hamkor_login_failures_total", &["kind=\"password\""]),
        ("hamkor_login_throttled_total", &[]),
    ];
    let text = eventually("every family above zero", Duration::from_secs(20), || {
        let app = &app;
        async move {
            let text = scrape(app).await;
            let s = samples(&text);
            wanted
                .iter()
                .all(|(family, labels)| sum(&s, family, labels) > 0.0)
                .then_some(text)
        }
    })
    .await;
    // Label values stay bounded: no paths, no names of documents that never validated.
    assert!(!text.contains("12345"), "a path leaked into a label");
    assert!(
        !text.contains("operation=\"Broken\""),
        "an invalid document's name is a label"
    );
    assert!(
        text.contains("hamkor_http_request_duration_seconds_bucket"),
        "latency is a histogram"
    );
    // The subscription was open through every scrape.
    drop(socket);
}
