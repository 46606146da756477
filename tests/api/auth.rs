//! Tests: authentication. Passwords, access tokens (and forgeries of them), refresh
//! tokens, sessions, failed-login limits, deactivation and service accounts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, JWT_SECRET, PASSWORD, Resp, TestApp, s, spawn_app};
use crate::world::world;

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { \
                     accessToken tokenType expiresIn refreshToken user { id } } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(token: $t) { accessToken tokenType expiresIn refreshToken } }";
const SERVICE_TOKEN: &str = "mutation($c: String!, $s: String!) { serviceAccountToken(clientId: $c, \
                             clientSecret: $s) { accessToken tokenType expiresIn refreshToken } }";
const ME: &str = "{ me { roles user { id } } }";

/// The whole `login` answer.
async fn login(app: &TestApp, username: &str, password: &str) -> Resp {
    app.gql(None, LOGIN, json!({"u": username, "p": password})).await
}

/// Sign in and return (access token, refresh token).
async fn tokens(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let r = login(app, username, password).await;
    let data = r.ok();
    (
        s(data, "login.accessToken").to_owned(),
        s(data, "login.refreshToken").to_owned(),
    )
}

async fn refresh(app: &TestApp, token: &str) -> Resp {
    app.gql(None, REFRESH, json!({"t": token})).await
}

/// Ask `me` with `token`.
async fn me(app: &TestApp, token: &str) -> Resp {
    app.gql(Some(token), ME, json!({})).await
}

/// The claims of a JWT, read without verifying it.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("the payload is base64url");
    serde_json::from_slice(&bytes).expect("the payload is JSON")
}

/// The claims of `token`, freshly dated (issued now, valid for ten minutes, new id).
fn fresh_claims(token: &str) -> Value {
    let mut claims = claims_of(token);
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now);
    claims["nbf"] = json!(now);
    claims["exp"] = json!(now + 600);
    claims["jti"] = json!(uuid::Uuid::new_v4().to_string());
    claims
}

/// Sign `claims` with the server's secret and `alg`.
fn sign(alg: Algorithm, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("signs")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("serialises"))
}

const FAILED_LOGINS: &str = "query($f: AuditEventFilterInput) { auditEvents(first: 50, filter: $f) { \
                             totalCount nodes { action targetType } } }";

#[tokio::test]
async fn login_returns_an_access_token_a_refresh_token_and_their_lifetime() {
    let app = spawn_app().await;
    let r = login(&app, "admin", ADMIN_PASSWORD).await;
    let data = &r.ok()["login"];
    assert_eq!(r.status, 200);
    assert_eq!(data["tokenType"], "Bearer");
    assert_eq!(data["expiresIn"], 15 * 60, "the default access token lifetime");
    let access = s(data, "accessToken");
    assert_eq!(
        access.split('.').count(),
        3,
        "the access token is a JWT: {access}"
    );
    assert!(!s(data, "refreshToken").is_empty());
    assert_ne!(s(data, "refreshToken"), access);

    let m = me(&app, access).await;
    assert_eq!(m.status, 200);
    assert_eq!(m.ok()["me"]["roles"], json!(["PLATFORM_ADMIN"]));
    assert_eq!(m.ok()["me"]["user"]["id"], data["user"]["id"]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_get_the_same_unauthenticated_answer() {
    let app = spawn_app().await;
    let wrong_password = login(&app, "admin", "not the admin password").await;
    let unknown_user = login(&app, "nobody.at.all", ADMIN_PASSWORD).await;

    wrong_password.expect_code("UNAUTHENTICATED");
    unknown_user.expect_code("UNAUTHENTICATED");
    let message = wrong_password.body["errors"][0]["message"].as_str();
    assert!(message.is_some_and(|m| !m.is_empty()));
    assert_eq!(message, unknown_user.body["errors"][0]["message"].as_str());
    assert_eq!(wrong_password.status, unknown_user.status);
}

#[tokio::test]
async fn a_token_forged_with_the_server_secret_and_valid_claims_is_accepted() {
    // The control for the forgeries below: the crafted tokens differ from this one in
    // one respect only.
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let forged = sign(Algorithm::HS256, &fresh_claims(&real));
    let r = me(&app, &forged).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.ok()["me"]["roles"], json!(["PLATFORM_ADMIN"]));
}

#[tokio::test]
async fn an_expired_access_token_is_refused_with_401() {
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let real_claims = claims_of(&real);
    let now = chrono::Utc::now().timestamp();
    let expired = json!({
        "iss": "hamkor",
        "aud": "hamkor-api",
        "sub": real_claims["sub"],
        "sid": real_claims["sid"],
        "iat": now - 7200,
        "nbf": now - 7200,
        "exp": now - 3600,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    assert!(real_claims["sub"].is_string() && real_claims["sid"].is_number());

    let r = me(&app, &sign(Algorithm::HS256, &expired)).await;
    assert_eq!(r.status, 401, "{}", r.body);
    r.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_token_whose_payload_was_tampered_with_is_refused_with_401() {
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let parts: Vec<&str> = real.split('.').collect();
    let mut claims = claims_of(&real);
    claims["exp"] = json!(claims["exp"].as_i64().expect("exp") + 365 * 24 * 3600);
    let tampered = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);

    let r = me(&app, &tampered).await;
    assert_eq!(r.status, 401, "{}", r.body);
    r.expect_code("UNAUTHENTICATED");
    assert_eq!(
        me(&app, &real).await.status,
        200,
        "the untouched token still works"
    );
}

#[tokio::test]
async fn a_token_signed_with_hs512_is_refused_with_401() {
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let token = sign(Algorithm::HS512, &fresh_claims(&real));
    let r = me(&app, &token).await;
    assert_eq!(r.status, 401, "{}", r.body);
    r.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn an_unsigned_token_with_alg_none_is_refused_with_401() {
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let header = json!({"alg": "none", "typ": "JWT"});
    let token = format!("{}.{}.", b64(&header), b64(&fresh_claims(&real)));
    let r = me(&app, &token).await;
    assert_eq!(r.status, 401, "{}", r.body);
    r.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused_with_401() {
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let mut claims = fresh_claims(&real);
    claims["iss"] = json!("someone-else");
    let r = me(&app, &sign(Algorithm::HS256, &claims)).await;
    assert_eq!(r.status, 401, "{}", r.body);
    r.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused_with_401() {
    let app = spawn_app().await;
    let real = app.admin_token().await;
    let mut claims = fresh_claims(&real);
    claims["aud"] = json!("another-api");
    let r = me(&app, &sign(Algorithm::HS256, &claims)).await;
    assert_eq!(r.status, 401, "{}", r.body);
    r.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_malformed_authorization_header_is_refused_with_401_and_a_challenge() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", "Basic abc")
        .json(&json!({"query": ME}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 401);
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(
        challenge.as_deref().is_some_and(|c| c.starts_with("Bearer")),
        "WWW-Authenticate: {challenge:?}"
    );
    let body: Value = resp.json().await.expect("json body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test]
async fn refresh_token_returns_new_tokens_that_work() {
    let app = spawn_app().await;
    let (access, refresh_token) = tokens(&app, "admin", ADMIN_PASSWORD).await;

    let r = refresh(&app, &refresh_token).await;
    let data = &r.ok()["refreshToken"];
    let new_access = s(data, "accessToken");
    let new_refresh = s(data, "refreshToken");
    assert_ne!(new_access, access);
    assert_ne!(new_refresh, refresh_token);
    assert_eq!(data["expiresIn"], 15 * 60);
    assert_eq!(
        me(&app, new_access).await.ok()["me"]["roles"],
        json!(["PLATFORM_ADMIN"])
    );
    // The new refresh token works in its turn.
    refresh(&app, new_refresh).await.ok();
}

#[tokio::test]
async fn reusing_a_refresh_token_fails_and_ends_its_session() {
    let app = spawn_app().await;
    let (_, first_refresh) = tokens(&app, "admin", ADMIN_PASSWORD).await;
    let r = refresh(&app, &first_refresh).await;
    let newest_access = s(r.ok(), "refreshToken.accessToken").to_owned();
    let newest_refresh = s(r.ok(), "refreshToken.refreshToken").to_owned();
    assert_eq!(me(&app, &newest_access).await.status, 200);

    refresh(&app, &first_refresh).await.expect_code("UNAUTHENTICATED");

    let after = me(&app, &newest_access).await;
    assert_eq!(after.status, 401, "the session should have ended: {}", after.body);
    refresh(&app, &newest_refresh)
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_stops_the_access_token_at_once() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    assert_eq!(me(&app, &token).await.status, 200);

    let r = app.gql(Some(&token), "mutation { logout }", json!({})).await;
    assert_eq!(r.ok()["logout"], true);

    let after = me(&app, &token).await;
    assert_eq!(after.status, 401, "{}", after.body);
    after.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_makes_the_refresh_token_unusable() {
    let app = spawn_app().await;
    let (access, refresh_token) = tokens(&app, "admin", ADMIN_PASSWORD).await;
    app.gql(Some(&access), "mutation { logout }", json!({}))
        .await
        .ok();

    let r = refresh(&app, &refresh_token).await;
    r.expect_code("UNAUTHENTICATED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn logout_with_all_sessions_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let (first, _) = tokens(&app, "admin", ADMIN_PASSWORD).await;
    let (second, second_refresh) = tokens(&app, "admin", ADMIN_PASSWORD).await;
    let (third, _) = tokens(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(me(&app, &second).await.status, 200);

    let r = app
        .gql(Some(&first), "mutation { logout(allSessions: true) }", json!({}))
        .await;
    assert_eq!(r.ok()["logout"], true);

    for (name, token) in [("first", &first), ("second", &second), ("third", &third)] {
        assert_eq!(
            me(&app, token).await.status,
            401,
            "the {name} session is still alive"
        );
    }
    refresh(&app, &second_refresh)
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn change_password_refuses_a_wrong_current_password() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let r = app
        .gql(
            Some(&token),
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }",
            json!({"c": "not my password at all", "n": "a brand new password"}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("currentPassword"));
    // Nothing changed: the old password still signs in, the proposed one does not.
    login(&app, "admin", ADMIN_PASSWORD).await.ok();
    login(&app, "admin", "a brand new password")
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn after_change_password_the_new_password_signs_in_and_the_old_one_does_not() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let r = app
        .gql(
            Some(&token),
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }",
            json!({"c": ADMIN_PASSWORD, "n": "a brand new password"}),
        )
        .await;
    assert_eq!(r.ok()["changePassword"], true);

    let fresh = login(&app, "admin", "a brand new password").await;
    assert!(!s(fresh.ok(), "login.accessToken").is_empty());
    login(&app, "admin", ADMIN_PASSWORD)
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_deactivated_users_access_token_stops_working() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(me(&app, &w.officer).await.status, 200);

    let r = app
        .gql(
            Some(&w.admin),
            "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id active } }",
            json!({"id": w.officer_id}),
        )
        .await;
    assert_eq!(r.ok()["updateUser"]["active"], false);

    let after = me(&app, &w.officer).await;
    assert_eq!(after.status, 401, "{}", after.body);
    after.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_deactivated_user_cannot_log_in() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.admin),
        "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }",
        json!({"id": w.officer_id}),
    )
    .await
    .ok();

    let r = login(&app, "officer", PASSWORD).await;
    r.expect_code("UNAUTHENTICATED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

/// Create a PARTNER_STAFF service account of the employment centre: (clientId, clientSecret).
async fn partner_service_account(app: &TestApp) -> (String, String) {
    let w = world(app).await;
    let r = app
        .gql(
            Some(&w.admin),
            "mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { \
             clientId clientSecret user { id kind } } }",
            json!({"i": {"organisationId": w.employment, "name": "Referral system", "roles": ["PARTNER_STAFF"]}}),
        )
        .await;
    let data = &r.ok()["createServiceAccount"];
    assert_eq!(data["user"]["kind"], "SERVICE_ACCOUNT");
    (s(data, "clientId").to_owned(), s(data, "clientSecret").to_owned())
}

#[tokio::test]
async fn a_service_account_exchanges_its_credentials_for_a_partner_staff_token() {
    let app = spawn_app().await;
    let (client_id, secret) = partner_service_account(&app).await;
    assert!(!client_id.is_empty() && !secret.is_empty());
    assert_ne!(client_id, secret);

    let r = app
        .gql(None, SERVICE_TOKEN, json!({"c": client_id, "s": secret}))
        .await;
    let token = s(r.ok(), "serviceAccountToken.accessToken");
    assert_eq!(r.ok()["serviceAccountToken"]["tokenType"], "Bearer");
    let m = me(&app, token).await;
    assert_eq!(m.ok()["me"]["roles"], json!(["PARTNER_STAFF"]));
}

#[tokio::test]
async fn a_service_account_token_comes_without_a_refresh_token() {
    let app = spawn_app().await;
    let (client_id, secret) = partner_service_account(&app).await;
    let r = app
        .gql(None, SERVICE_TOKEN, json!({"c": client_id, "s": secret}))
        .await;
    let data = &r.ok()["serviceAccountToken"];
    assert!(data["accessToken"].is_string());
    assert!(data["refreshToken"].is_null(), "{data}");
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_as_unauthenticated() {
    let app = spawn_app().await;
    let (client_id, secret) = partner_service_account(&app).await;
    let r = app
        .gql(
            None,
            SERVICE_TOKEN,
            json!({"c": client_id, "s": format!("{secret}x")}),
        )
        .await;
    r.expect_code("UNAUTHENTICATED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn a_service_account_cannot_log_in_with_its_client_id() {
    let app = spawn_app().await;
    let (client_id, secret) = partner_service_account(&app).await;
    let r = login(&app, &client_id, &secret).await;
    r.expect_code("UNAUTHENTICATED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn every_failed_login_is_written_to_the_audit_log() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let filter = json!({"f": {"action": "auth.login_failed"}});
    let before = app.gql(Some(&w.auditor), FAILED_LOGINS, filter.clone()).await;
    assert_eq!(before.ok()["auditEvents"]["totalCount"], 0);

    login(&app, "officer", "a wrong password")
        .await
        .expect_code("UNAUTHENTICATED");
    login(&app, "no.such.user", PASSWORD)
        .await
        .expect_code("UNAUTHENTICATED");
    login(&app, "admin", "another wrong one")
        .await
        .expect_code("UNAUTHENTICATED");

    let after = app.gql(Some(&w.auditor), FAILED_LOGINS, filter).await;
    let events = &after.ok()["auditEvents"];
    assert_eq!(events["totalCount"], 3, "{events}");
    let nodes = events["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 3);
    assert!(nodes.iter().all(|n| n["action"] == "auth.login_failed"));
    // The two failures of real accounts name the account; the unknown name cannot.
    let targeted = nodes.iter().filter(|n| n["targetType"] == "User").count();
    assert_eq!(targeted, 2, "{events}");
}
