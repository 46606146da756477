//! Idempotent mutations: a retried request with the same `Idempotency-Key` does not act
//! twice, and a key reused for something else is refused.

use hamkor_api::idempotency::entity as key_row;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};
use crate::world::World;

const CREATE_REFERRAL: &str =
    "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }";

async fn with_key(app: &TestApp, token: &str, key: &str, query: &str, variables: Value) -> (Resp, bool) {
    let request = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&json!({"query": query, "variables": variables}));
    sent(request).await
}

/// The response, and whether it was a replay.
async fn sent(request: reqwest::RequestBuilder) -> (Resp, bool) {
    let resp = request.send().await.expect("request");
    let replayed = resp.headers().contains_key("idempotent-replayed");
    let status = resp.status().as_u16();
    let body = resp.json().await.expect("json body");
    (Resp { status, body }, replayed)
}

fn referral(w: &World, summary: &str) -> Value {
    json!({"i": {"caseId": w.case, "kind": "probe.session", "toOrganisationId": w.employment,
        "summary": summary, "payload": {"sessions": 2}}})
}

async fn referral_count(app: &TestApp, w: &World) -> i64 {
    let r = app
        .gql(
            Some(&w.officer),
            "{ referrals(filter: {direction: OUTGOING}) { totalCount } }",
            json!({}),
        )
        .await;
    r.ok()["referrals"]["totalCount"].as_i64().unwrap_or(-1)
}

async fn prepared() -> (TestApp, World) {
    let app = spawn_app().await;
    let st = crate::referrals::setup(&app).await;
    (app, st.w)
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_input_returns_the_first_result_without_acting_twice() {
    let (app, w) = prepared().await;
    let (first, replayed) = with_key(
        &app,
        &w.officer,
        "k-1",
        CREATE_REFERRAL,
        referral(&w, "Needs work"),
    )
    .await;
    assert!(!replayed);
    let (again, replayed) = with_key(
        &app,
        &w.officer,
        "k-1",
        CREATE_REFERRAL,
        referral(&w, "Needs work"),
    )
    .await;
    assert!(replayed);
    assert_eq!(again.ok(), first.ok());
    assert_eq!(referral_count(&app, &w).await, 1);
}

#[tokio::test]
async fn the_same_key_with_different_input_is_a_conflict() {
    let (app, w) = prepared().await;
    with_key(
        &app,
        &w.officer,
        "k-2",
        CREATE_REFERRAL,
        referral(&w, "Needs work"),
    )
    .await
    .0
    .ok();
    let (r, _) = with_key(
        &app,
        &w.officer,
        "k-2",
        CREATE_REFERRAL,
        referral(&w, "Something else"),
    )
    .await;
    r.expect_code("CONFLICT");
    assert_eq!(r.status, 409);
    assert_eq!(referral_count(&app, &w).await, 1);
}

#[tokio::test]
async fn a_key_whose_request_is_still_running_answers_conflict() {
    let (app, w) = prepared().await;
    let user = hamkor_api::user::entity::user::Entity::find()
        .filter(hamkor_api::user::entity::user::Column::Username.eq("officer"))
        .one(app.db())
        .await
        .expect("query")
        .expect("the officer")
        .id;
    let hash = hamkor_api::idempotency::request_hash(CREATE_REFERRAL, None, Some(&referral(&w, "x")));
    key_row::Entity::insert(key_row::ActiveModel {
        user_id: Set(user),
        key: Set("k-3".into()),
        request_hash: Set(hash),
        response: Set(None),
        created_at: Set(chrono::Utc::now()),
        completed_at: Set(None),
    })
    .exec_without_returning(app.db())
    .await
    .expect("insert");
    let (r, _) = with_key(&app, &w.officer, "k-3", CREATE_REFERRAL, referral(&w, "x")).await;
    r.expect_code("CONFLICT");
    assert_eq!(referral_count(&app, &w).await, 0);
}

#[tokio::test]
async fn a_request_that_changed_nothing_releases_its_key() {
    let (app, w) = prepared().await;
    let mut bad = referral(&w, "Needs work");
    bad["i"]["caseId"] = json!(w.person);
    let (r, _) = with_key(&app, &w.officer, "k-4", CREATE_REFERRAL, bad).await;
    assert!(r.body["errors"].is_array());
    let (r, replayed) = with_key(
        &app,
        &w.officer,
        "k-4",
        CREATE_REFERRAL,
        referral(&w, "Needs work"),
    )
    .await;
    assert!(!replayed);
    r.ok();
    assert_eq!(referral_count(&app, &w).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let (app, w) = prepared().await;
    with_key(&app, &w.officer, "shared", CREATE_REFERRAL, referral(&w, "One"))
        .await
        .0
        .ok();
    let (r, _) = with_key(&app, &w.org_admin, "shared", "mutation { logout }", json!({})).await;
    assert_eq!(r.ok()["logout"], true);
}

#[tokio::test]
async fn a_key_is_kept_a_day_and_may_be_used_again_after() {
    let (app, w) = prepared().await;
    with_key(&app, &w.officer, "k-5", CREATE_REFERRAL, referral(&w, "One"))
        .await
        .0
        .ok();
    // Twenty-three hours later the key still holds.
    age_keys(&app, 23).await;
    with_key(&app, &w.officer, "k-5", CREATE_REFERRAL, referral(&w, "Two"))
        .await
        .0
        .expect_code("CONFLICT");
    // After a day it is purged.
    age_keys(&app, 25).await;
    let (r, _) = with_key(&app, &w.officer, "k-5", CREATE_REFERRAL, referral(&w, "Two")).await;
    r.ok();
    assert_eq!(referral_count(&app, &w).await, 2);
}

async fn age_keys(app: &TestApp, hours: i64) {
    key_row::Entity::update_many()
        .col_expr(
            key_row::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(hours)),
        )
        .filter(sea_orm::Condition::all())
        .exec(app.db())
        .await
        .expect("age keys");
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    let (app, w) = prepared().await;
    let (r, _) = with_key(
        &app,
        &w.officer,
        "has space",
        CREATE_REFERRAL,
        referral(&w, "One"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(referral_count(&app, &w).await, 0);
}

/// A request with its key in `extensions.idempotencyKey`, and optionally a header.
async fn with_extension_key(
    app: &TestApp,
    token: &str,
    key: Value,
    header: Option<&str>,
    variables: Value,
) -> (Resp, bool) {
    let mut request = app.client.post(app.url("/graphql")).bearer_auth(token);
    if let Some(h) = header {
        request = request.header("idempotency-key", h);
    }
    sent(
        request.json(&json!({"query": CREATE_REFERRAL, "variables": variables,
                               "extensions": {"idempotencyKey": key}})),
    )
    .await
}

#[tokio::test]
async fn a_key_in_the_request_extensions_works_like_the_header() {
    let (app, w) = prepared().await;
    let input = referral(&w, "Needs work");
    let (first, replayed) = with_extension_key(&app, &w.officer, json!("ext-1"), None, input.clone()).await;
    assert!(!replayed);
    let (again, replayed) = with_extension_key(&app, &w.officer, json!("ext-1"), None, input.clone()).await;
    assert!(replayed);
    assert_eq!(again.ok(), first.ok());
    // One key, whichever way it comes: the header form replays it too.
    let (_, replayed) = with_key(&app, &w.officer, "ext-1", CREATE_REFERRAL, input.clone()).await;
    assert!(replayed);
    let (r, _) = with_extension_key(
        &app,
        &w.officer,
        json!("ext-1"),
        None,
        referral(&w, "Something else"),
    )
    .await;
    assert_eq!(r.status, 409);
    r.expect_code("CONFLICT");
    assert_eq!(referral_count(&app, &w).await, 1);
}

#[tokio::test]
async fn a_malformed_or_contradicting_extension_key_is_refused() {
    let (app, w) = prepared().await;
    for key in [json!(""), json!("has space"), json!(17), json!("x".repeat(256))] {
        let (r, _) = with_extension_key(&app, &w.officer, key.clone(), None, referral(&w, "One")).await;
        assert_eq!(r.status, 400, "{key}");
    }
    let (r, _) = with_extension_key(&app, &w.officer, json!("a"), Some("b"), referral(&w, "One")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.to_string().contains("differ"), "{}", r.body);
    // The same key both ways is one key.
    let (r, _) = with_extension_key(&app, &w.officer, json!("a"), Some("a"), referral(&w, "One")).await;
    r.ok();
    assert_eq!(referral_count(&app, &w).await, 1);
}
