//! Early warnings: each rule fires once and only when it should; alerts reach the
//! officer and the inspector; they are acknowledged and resolved with a note.

use std::time::Duration;

use chrono::{Duration as Days, SecondsFormat, Utc};
use hamkor_api::alert::engine::{evaluate_pending, sweep};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::events::WsClient;
use crate::helpers::{TestApp, spawn_app};
use crate::risk::assess;
use crate::world::world;

const CHECK_IN: &str = "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }";
pub(crate) const ALERTS: &str = "{ alerts(first: 20) { totalCount edges { node {
    id rule severity status reason actingRole assignee { username }
    suggestion { need goalDomain referralKind } } } } }";

fn days_ago(n: i64) -> String {
    (Utc::now() - Days::days(n)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Record a missed check-in `n` days ago.
pub(crate) async fn miss(app: &TestApp, token: &str, case: &str, n: i64) {
    app.gql(
        Some(token),
        CHECK_IN,
        json!({"i": {"caseId": case, "kind": "OFFICE_REPORT", "at": days_ago(n), "outcome": "MISSED"}}),
    )
    .await
    .ok();
}

/// Run the rules over every committed event (the worker may have run them already).
pub(crate) async fn evaluate(app: &TestApp) {
    evaluate_pending(app.db(), &app.state.modules)
        .await
        .expect("rules evaluated");
}

async fn alerts(app: &TestApp, token: &str) -> Value {
    app.gql(Some(token), ALERTS, json!({})).await.ok()["alerts"].clone()
}

async fn violation(app: &TestApp, token: &str, case: &str, kind: &str, severity: &str) {
    app.gql(
        Some(token),
        "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { id } }",
        json!({"i": {"caseId": case, "kind": kind, "severity": severity, "occurredAt": days_ago(1), "description": "reported by the neighbours"}}),
    )
    .await
    .ok();
}

/// The next `alert.raised` on a case subscription, skipping other events.
async fn next_alert(c: &mut WsClient) -> Option<Value> {
    for _ in 0..20 {
        let data = c.next_data("c", Duration::from_secs(2)).await?;
        if data["caseEvents"]["type"] == "alert.raised" {
            return Some(data);
        }
    }
    None
}

const CASE_EVENTS: &str = "subscription($c: ID!) { caseEvents(caseId: $c) { type payload } }";

#[tokio::test]
async fn two_missed_appointments_within_30_days_raise_one_alert_seen_by_officer_and_inspector() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut officer = WsClient::authenticated(&app, &w.officer).await;
    officer.subscribe("c", CASE_EVENTS, json!({"c": w.case})).await;
    let mut inspector = WsClient::authenticated(&app, &w.inspector).await;
    inspector.subscribe("c", CASE_EVENTS, json!({"c": w.case})).await;
    // Subscriptions start asynchronously: wait until both streams carry an event.
    let mut live = false;
    for _ in 0..20 {
        app.gql(
            Some(&w.officer),
            "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "visibility": "AGENCIES", "body": "warm-up"}}),
        )
        .await
        .ok();
        if officer.next_data("c", Duration::from_millis(500)).await.is_some()
            && inspector
                .next_data("c", Duration::from_millis(500))
                .await
                .is_some()
        {
            live = true;
            break;
        }
    }
    assert!(live, "the subscriptions never went live");

    miss(&app, &w.inspector, &w.case, 20).await;
    miss(&app, &w.inspector, &w.case, 5).await;
    evaluate(&app).await;

    for token in [&w.officer, &w.inspector] {
        let list = alerts(&app, token).await;
        assert_eq!(list["totalCount"], 1, "{list}");
        let a = &list["edges"][0]["node"];
        assert_eq!(
            (a["rule"].as_str(), a["severity"].as_str()),
            (Some("missed_appointments"), Some("HIGH"))
        );
        assert_eq!(a["actingRole"], "PROBATION_OFFICER");
    }
    for c in [&mut officer, &mut inspector] {
        let e = next_alert(c).await.expect("alert.raised delivered live");
        assert_eq!(e["caseEvents"]["payload"]["rule"], "missed_appointments");
    }
    let r = app
        .gql(
            Some(&w.officer),
            "query($f: NaiveDate!, $t: NaiveDate!) { analytics(input: {level: DISTRICT, from: $f, to: $t}) {
                rows { name alertsRaised appointmentsMissed } } }",
            json!({"f": (Utc::now() - Days::days(40)).date_naive(), "t": Utc::now().date_naive()}),
        )
        .await;
    let row = &r.ok()["analytics"]["rows"][0];
    assert_eq!(
        (row["alertsRaised"].as_i64(), row["appointmentsMissed"].as_i64()),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn a_single_missed_appointment_raises_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    miss(&app, &w.officer, &w.case, 3).await;
    evaluate(&app).await;
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 0);
}

#[tokio::test]
async fn misses_further_apart_than_the_window_raise_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    miss(&app, &w.officer, &w.case, 45).await;
    miss(&app, &w.officer, &w.case, 2).await;
    evaluate(&app).await;
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 0);
}

#[tokio::test]
async fn a_third_miss_in_the_same_window_raises_no_second_alert() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for n in [25, 15, 5] {
        miss(&app, &w.officer, &w.case, n).await;
        evaluate(&app).await;
    }
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 1);
}

#[tokio::test]
async fn evaluating_the_same_events_again_raises_nothing_more() {
    let app = spawn_app().await;
    let w = world(&app).await;
    miss(&app, &w.officer, &w.case, 10).await;
    miss(&app, &w.officer, &w.case, 1).await;
    evaluate(&app).await;
    // Delivery is at-least-once: replay the whole outbox.
    let db = app.db();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE event_consumers SET position = 0",
    ))
    .await
    .expect("rewind");
    assert_eq!(evaluate_pending(db, &app.state.modules).await.expect("replay"), 0);
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 1);
}

#[tokio::test]
async fn an_organisation_threshold_of_three_holds_the_alert_back_at_two_misses() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.org_admin),
            "mutation { configureAlertRule(input: {rule: \"missed_appointments\", enabled: true, threshold: 3}) {
                rule threshold windowDays customised } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["configureAlertRule"]["threshold"], 3);
    assert_eq!(r.ok()["configureAlertRule"]["windowDays"], 30);
    miss(&app, &w.officer, &w.case, 10).await;
    miss(&app, &w.officer, &w.case, 5).await;
    evaluate(&app).await;
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 0);
    miss(&app, &w.officer, &w.case, 1).await;
    evaluate(&app).await;
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 1);
}

#[tokio::test]
async fn only_an_admin_of_the_organisation_configures_its_rules() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.officer),
        "mutation { configureAlertRule(input: {rule: \"violation\", enabled: false}) { rule } }",
        json!({}),
    )
    .await
    .expect_code("FORBIDDEN");
    let r = app
        .gql(
            Some(&w.org_admin),
            "mutation { configureAlertRule(input: {rule: \"no_such_rule\", enabled: false}) { rule } }",
            json!({}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.rule"));
}

#[tokio::test]
async fn a_disabled_rule_does_not_fire() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.org_admin),
        "mutation { configureAlertRule(input: {rule: \"violation\", enabled: false}) { enabled } }",
        json!({}),
    )
    .await
    .ok();
    violation(&app, &w.inspector, &w.case, "LEFT_AREA", "SERIOUS").await;
    evaluate(&app).await;
    assert_eq!(alerts(&app, &w.officer).await["totalCount"], 0);
}

#[tokio::test]
async fn a_serious_violation_raises_a_critical_alert_for_the_officer() {
    let app = spawn_app().await;
    let w = world(&app).await;
    violation(&app, &w.inspector, &w.case, "LEFT_AREA", "SERIOUS").await;
    evaluate(&app).await;
    let a = &alerts(&app, &w.officer).await["edges"][0]["node"];
    assert_eq!(
        (a["rule"].as_str(), a["severity"].as_str()),
        (Some("violation"), Some("CRITICAL"))
    );
    assert_eq!(a["actingRole"], "PROBATION_OFFICER");
}

#[tokio::test]
async fn a_curfew_breach_calls_on_the_inspector() {
    let app = spawn_app().await;
    let w = world(&app).await;
    violation(&app, &w.officer, &w.case, "CURFEW_BREACH", "MINOR").await;
    evaluate(&app).await;
    let list = alerts(&app, &w.inspector).await;
    assert_eq!(list["totalCount"], 1);
    let a = &list["edges"][0]["node"];
    assert_eq!(a["rule"], "curfew_breach");
    assert_eq!(a["actingRole"], "PREVENTION_INSPECTOR");
    assert_eq!(a["assignee"]["username"], "inspector");
}

#[tokio::test]
async fn an_alert_is_acknowledged_then_resolved_with_a_note() {
    let app = spawn_app().await;
    let w = world(&app).await;
    violation(&app, &w.inspector, &w.case, "OTHER", "MINOR").await;
    evaluate(&app).await;
    let list = alerts(&app, &w.officer).await;
    let id = list["edges"][0]["node"]["id"].clone();
    let r = app
        .gql(
            Some(&w.inspector),
            "mutation($id: ID!) { acknowledgeAlert(id: $id) { status acknowledgedBy { username } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.ok()["acknowledgeAlert"]["status"], "ACKNOWLEDGED");
    let resolve =
        "mutation($id: ID!, $n: String!) { resolveAlert(id: $id, note: $n) { status resolutionNote } }";
    let r = app
        .gql(Some(&w.officer), resolve, json!({"id": id, "n": ""}))
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("note"));
    let r = app
        .gql(
            Some(&w.officer),
            resolve,
            json!({"id": id, "n": "warned at the office"}),
        )
        .await;
    assert_eq!(r.ok()["resolveAlert"]["status"], "RESOLVED");
    app.gql(Some(&w.officer), resolve, json!({"id": id, "n": "again"}))
        .await
        .expect_code("INVALID_TRANSITION");
}

#[tokio::test]
async fn a_mahalla_member_sees_neither_alerts_nor_their_events() {
    let app = spawn_app().await;
    let w = world(&app).await;
    violation(&app, &w.inspector, &w.case, "OTHER", "MINOR").await;
    evaluate(&app).await;
    assert_eq!(alerts(&app, &w.member_a).await["totalCount"], 0);
    let r = app
        .gql(
            Some(&w.member_a),
            "{ events(first: 50, filter: {types: [\"alert.raised\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["events"]["totalCount"], 0);
    let r = app
        .gql(
            Some(&w.officer),
            "{ events(first: 50, filter: {types: [\"alert.raised\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["events"]["totalCount"], 1);
}

#[tokio::test]
async fn an_overdue_reassessment_is_swept_into_one_alert() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assess(&app, &w.officer, &w.case, [3; 8]).await; // VERY_HIGH: due in 30 days
    evaluate(&app).await;
    assert_eq!(
        sweep(app.db(), Utc::now() + Days::days(29)).await.expect("sweep"),
        0
    );
    assert_eq!(
        sweep(app.db(), Utc::now() + Days::days(31)).await.expect("sweep"),
        1
    );
    assert_eq!(
        sweep(app.db(), Utc::now() + Days::days(32)).await.expect("sweep"),
        0
    );
    let list = app
        .gql(
            Some(&w.officer),
            "{ alerts(filter: {rules: [\"reassessment_overdue\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list.ok()["alerts"]["totalCount"], 1);
}

#[tokio::test]
async fn a_high_need_without_a_plan_goal_suggests_one() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assess(&app, &w.officer, &w.case, [3, 0, 0, 0, 0, 0, 0, 0]).await;
    evaluate(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "{ alerts(filter: {rules: [\"plan_gap\"]}) { totalCount edges { node { suggestion { need goalDomain } } } } }",
            json!({}),
        )
        .await;
    let list = &r.ok()["alerts"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(
        list["edges"][0]["node"]["suggestion"],
        json!({"need": "EMPLOYMENT", "goalDomain": "EMPLOYMENT"})
    );
}
