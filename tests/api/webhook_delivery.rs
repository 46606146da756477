//! Delivery end to end, with the example receiver: a partner system that was down
//! receives every referral sent meanwhile, verifies it, and answers through GraphQL.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hamkor_webhook_receiver::{Config, Receiver, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, s};
use crate::referrals::{Setup, record_consent, setup};
use crate::webhooks::{deliveries, endpoint, eventually, send_referral, spawn_hooks_app};

/// A PARTNER_STAFF service account of the employment centre, created by its admin:
/// (user id, client id, client secret).
pub async fn service_account(app: &TestApp, st: &Setup) -> (String, String, String) {
    let r = app
        .gql(
            Some(&st.p.employment_admin),
            "mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) {
                clientId clientSecret user { id } } }",
            json!({"i": {"organisationId": st.w.employment, "name": "Case system", "roles": ["PARTNER_STAFF"]}}),
        )
        .await;
    let data = &r.ok()["createServiceAccount"];
    (
        s(data, "user.id").to_owned(),
        s(data, "clientId").to_owned(),
        s(data, "clientSecret").to_owned(),
    )
}

/// An address nothing listens on yet (the receiver binds it later).
async fn free_address() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr")
}

async fn start_receiver(addr: SocketAddr, config: Config) -> Arc<Receiver> {
    let receiver = Receiver::new(config);
    let listener = TcpListener::bind(addr)
        .await
        .expect("the receiver's port is free");
    tokio::spawn(serve(listener, receiver.clone()));
    receiver
}

pub struct Partner {
    pub st: Setup,
    pub endpoint: String,
    pub addr: SocketAddr,
    pub config: Config,
}

/// The world with consent for the employment centre, its service account, and its
/// endpoint registered (`scheme://127.0.0.1:port/webhooks`) where nothing listens yet.
pub async fn partner(app: &TestApp, scheme: &str) -> Partner {
    let st = setup(app).await;
    record_consent(app, &st.w, json!({"organisationId": st.w.employment})).await;
    let (_, client_id, client_secret) = service_account(app, &st).await;
    let addr = free_address().await;
    let (endpoint, secret) = endpoint(
        app,
        &st.p.employment_admin,
        &format!("{scheme}://{addr}/webhooks"),
    )
    .await;
    let config = Config {
        webhook_secret: secret,
        graphql_url: app.url("/graphql"),
        client_id,
        client_secret,
    };
    Partner {
        st,
        endpoint,
        addr,
        config,
    }
}

async fn status_of(app: &TestApp, token: &str, referral: &str) -> Value {
    let r = app
        .gql(
            Some(token),
            "query($id: ID!) { node(id: $id) { ... on Referral { status externalId } } }",
            json!({"id": referral}),
        )
        .await;
    r.ok()["node"].clone()
}

#[tokio::test]
async fn a_receiver_started_after_ten_referrals_were_sent_gets_verifies_and_accepts_all_ten() {
    let app = spawn_hooks_app(true).await;
    let Partner {
        st,
        endpoint,
        addr,
        config,
    } = partner(&app, "http").await;
    let mut sent = Vec::new();
    for _ in 0..10 {
        sent.push(send_referral(&app, &st).await);
    }

    // The receiver is down: attempts fail and are retried.
    let admin = st.p.employment_admin.clone();
    eventually(
        "failed attempts while the receiver is down",
        Duration::from_secs(20),
        || {
            let (app, admin, endpoint) = (&app, admin.clone(), endpoint.clone());
            async move {
                let log = deliveries(app, &admin, &endpoint).await;
                let retried = log.iter().any(|d| d["attemptCount"].as_i64() >= Some(2));
                (log.len() == 10 && retried).then_some(())
            }
        },
    )
    .await;

    let receiver = start_receiver(addr, config).await;
    let stats = eventually("ten referrals accepted", Duration::from_secs(30), || {
        let receiver = receiver.clone();
        async move {
            let stats = receiver.stats().await;
            (stats.accepted.len() >= 10).then_some(stats)
        }
    })
    .await;
    assert_eq!(stats.rejected, 0, "every signature verifies");
    assert_eq!(stats.handled.len(), 10);
    let ids: HashSet<_> = stats.handled.iter().collect();
    assert_eq!(ids.len(), 10, "ten distinct webhook ids");
    let accepted: HashSet<_> = stats.accepted.iter().cloned().collect();
    assert_eq!(accepted, sent.iter().cloned().collect::<HashSet<_>>());
    for id in &sent {
        let r = status_of(&app, &st.w.officer, id).await;
        assert_eq!(r["status"], "ACCEPTED", "{id}");
        assert!(s(&r, "externalId").starts_with("RCV-"));
    }
    let log = deliveries(&app, &admin, &endpoint).await;
    assert!(log.iter().all(|d| d["status"] == "SUCCEEDED"), "{log:?}");
}

#[tokio::test]
async fn a_redelivered_webhook_is_recognised_by_its_id_and_acted_on_once() {
    let app = spawn_hooks_app(true).await;
    let Partner {
        st,
        endpoint,
        addr,
        config,
    } = partner(&app, "http").await;
    let receiver = start_receiver(addr, config).await;
    send_referral(&app, &st).await;
    eventually("the referral accepted", Duration::from_secs(10), || {
        let receiver = receiver.clone();
        async move { (receiver.stats().await.accepted.len() == 1).then_some(()) }
    })
    .await;

    let log = deliveries(&app, &st.p.employment_admin, &endpoint).await;
    let r = app
        .gql(
            Some(&st.p.employment_admin),
            "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { status } }",
            json!({"id": log[0]["id"]}),
        )
        .await;
    assert_eq!(r.ok()["redeliverWebhook"]["status"], "PENDING");
    let stats = eventually("the duplicate", Duration::from_secs(10), || {
        let receiver = receiver.clone();
        async move {
            let stats = receiver.stats().await;
            (stats.duplicates == 1).then_some(stats)
        }
    })
    .await;
    assert_eq!(stats.accepted.len(), 1);
    let log = deliveries(&app, &st.p.employment_admin, &endpoint).await;
    assert_eq!(log[0]["attemptCount"], 2);
}

#[tokio::test]
async fn after_a_rotation_the_old_secret_still_verifies_during_the_overlap() {
    let app = spawn_hooks_app(true).await;
    let Partner {
        st,
        endpoint,
        addr,
        config,
    } = partner(&app, "http").await;
    let r = app
        .gql(
            Some(&st.p.employment_admin),
            "mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id, overlap: ONE_DAY) {
                secret endpoint { previousSecretValidUntil } } }",
            json!({"id": endpoint}),
        )
        .await;
    let rotated = &r.ok()["rotateWebhookEndpointSecret"];
    assert_ne!(s(rotated, "secret"), config.webhook_secret);
    assert!(rotated["endpoint"]["previousSecretValidUntil"].is_string());

    // The receiver still holds the old secret.
    let receiver = start_receiver(addr, config).await;
    send_referral(&app, &st).await;
    eventually("the referral accepted", Duration::from_secs(10), || {
        let receiver = receiver.clone();
        async move { (receiver.stats().await.accepted.len() == 1).then_some(()) }
    })
    .await;
    assert_eq!(receiver.stats().await.rejected, 0);
}

#[tokio::test]
async fn without_an_overlap_the_old_secret_stops_verifying_at_once() {
    let app = spawn_hooks_app(true).await;
    let Partner {
        st,
        endpoint,
        addr,
        config,
    } = partner(&app, "http").await;
    app.gql(
        Some(&st.p.employment_admin),
        "mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id, overlap: NONE) { secret } }",
        json!({"id": endpoint}),
    )
    .await
    .ok();
    let receiver = start_receiver(addr, config).await;
    send_referral(&app, &st).await;
    eventually("a refused message", Duration::from_secs(10), || {
        let receiver = receiver.clone();
        async move { (receiver.stats().await.rejected >= 1).then_some(()) }
    })
    .await;
    assert!(receiver.stats().await.accepted.is_empty());
}

#[tokio::test]
async fn endpoints_and_deliveries_refetch_by_node_for_their_organisation_only() {
    let app = spawn_hooks_app(true).await;
    let Partner {
        st,
        endpoint,
        addr,
        config,
    } = partner(&app, "http").await;
    let receiver = start_receiver(addr, config).await;
    send_referral(&app, &st).await;
    eventually("the referral accepted", Duration::from_secs(10), || {
        let receiver = receiver.clone();
        async move { (receiver.stats().await.accepted.len() == 1).then_some(()) }
    })
    .await;
    let delivery = deliveries(&app, &st.p.employment_admin, &endpoint).await[0]["id"].clone();
    let q = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on WebhookDelivery { status } } }";
    let ids = json!({"ids": [endpoint, delivery]});
    let r = app.gql(Some(&st.p.employment_admin), q, ids.clone()).await;
    assert_eq!(r.ok()["nodes"][0]["id"], json!(endpoint));
    assert_eq!(r.ok()["nodes"][1]["status"], "SUCCEEDED");
    let r = app.gql(Some(&st.p.ngo_admin), q, ids).await;
    assert_eq!(r.ok()["nodes"], json!([null, null]));
}
