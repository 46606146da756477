//! Failed sign-ins are throttled without letting anyone lock an account out: backoff per
//! account and address, a limit per address, and a per-account limit that slows strangers
//! but never the account's usual address.

use std::time::Duration;

use hamkor_api::config::Settings;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, Resp, TestApp, spawn_app_with};

const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }";

/// Sign in from `address` (the server trusts `X-Forwarded-For` in these tests); the
/// answer and its `Retry-After` header.
async fn login_from(app: &TestApp, address: &str, username: &str, password: &str) -> (Resp, Option<u64>) {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", address)
        .json(&json!({"query": LOGIN, "variables": {"u": username, "p": password}}))
        .send()
        .await
        .expect("request");
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("json");
    (Resp { status, body }, retry_after)
}

fn retry_after(r: &Resp) -> u64 {
    r.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap_or_else(|| panic!("no retryAfter: {}", r.body))
}

fn settings(s: &mut Settings) {
    s.trust_forwarded_for = true;
    s.login_free_failures = 2;
    s.login_backoff_base_secs = 1;
    s.login_max_failures_per_account = 4;
    s.login_account_interval_secs = 1;
    s.login_max_failures_per_address = 1000;
}

#[tokio::test]
async fn one_address_guessing_one_account_waits_longer_after_each_failure() {
    let app = spawn_app_with(settings).await;
    let wrong = |app| login_from(app, "203.0.113.9", "admin", "a wrong password");
    for _ in 0..2 {
        wrong(&app).await.0.expect_code("UNAUTHENTICATED");
    }
    // The third attempt comes too soon, even with the right password, and says when to retry.
    let (r, header) = login_from(&app, "203.0.113.9", "admin", ADMIN_PASSWORD).await;
    r.expect_code("RATE_LIMITED");
    assert_eq!(retry_after(&r), 1);
    assert_eq!(header, Some(1), "the Retry-After header says the same");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    wrong(&app).await.0.expect_code("UNAUTHENTICATED");
    let (r, _) = wrong(&app).await;
    r.expect_code("RATE_LIMITED");
    assert_eq!(retry_after(&r), 2, "the wait doubles");

    // Waiting it out, the right password gets in.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (r, _) = login_from(&app, "203.0.113.9", "admin", ADMIN_PASSWORD).await;
    r.ok();
}

#[tokio::test]
async fn the_owner_at_their_usual_address_gets_in_while_a_stranger_hammers_the_account() {
    let app = spawn_app_with(|s| {
        settings(s);
        // Long enough that the stranger stays slowed for the whole test.
        s.login_account_interval_secs = 600;
    })
    .await;
    let usual = "198.51.100.7";
    login_from(&app, usual, "admin", ADMIN_PASSWORD).await.0.ok();

    // Someone else hammers the account from two other addresses.
    let mut limited = 0;
    for n in 0..20 {
        let attacker = if n % 2 == 0 { "203.0.113.1" } else { "203.0.113.2" };
        let (r, _) = login_from(&app, attacker, "admin", &format!("guess {n}")).await;
        if r.code() == Some("RATE_LIMITED") {
            limited += 1;
        } else {
            r.expect_code("UNAUTHENTICATED");
        }
    }
    assert!(
        limited >= 14,
        "the attack was slowed: {limited} of 20 refused unchecked"
    );

    // A third stranger's address is slowed too, even with the right password…
    let (r, _) = login_from(&app, "192.0.2.50", "admin", ADMIN_PASSWORD).await;
    r.expect_code("RATE_LIMITED");
    // …but the owner, at the address they sign in from, is not.
    login_from(&app, usual, "admin", ADMIN_PASSWORD).await.0.ok();
}

#[tokio::test]
async fn strangers_are_slowed_not_locked_out() {
    let app = spawn_app_with(settings).await;
    for n in 0..4 {
        login_from(&app, &format!("203.0.113.{n}"), "admin", "a wrong password")
            .await
            .0
            .expect_code("UNAUTHENTICATED");
    }
    let (r, _) = login_from(&app, "192.0.2.50", "admin", ADMIN_PASSWORD).await;
    r.expect_code("RATE_LIMITED");
    assert_eq!(retry_after(&r), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    login_from(&app, "192.0.2.50", "admin", ADMIN_PASSWORD)
        .await
        .0
        .ok();
}

#[tokio::test]
async fn one_address_failing_for_many_accounts_is_refused_for_any_account() {
    let app = spawn_app_with(|s| {
        settings(s);
        s.login_max_failures_per_address = 4;
    })
    .await;
    for name in ["alice", "bobur", "dilnoza", "admin"] {
        login_from(&app, "203.0.113.5", name, "a wrong password")
            .await
            .0
            .expect_code("UNAUTHENTICATED");
    }
    let (r, header) = login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await;
    r.expect_code("RATE_LIMITED");
    assert!(retry_after(&r) > 60, "{}", r.body);
    assert_eq!(header, Some(retry_after(&r)));
    login_from(&app, "203.0.113.5", "someone.new", "whatever password")
        .await
        .0
        .expect_code("RATE_LIMITED");
    // Another address is not affected.
    login_from(&app, "198.51.100.7", "admin", ADMIN_PASSWORD)
        .await
        .0
        .ok();
}

#[tokio::test]
async fn addresses_unused_for_the_usual_period_are_forgotten_at_the_next_sign_in() {
    use hamkor_api::auth::service::USUAL_ADDRESS_DAYS;
    use sea_orm::{ConnectionTrait, Statement};

    let app = spawn_app_with(settings).await;
    login_from(&app, "198.51.100.7", "admin", ADMIN_PASSWORD)
        .await
        .0
        .ok();
    login_from(&app, "198.51.100.8", "admin", ADMIN_PASSWORD)
        .await
        .0
        .ok();
    // The first address was last used longer ago than an address stays usual.
    let db = app.db();
    let stale = chrono::Utc::now() - chrono::Duration::days(USUAL_ADDRESS_DAYS + 1);
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE login_addresses SET last_success_at = $1 WHERE address = $2",
        _ => "UPDATE login_addresses SET last_success_at = ? WHERE address = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [stale.into(), "198.51.100.7".into()],
    ))
    .await
    .expect("age the address");
    login_from(&app, "198.51.100.8", "admin", ADMIN_PASSWORD)
        .await
        .0
        .ok();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT address FROM login_addresses ORDER BY address",
        ))
        .await
        .expect("addresses");
    let kept: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index(0).expect("address"))
        .collect();
    assert_eq!(
        kept,
        ["198.51.100.8"],
        "the stale address is forgotten, the used one kept"
    );
}
