//! Webhook endpoints: who manages them, which URLs they may name, and how delivery
//! behaves when the receiver answers 410 or Hamkor stops mid-delivery.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use hamkor_api::config::Settings;
use hamkor_api::webhook::dispatch::{GapState, dispatch_once};
use hamkor_api::webhook::sender::Sender;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{Resp, TestApp, s, spawn_app_with};
use crate::referrals::{Setup, act, draft, record_consent, setup};

/// A server whose webhooks may go to 127.0.0.1 and are retried within a second.
pub async fn spawn_hooks_app(workers: bool) -> TestApp {
    spawn_app_with(|s| hook_settings(s, workers)).await
}

/// Webhooks to 127.0.0.1, retried within a second.
pub fn hook_settings(s: &mut Settings, workers: bool) {
    s.webhook_allowed_addresses = vec!["127.0.0.1".parse().expect("an address")];
    s.webhook_retry_base_ms = 100;
    s.webhook_retry_max_delay_secs = 1;
    s.webhook_timeout_secs = 1;
    s.webhook_workers = workers;
}

pub const ENDPOINT_FIELDS: &str = "id url eventTypes active disabledReason description
    organisation { id } previousSecretValidUntil";

pub async fn create_endpoint(app: &TestApp, token: &str, url: &str, types: &[&str]) -> Resp {
    app.gql(
        Some(token),
        &format!(
            "mutation($i: CreateWebhookEndpointInput!) {{ createWebhookEndpoint(input: $i) {{
                secret endpoint {{ {ENDPOINT_FIELDS} }} }} }}"
        ),
        json!({"i": {"url": url, "eventTypes": types, "description": "Case system"}}),
    )
    .await
}

/// Register an endpoint and return (id, secret).
pub async fn endpoint(app: &TestApp, token: &str, url: &str) -> (String, String) {
    let r = create_endpoint(app, token, url, &["referral.sent"]).await;
    let data = &r.ok()["createWebhookEndpoint"];
    (s(data, "endpoint.id").to_owned(), s(data, "secret").to_owned())
}

/// The delivery log of an endpoint, newest first.
pub async fn deliveries(app: &TestApp, token: &str, endpoint: &str) -> Vec<Value> {
    let r = app
        .gql(
            Some(token),
            "query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 20) { edges { node {
                id webhookId eventType status attemptCount lastStatusCode lastError deliveredAt
                attempts(first: 5) { totalCount edges { node { statusCode succeeded error latencyMs responseExcerpt } } }
            } } } } }",
            json!({"id": endpoint}),
        )
        .await;
    r.ok()["webhookEndpoint"]["deliveries"]["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default()
}

/// Poll `check` every 50 ms until it answers `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A receiver that answers every POST with `status`; returns its URL.
async fn answering(status: StatusCode) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().route("/hook", post(move || async move { (status, "gone for good") }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/hook")
}

/// The endpoint `id` once it has been switched off: `{ active disabledReason }`.
pub async fn disabled_endpoint(app: &TestApp, admin: &str, id: &str) -> Value {
    eventually(
        "the endpoint to be disabled",
        Duration::from_secs(10),
        || async move {
            let r = app
                .gql(
                    Some(admin),
                    "query($id: ID!) { webhookEndpoint(id: $id) { active disabledReason } }",
                    json!({"id": id}),
                )
                .await;
            let ep = r.ok()["webhookEndpoint"].clone();
            (ep["active"] == false).then_some(ep)
        },
    )
    .await
}

/// Send one referral to the employment centre (consent recorded first).
pub async fn send_referral(app: &TestApp, setup: &Setup) -> String {
    let id = draft(app, &setup.w).await;
    act(app, &setup.w.officer, "sendReferral", &id, json!({}))
        .await
        .ok();
    id
}

#[tokio::test]
async fn an_organisation_admin_registers_lists_changes_and_deletes_its_endpoints() {
    let app = spawn_hooks_app(false).await;
    let st = setup(&app).await;
    let admin = &st.p.employment_admin;
    let r = create_endpoint(&app, admin, "http://127.0.0.1:9/hook", &["referral.sent"]).await;
    let created = &r.ok()["createWebhookEndpoint"];
    assert!(s(created, "secret").starts_with("whsec_"));
    assert_eq!(created["endpoint"]["organisation"]["id"], json!(st.w.employment));
    let id = s(created, "endpoint.id").to_owned();

    let list = app
        .gql(
            Some(admin),
            "{ webhookEndpoints { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list.ok()["webhookEndpoints"]["totalCount"], 1);

    let r = app
        .gql(
            Some(admin),
            &format!(
                "mutation($id: ID!, $i: UpdateWebhookEndpointInput!) {{
                updateWebhookEndpoint(id: $id, input: $i) {{ {ENDPOINT_FIELDS} }} }}"
            ),
            json!({"id": id, "i": {"eventTypes": ["referral.sent", "referral.cancelled"], "active": false}}),
        )
        .await;
    let updated = &r.ok()["updateWebhookEndpoint"];
    assert_eq!(
        updated["eventTypes"],
        json!(["referral.cancelled", "referral.sent"])
    );
    assert_eq!(updated["active"], false);

    let r = app
        .gql(
            Some(admin),
            "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.ok()["deleteWebhookEndpoint"], json!(id));
    let list = app
        .gql(Some(admin), "{ webhookEndpoints { totalCount } }", json!({}))
        .await;
    assert_eq!(list.ok()["webhookEndpoints"]["totalCount"], 0);
}

#[tokio::test]
async fn staff_cannot_register_endpoints_and_other_organisations_cannot_see_them() {
    let app = spawn_hooks_app(false).await;
    let st = setup(&app).await;
    create_endpoint(&app, &st.w.partner, "http://127.0.0.1:9/hook", &["referral.sent"])
        .await
        .expect_code("FORBIDDEN");
    let (id, _) = endpoint(&app, &st.p.employment_admin, "http://127.0.0.1:9/hook").await;
    let r = app
        .gql(
            Some(&st.p.ngo_admin),
            "query($id: ID!) { webhookEndpoint(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert!(r.ok()["webhookEndpoint"].is_null());
    app.gql(
        Some(&st.p.ngo_admin),
        "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
        json!({"id": id}),
    )
    .await
    .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn urls_resolving_to_loopback_private_or_link_local_addresses_are_refused() {
    let app = spawn_hooks_app(false).await;
    let st = setup(&app).await;
    for url in [
        "http://10.0.0.5/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.2/hook",
        "http://[::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "ftp://127.0.0.1/hook",
    ] {
        let r = create_endpoint(&app, &st.p.employment_admin, url, &["referral.sent"]).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("input.url"), "{url}");
    }
}

#[tokio::test]
async fn unknown_event_types_are_refused() {
    let app = spawn_hooks_app(false).await;
    let st = setup(&app).await;
    let r = create_endpoint(
        &app,
        &st.p.employment_admin,
        "http://127.0.0.1:9/h",
        &["case.created"],
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.eventTypes"));
}

#[tokio::test]
async fn an_endpoint_answering_410_is_disabled_and_its_delivery_given_up() {
    let app = spawn_hooks_app(true).await;
    let st = setup(&app).await;
    record_consent(&app, &st.w, json!({"organisationId": st.w.employment})).await;
    let url = answering(StatusCode::GONE).await;
    let (id, _) = endpoint(&app, &st.p.employment_admin, &url).await;
    send_referral(&app, &st).await;

    let admin = st.p.employment_admin.clone();
    let ep = disabled_endpoint(&app, &admin, &id).await;
    assert!(s(&ep, "disabledReason").contains("410"));
    let log = deliveries(&app, &admin, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "FAILED");
    assert_eq!(log[0]["lastStatusCode"], 410);
    assert_eq!(
        log[0]["attempts"]["edges"][0]["node"]["responseExcerpt"],
        "gone for good"
    );
}

#[tokio::test]
async fn a_delivery_claimed_by_a_replica_that_died_is_sent_after_its_lease_runs_out() {
    let app = spawn_hooks_app(false).await;
    let st = setup(&app).await;
    record_consent(&app, &st.w, json!({"organisationId": st.w.employment})).await;
    let url = answering(StatusCode::NO_CONTENT).await;
    // The dispatcher starts at the newest event: start it before anything is sent.
    let window = chrono::Duration::days(3);
    let mut gap = GapState::default();
    dispatch_once(app.db(), &mut gap, window).await.expect("dispatch");
    let (id, _) = endpoint(&app, &st.p.employment_admin, &url).await;
    send_referral(&app, &st).await;
    while dispatch_once(app.db(), &mut gap, window).await.expect("dispatch") > 0 {}

    // A replica claims the delivery and dies before sending it.
    let dead = Sender::new(app.db().clone(), &app.state.settings).expect("sender");
    assert_eq!(dead.claim(10).await.expect("claim").len(), 1);
    drop(dead);

    // After a restart, a fresh sender finds nothing due while the lease holds …
    let fresh = Sender::new(app.db().clone(), &app.state.settings).expect("sender");
    assert_eq!(fresh.tick().await.expect("tick"), 0);
    // … and sends it once the lease has run out.
    eventually("the lease to run out", Duration::from_secs(10), || {
        let fresh = fresh.clone();
        async move { (fresh.tick().await.expect("tick") == 1).then_some(()) }
    })
    .await;
    let log = deliveries(&app, &st.p.employment_admin, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "SUCCEEDED");
    assert_eq!(log[0]["attemptCount"], 1);
}
