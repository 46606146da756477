//! Service accounts managed by their organisation's admin: listed, rotated with an
//! overlap, revoked; whatever they do is audited with the account as the actor; and the
//! partner's own external ids find its referrals.

use serde_json::json;

use crate::helpers::{Resp, TestApp, s, spawn_app};
use crate::referrals::{act, draft, record_consent, setup};
use crate::webhook_delivery::service_account;

async fn token_for(app: &TestApp, client_id: &str, secret: &str) -> Resp {
    app.gql(
        None,
        "mutation($c: String!, $s: String!) { serviceAccountToken(clientId: $c, clientSecret: $s) { accessToken } }",
        json!({"c": client_id, "s": secret}),
    )
    .await
}

async fn rotate(app: &TestApp, admin: &str, id: &str, overlap: &str) -> Resp {
    app.gql(
        Some(admin),
        "mutation($id: ID!, $o: SecretOverlap!) { rotateServiceAccountSecret(id: $id, overlap: $o) {
            clientId clientSecret } }",
        json!({"id": id, "o": overlap}),
    )
    .await
}

#[tokio::test]
async fn an_organisation_admin_lists_its_service_accounts() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let (id, ..) = service_account(&app, &st).await;
    let r = app
        .gql(
            Some(&st.p.employment_admin),
            "{ users(filter: {kind: SERVICE_ACCOUNT}) { totalCount edges { node { id kind } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["users"]["totalCount"], 1);
    assert_eq!(r.ok()["users"]["edges"][0]["node"]["id"], json!(id));
}

#[tokio::test]
async fn after_a_rotation_old_and_new_secrets_both_work_during_the_overlap() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let (id, client_id, old) = service_account(&app, &st).await;
    let r = rotate(&app, &st.p.employment_admin, &id, "ONE_HOUR").await;
    let new = s(r.ok(), "rotateServiceAccountSecret.clientSecret").to_owned();
    assert_ne!(new, old);
    token_for(&app, &client_id, &new).await.ok();
    token_for(&app, &client_id, &old).await.ok();
}

#[tokio::test]
async fn without_an_overlap_the_old_secret_stops_working_at_once() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let (id, client_id, old) = service_account(&app, &st).await;
    rotate(&app, &st.p.employment_admin, &id, "NONE").await.ok();
    token_for(&app, &client_id, &old)
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_revoked_service_account_loses_its_secret_and_its_tokens() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let (id, client_id, secret) = service_account(&app, &st).await;
    let r = token_for(&app, &client_id, &secret).await;
    let token = s(r.ok(), "serviceAccountToken.accessToken").to_owned();
    let r = app
        .gql(
            Some(&st.p.employment_admin),
            "mutation($id: ID!) { revokeServiceAccount(id: $id) { active } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.ok()["revokeServiceAccount"]["active"], false);
    assert_eq!(
        app.gql(Some(&token), "{ me { roles } }", json!({})).await.status,
        401
    );
    token_for(&app, &client_id, &secret)
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn another_organisations_admin_cannot_rotate_or_revoke_a_service_account() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let (id, ..) = service_account(&app, &st).await;
    rotate(&app, &st.p.ngo_admin, &id, "NONE")
        .await
        .expect_code("NOT_FOUND");
    app.gql(
        Some(&st.p.ngo_admin),
        "mutation($id: ID!) { revokeServiceAccount(id: $id) { active } }",
        json!({"id": id}),
    )
    .await
    .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn what_a_service_account_does_is_audited_with_the_account_as_actor() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    record_consent(&app, &st.w, json!({"organisationId": st.w.employment})).await;
    let (id, client_id, secret) = service_account(&app, &st).await;
    let r = token_for(&app, &client_id, &secret).await;
    let token = s(r.ok(), "serviceAccountToken.accessToken").to_owned();
    let referral = draft(&app, &st.w).await;
    act(&app, &st.w.officer, "sendReferral", &referral, json!({}))
        .await
        .ok();
    act(
        &app,
        &token,
        "acceptReferral",
        &referral,
        json!({"externalId": "SYS-1"}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&st.w.auditor),
            "{ auditEvents(first: 5, filter: {action: \"referral.transition\"}) { edges { node { actor { id } detail } } } }",
            json!({}),
        )
        .await;
    let accepted = r.ok()["auditEvents"]["edges"]
        .as_array()
        .and_then(|edges| edges.iter().find(|e| e["node"]["detail"]["to"] == "ACCEPTED"))
        .cloned()
        .expect("the acceptance is audited");
    assert_eq!(accepted["node"]["actor"]["id"], json!(id));
}

#[tokio::test]
async fn a_partner_finds_a_referral_by_its_own_external_id() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    record_consent(&app, &st.w, json!({"organisationId": st.w.employment})).await;
    let referral = draft(&app, &st.w).await;
    act(&app, &st.w.officer, "sendReferral", &referral, json!({}))
        .await
        .ok();
    act(
        &app,
        &st.w.partner,
        "acceptReferral",
        &referral,
        json!({"externalId": "SYS-42"}),
    )
    .await
    .ok();
    let q = "query($x: String!) { referralByExternalId(externalId: $x) { id status } }";
    let r = app.gql(Some(&st.w.partner), q, json!({"x": "SYS-42"})).await;
    assert_eq!(r.ok()["referralByExternalId"]["id"], json!(referral));
    // Another organisation's reference space is its own.
    let r = app.gql(Some(&st.p.ngo_staff), q, json!({"x": "SYS-42"})).await;
    assert!(r.ok()["referralByExternalId"].is_null());
}
