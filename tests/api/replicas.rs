//! Stateless replicas, proven with real processes: readiness that tracks the background
//! workers, a SIGTERM that drains, and three `hamkor` processes on one PostgreSQL
//! database sharing events, module switches and webhook deliveries while one of them is
//! killed mid-delivery.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, spawn_app};
use crate::process::{DEMO_PASSWORD, Server, run};
use crate::ws::{Socket, next, open_at, send};

#[tokio::test]
async fn readiness_fails_when_a_background_worker_stops() {
    let app = spawn_app().await;
    let ready = app.client.get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), 200);
    app.state.lifecycle.stop_worker("early_warning");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = app.client.get(app.url("/readyz")).send().await.expect("readyz");
        if r.status() == 503 {
            let body: Value = r.json().await.expect("json");
            assert_eq!(body["reason"]["stoppedWorkers"], json!(["early_warning"]));
            break;
        }
        assert!(Instant::now() < deadline, "still ready with a stopped worker");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The process itself is alive.
    let alive = app.client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(alive.status(), 200);
}

/// A `graphql-transport-ws` connection to `addr`, acknowledged for `token`, with one
/// subscription started.
async fn subscribed(addr: SocketAddr, token: &str, query: &str, variables: Value) -> Socket {
    let mut socket = open_at(addr, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(10)).await["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}),
    )
    .await;
    socket
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_finishes_requests_in_flight_and_closes_websockets_with_1001() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("hamkor.db").display());
    let env = [
        ("HAMKOR_DATABASE_URL", db),
        ("HAMKOR_ADMIN_PASSWORD", ADMIN_PASSWORD.to_owned()),
        // A sign-in slow enough to be in flight when the signal comes.
        ("HAMKOR_ARGON2_MEMORY_KIB", "131072".to_owned()),
        ("HAMKOR_ARGON2_ITERATIONS", "4".to_owned()),
    ];
    let mut server = Server::start(dir.path(), &env).await;
    let token = server.login("admin", ADMIN_PASSWORD).await;
    let mut socket = subscribed(
        server.addr,
        &token,
        "subscription { referralEvents { id } }",
        json!({}),
    )
    .await;

    let in_flight = {
        let client = server.client.clone();
        let url = server.url("/graphql");
        tokio::spawn(async move {
            let started = Instant::now();
            let r = client
                .post(url)
                .json(&json!({"query": "mutation { login(username: \"admin\", password: \"admin-password-for-tests\") { accessToken } }"}))
                .send()
                .await
                .expect("the request in flight is answered");
            (
                r.status().as_u16(),
                r.json::<Value>().await.expect("json"),
                started.elapsed(),
            )
        })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    let signalled = Instant::now();
    server.signal("TERM");

    let closed = next(&mut socket, Duration::from_secs(10)).await;
    assert_eq!(
        closed,
        json!({"close": 1001}),
        "the WebSocket is told the server goes away"
    );
    let (status, body, took) = in_flight.await.expect("task");
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
    let exit = server.wait_exit(Duration::from_secs(30)).await;
    assert!(exit.success(), "a drained stop is a clean exit: {exit}");
    // The request really was in flight when the signal came.
    assert!(took > Duration::from_millis(30), "the sign-in took {took:?}");
    assert!(signalled.elapsed() < Duration::from_secs(30));
    // And nothing is accepted any more.
    assert!(server.client.get(server.url("/healthz")).send().await.is_err());
}

/// A partner's webhook endpoint that answers slowly and counts each message id.
#[derive(Clone, Default)]
struct Counting {
    seen: Arc<Mutex<HashMap<String, usize>>>,
}

impl Counting {
    async fn start(delay: Duration) -> (SocketAddr, Self) {
        let me = Self::default();
        let app = Router::new()
            .route(
                "/webhooks",
                post(move |State(me): State<Counting>, headers: HeaderMap| async move {
                    let id = headers
                        .get("webhook-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    tokio::time::sleep(delay).await;
                    *me.seen.lock().expect("lock").entry(id).or_default() += 1;
                    ""
                }),
            )
            .with_state(me.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (addr, me)
    }

    fn counts(&self) -> HashMap<String, usize> {
        self.seen.lock().expect("lock").clone()
    }
}

fn data<'a>(r: &'a Value, what: &str) -> &'a Value {
    assert!(r.get("errors").is_none(), "{what}: {r}");
    &r["data"]
}

fn root_fields(r: &Value) -> Vec<String> {
    data(r, "introspection")["__schema"]["queryType"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_replicas_share_events_module_switches_and_webhook_deliveries() {
    let Some(base) = std::env::var("HAMKOR_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: three replicas need PostgreSQL (set HAMKOR_TEST_DATABASE_URL)");
        return;
    };
    // A schema of its own on the test database, as every test gets.
    let schema = format!("r_{}", uuid::Uuid::new_v4().simple());
    let admin = hamkor_api::db::connect(&base, 1).await.expect("connect");
    sea_orm::ConnectionTrait::execute_unprepared(&admin, &format!("CREATE SCHEMA \"{schema}\""))
        .await
        .expect("schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options[search_path]={schema}");

    let (hook_addr, receiver) = Counting::start(Duration::from_millis(400)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [
        ("HAMKOR_DATABASE_URL", url),
        ("HAMKOR_ADMIN_PASSWORD", ADMIN_PASSWORD.to_owned()),
        ("HAMKOR_WEBHOOK_ALLOWED_ADDRESSES", "127.0.0.1".to_owned()),
        ("HAMKOR_WEBHOOK_RETRY_BASE_MS", "100".to_owned()),
        ("HAMKOR_WEBHOOK_RETRY_MAX_DELAY_SECS", "1".to_owned()),
        ("HAMKOR_WEBHOOK_TIMEOUT_SECS", "2".to_owned()),
    ];
    run(dir.path(), &env, &["migrate"]);
    run(dir.path(), &env, &["seed", "--demo"]);
    let a = Server::start(dir.path(), &env).await;
    let b = Server::start(dir.path(), &env).await;
    let mut c = Server::start(dir.path(), &env).await;
    let replicas = |i: usize| -> &Server { [&a, &b][i % 2] };

    let officer = a.login("officer.samarqand", DEMO_PASSWORD).await;
    let org_admin = b.login("orgadmin.samarqand", DEMO_PASSWORD).await;
    let platform = c.login("admin", ADMIN_PASSWORD).await;
    let cases = a
        .gql(
            Some(&officer),
            "{ cases(first: 10, filter: {statuses: [ACTIVE]}) { edges { node { id person { id } } } } }",
            json!({}),
            &[],
        )
        .await;
    let cases: Vec<(String, String)> = data(&cases, "cases")["cases"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().expect("id").to_owned(),
                e["node"]["person"]["id"].as_str().expect("person").to_owned(),
            )
        })
        .collect();
    assert!(cases.len() >= 2, "the demo has active cases: {cases:?}");
    let first_case = cases[0].0.clone();

    // 1. A subscriber on A receives what is written through B and through C.
    let mut socket = subscribed(
        a.addr,
        &officer,
        "subscription($c: ID!) { caseEvents(caseId: $c) { id type } }",
        json!({"c": first_case}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let visit = "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }";
    for (server, at) in [(&b, "2026-11-25T09:00:00Z"), (&c, "2026-11-26T09:00:00Z")] {
        let r = server
            .gql(
                Some(&officer),
                visit,
                json!({"i": {"caseId": first_case, "kind": "HOME_VISIT", "at": at, "outcome": "ATTENDED"}}),
                &[],
            )
            .await;
        data(&r, "a visit");
    }
    let mut received = Vec::new();
    while received.len() < 2 {
        let m = next(&mut socket, Duration::from_secs(15)).await;
        assert_eq!(m["type"], "next", "{m}");
        received.push(
            m["payload"]["data"]["caseEvents"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    received.dedup();
    assert_eq!(received.len(), 2, "both writes reached the subscriber on A");

    // 2. A module switched off through B is gone on A's next request.
    let introspect = "{ __schema { queryType { fields { name } } } modules { id enabled } }";
    let before = a.gql(Some(&officer), introspect, json!({}), &[]).await;
    let module = data(&before, "modules")["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .find(|m| m["enabled"] == json!(true))
        .and_then(|m| m["id"].as_str())
        .expect("a module switched on for the probation service")
        .to_owned();
    let r = b
        .gql(
            Some(&org_admin),
            "mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { enabled } }",
            json!({"i": {"moduleId": module, "enabled": false}}),
            &[],
        )
        .await;
    assert_eq!(data(&r, "switch")["configureModule"]["enabled"], false);
    let after = a.gql(Some(&officer), introspect, json!({}), &[]).await;
    let (before_fields, after_fields) = (root_fields(&before), root_fields(&after));
    assert!(
        after_fields.len() < before_fields.len(),
        "{module}'s namespace is still there on A"
    );
    let off = data(&after, "modules")["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .any(|m| m["id"] == json!(module) && m["enabled"] == json!(false));
    assert!(off, "A reads {module} as switched off");

    // 3. Webhook deliveries, once each, while C is killed mid-delivery.
    let orgs = c
        .gql(
            Some(&platform),
            "{ organisations(first: 50) { edges { node { id kind } } } }",
            json!({}),
            &[],
        )
        .await;
    let employment = data(&orgs, "organisations")["organisations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["kind"] == json!("EMPLOYMENT_CENTRE"))
        .and_then(|e| e["node"]["id"].as_str())
        .unwrap_or_else(|| panic!("the demo's employment centre: {orgs}"))
        .to_owned();
    let r = c
        .gql(
            Some(&platform),
            "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }",
            json!({"i": {"organisationId": employment, "url": format!("http://{hook_addr}/webhooks"),
                         "eventTypes": ["referral.sent"]}}),
            &[],
        )
        .await;
    data(&r, "endpoint");
    let mut sent = 0;
    for (i, (case, person)) in cases.iter().enumerate() {
        let server = replicas(i);
        let consent = server
            .gql(
                Some(&officer),
                "mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id } }",
                json!({"i": {"personId": person, "organisationId": employment, "purpose": "employment",
                             "dataScope": ["IDENTITY", "SENTENCE_CONDITIONS"], "evidence": "Form 12/2026"}}),
                &[],
            )
            .await;
        data(&consent, "consent");
        let created = server
            .gql(
                Some(&officer),
                "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
                json!({"i": {"caseId": case, "kind": "employment", "toOrganisationId": employment,
                             "summary": "Looking for work near home"}}),
                &[],
            )
            .await;
        let id = data(&created, "referral")["createReferral"]["referral"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let r = server
            .gql(
                Some(&officer),
                "mutation($id: ID!) { sendReferral(input: {id: $id}) { referral { id status } } }",
                json!({"id": id}),
                &[],
            )
            .await;
        assert_eq!(data(&r, "send")["sendReferral"]["referral"]["status"], "SENT");
        sent += 1;
    }

    // Kill C as soon as the first delivery is being answered, and start it again.
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.counts().is_empty() {
        assert!(Instant::now() < deadline, "no delivery started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c.signal("KILL");
    let killed = c.wait_exit(Duration::from_secs(10)).await;
    assert!(!killed.success());
    let c_addr = c.addr;
    drop(c);
    let _c = Server::start_on(dir.path(), &env, c_addr).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.counts().len() < sent {
        assert!(
            Instant::now() < deadline,
            "{} of {sent} deliveries arrived: {:?}",
            receiver.counts().len(),
            receiver.counts()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // At least once: every message arrived; more than once only for what C had in
    // flight when it was killed (its lease ran out and another replica sent it again).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let counts = receiver.counts();
    assert_eq!(counts.len(), sent, "{counts:?}");
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!("{sent} deliveries, {duplicates} sent again after the kill");
    assert!(
        duplicates <= 20,
        "more duplicates than one sender's claim: {counts:?}"
    );

    // No acknowledged write or event is lost: every referral is on record as sent, and
    // every event of the run is in the outbox, read through A.
    let events = a
        .gql(
            Some(&officer),
            "query($c: ID!) { events(first: 100, filter: {caseId: $c}) { edges { node { id type } } } }",
            json!({"c": first_case}),
            &[],
        )
        .await;
    let types: Vec<String> = data(&events, "events")["events"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["type"].as_str().map(str::to_owned))
        .collect();
    let referral_events = types.iter().filter(|t| t.starts_with("referral.")).count();
    assert!(referral_events >= 2, "created and sent: {types:?}");
    for id in &received {
        let found = a
            .gql(
                Some(&officer),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": id}),
                &[],
            )
            .await;
        assert_eq!(data(&found, "event")["node"]["id"], json!(id));
    }
    sea_orm::ConnectionTrait::execute_unprepared(&admin, &format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .ok();
}
