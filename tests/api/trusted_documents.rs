//! Trusted documents: in `enforce`, only the manifest's documents run (by id or by
//! content), except for platform admins; in `log`, others run and are counted.

use std::path::PathBuf;

use hamkor_api::trusted_documents::{TrustMode, hash};
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app_with};
use crate::world::{create_district, create_org, create_region, create_user};

const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }";
const ME: &str = "query Me { me { roles } }";
const UNLISTED: &str = "query Roles { me { roles enabledModules } }";

/// An Apollo persisted query manifest of the login and `Me`.
fn manifest(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("trusted.json");
    let ops: Vec<Value> = [("Login", "mutation", LOGIN), ("Me", "query", ME)]
        .iter()
        .map(|(name, ty, body)| json!({"id": hash(body), "name": name, "type": ty, "body": body}))
        .collect();
    let text = json!({"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops});
    std::fs::write(&path, text.to_string()).expect("write the manifest");
    path
}

async fn app_with(mode: TrustMode) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = manifest(&dir);
    let app = spawn_app_with(|s| {
        s.trusted_documents = Some(path);
        s.trusted_documents_mode = mode;
        s.metrics_listen = Some("127.0.0.1:0".parse().expect("addr"));
    })
    .await;
    (app, dir)
}

/// POST a raw GraphQL-over-HTTP body.
async fn post(app: &TestApp, token: Option<&str>, body: Value) -> Resp {
    let mut req = app.client.post(app.url("/graphql")).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    Resp {
        status,
        body: resp.json().await.expect("json"),
    }
}

/// A probation officer (not a platform admin).
async fn officer(app: &TestApp, admin: &str) -> String {
    let region = create_region(app, admin, "1718").await;
    let district = create_district(app, admin, &region, "1718401").await;
    let org = create_org(app, admin, "Probation", "PROBATION_SERVICE", Some(&district)).await;
    create_user(app, admin, &org, "officer1", &["PROBATION_OFFICER"], &[&district])
        .await
        .1
}

#[tokio::test]
async fn enforce_runs_only_trusted_documents_except_for_platform_admins() {
    let (app, _dir) = app_with(TrustMode::Enforce).await;
    let admin = app.admin_token().await;
    let officer = officer(&app, &admin).await;
    let me = |r: &Resp| r.ok()["me"]["roles"].clone();

    // By id, in either place, and by content.
    let r = post(
        &app,
        Some(&officer),
        json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash(ME)}}}),
    )
    .await;
    assert_eq!(me(&r), json!(["PROBATION_OFFICER"]));
    let r = post(
        &app,
        Some(&officer),
        json!({"documentId": format!("sha256:{}", hash(ME))}),
    )
    .await;
    assert_eq!(me(&r), json!(["PROBATION_OFFICER"]));
    let r = post(&app, Some(&officer), json!({"query": ME})).await;
    assert_eq!(me(&r), json!(["PROBATION_OFFICER"]));
    let get = app
        .client
        .get(app.url(&format!("/graphql?documentId={}", hash(ME))))
        .bearer_auth(&officer)
        .send()
        .await
        .expect("get");
    assert_eq!(get.status(), 200);

    // Anything else is refused, before it runs.
    let r = post(&app, Some(&officer), json!({"query": UNLISTED})).await;
    r.expect_code("OPERATION_NOT_TRUSTED");
    assert_eq!(r.status, 400);
    assert!(r.body.get("data").is_none());
    post(&app, None, json!({"query": "{ me { roles } }"}))
        .await
        .expect_code("OPERATION_NOT_TRUSTED");
    post(&app, Some(&officer), json!({"documentId": hash(UNLISTED)}))
        .await
        .expect_code("PERSISTED_QUERY_NOT_FOUND");
    // An id and a document that is not its own.
    post(
        &app,
        Some(&officer),
        json!({"query": UNLISTED, "documentId": hash(ME)}),
    )
    .await
    .expect_code("BAD_REQUEST");

    // A platform admin may run any document (the admin console, support work).
    let r = post(&app, Some(&admin), json!({"query": UNLISTED})).await;
    assert_eq!(r.ok()["me"]["roles"], json!(["PLATFORM_ADMIN"]));
}

#[tokio::test]
async fn log_runs_every_document_and_counts_the_untrusted_ones() {
    let (app, _dir) = app_with(TrustMode::Log).await;
    let admin = app.admin_token().await;
    let officer = officer(&app, &admin).await;
    let r = post(&app, Some(&officer), json!({"query": UNLISTED})).await;
    assert_eq!(r.ok()["me"]["roles"], json!(["PROBATION_OFFICER"]));
    // An id alone still has to name a document.
    post(&app, Some(&officer), json!({"documentId": hash(UNLISTED)}))
        .await
        .expect_code("PERSISTED_QUERY_NOT_FOUND");
    let r = post(&app, Some(&officer), json!({"documentId": hash(ME)})).await;
    assert_eq!(r.ok()["me"]["roles"], json!(["PROBATION_OFFICER"]));

    let addr = app.metrics_addr.expect("metrics");
    let text = app
        .client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    let reported = text
        .lines()
        .find(|l| l.starts_with("hamkor_graphql_untrusted_documents_total{") && l.contains("mode=\"log\""))
        .unwrap_or_else(|| panic!("no untrusted documents counted: {text}"));
    let n: f64 = reported
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("a value");
    assert!(n >= 1.0, "{reported}");
}

/// A `graphql-transport-ws` connection acknowledged for `token`; the first answer to
/// one operation.
async fn over_websocket(app: &TestApp, token: &str, payload: Value) -> Value {
    use std::time::Duration;

    use crate::ws::{next, open_at, send};
    let mut socket = open_at(app.addr, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": payload}),
    )
    .await;
    next(&mut socket, Duration::from_secs(5)).await
}

#[tokio::test]
async fn websocket_operations_follow_the_same_rules() {
    let (app, _dir) = app_with(TrustMode::Enforce).await;
    let admin = app.admin_token().await;
    let officer = officer(&app, &admin).await;

    let trusted = over_websocket(&app, &officer, json!({"query": ME})).await;
    assert_eq!(trusted["type"], "next", "{trusted}");
    assert_eq!(
        trusted["payload"]["data"]["me"]["roles"],
        json!(["PROBATION_OFFICER"])
    );
    let by_id = over_websocket(
        &app,
        &officer,
        json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash(ME)}}}),
    )
    .await;
    assert_eq!(
        by_id["payload"]["data"]["me"]["roles"],
        json!(["PROBATION_OFFICER"]),
        "{by_id}"
    );

    let refused = over_websocket(&app, &officer, json!({"query": UNLISTED})).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "OPERATION_NOT_TRUSTED"
    );
    let unknown = over_websocket(
        &app,
        &officer,
        json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash(UNLISTED)}}}),
    )
    .await;
    assert_eq!(
        unknown["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{unknown}"
    );

    let admin_runs = over_websocket(&app, &admin, json!({"query": UNLISTED})).await;
    assert_eq!(
        admin_runs["payload"]["data"]["me"]["roles"],
        json!(["PLATFORM_ADMIN"]),
        "{admin_runs}"
    );
}
