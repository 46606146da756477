//! Analytics: figures by territory, limited to the caller's territory, and the CSV
//! export with exactly the same figures.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::alerts::{evaluate, miss};
use crate::helpers::{TestApp, spawn_app};
use crate::risk::assess;
use crate::world::world;

const ANALYTICS: &str = "query($i: AnalyticsInput!) { analytics(input: $i) {
    rows { territoryId name casesPending casesActive casesSuspended casesCompleted casesRevoked
      activeLow activeMedium activeHigh activeVeryHigh activeUnassessed
      appointmentsAttended appointmentsMissed appointmentsExcused violations
      alertsRaised alertsAcknowledged meanMinutesToAcknowledge
      referralsMade referralsCompleted referralsDeclined referralsCancelled
      employmentReferrals employmentCompleted educationReferrals educationCompleted
      psychSupportReferrals psychSupportCompleted }
    total { casesActive alertsRaised appointmentsMissed } } }";

fn period() -> (String, String) {
    (
        (Utc::now() - Duration::days(60)).date_naive().to_string(),
        Utc::now().date_naive().to_string(),
    )
}

async fn analytics(app: &TestApp, token: &str, level: &str) -> Value {
    let (from, to) = period();
    let r = app
        .gql(
            Some(token),
            ANALYTICS,
            json!({"i": {"level": level, "from": from, "to": to}}),
        )
        .await;
    r.ok()["analytics"].clone()
}

async fn csv(app: &TestApp, token: Option<&str>, query: &str) -> (u16, String) {
    let mut req = app.client.get(app.url(&format!("/analytics.csv?{query}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    (resp.status().as_u16(), resp.text().await.expect("body"))
}

#[tokio::test]
async fn figures_count_the_callers_cases_by_territory() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assess(&app, &w.officer, &w.case, [3; 8]).await;
    miss(&app, &w.officer, &w.case, 3).await;
    let a = analytics(&app, &w.officer, "MAHALLA").await;
    let rows = a["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "Registon");
    assert_eq!(rows[0]["casesActive"], 1);
    assert_eq!(rows[0]["activeVeryHigh"], 1);
    assert_eq!(rows[0]["appointmentsMissed"], 1);
}

#[tokio::test]
async fn another_districts_officer_sees_none_of_these_figures() {
    let app = spawn_app().await;
    let w = world(&app).await;
    miss(&app, &w.officer, &w.case, 3).await;
    let a = analytics(&app, &w.officer_other, "REGION").await;
    assert_eq!(a["rows"], json!([]));
    assert_eq!(a["total"]["casesActive"], 0);
}

#[tokio::test]
async fn a_mahalla_member_gets_no_figures() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let a = analytics(&app, &w.member_a, "MAHALLA").await;
    assert_eq!(a["rows"], json!([]));
}

#[tokio::test]
async fn a_period_ending_before_it_starts_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            ANALYTICS,
            json!({"i": {"level": "REGION", "from": "2026-05-01", "to": "2026-04-01"}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.to"));
}

#[tokio::test]
async fn the_csv_export_has_exactly_the_graphql_figures() {
    let app = spawn_app().await;
    let w = world(&app).await;
    miss(&app, &w.officer, &w.case, 12).await;
    miss(&app, &w.officer, &w.case, 2).await;
    evaluate(&app).await;
    let a = analytics(&app, &w.officer, "DISTRICT").await;
    let (from, to) = period();
    let (status, body) = csv(
        &app,
        Some(&w.officer),
        &format!("level=DISTRICT&from={from}&to={to}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let lines: Vec<&str> = body.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let rows = a["rows"].as_array().expect("rows");
    assert_eq!(lines.len(), rows.len() + 2, "header, one line per row, total");
    for (line, row) in lines[1..].iter().zip(rows) {
        let cells: Vec<&str> = line.split(',').collect();
        for (name, cell) in header.iter().zip(&cells) {
            let field = match *name {
                "level" => {
                    assert_eq!(*cell, "DISTRICT");
                    continue;
                }
                "territory_id" => "territoryId".to_owned(),
                other => camel(other),
            };
            let expected = match &row[&field] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                v => v.to_string(),
            };
            assert_eq!(*cell, expected, "column {name}");
        }
    }
    assert!(lines.last().is_some_and(|l| l.starts_with("TOTAL,")));
    assert_eq!(rows[0]["alertsRaised"], 1);
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for ch in snake.chars() {
        if ch == '_' {
            up = true;
        } else if up {
            out.push(ch.to_ascii_uppercase());
            up = false;
        } else {
            out.push(ch);
        }
    }
    out
}

#[tokio::test]
async fn the_csv_export_needs_a_token() {
    let app = spawn_app().await;
    let (status, body) = csv(&app, None, "level=REGION&from=2026-01-01&to=2026-02-01").await;
    assert_eq!(status, 401);
    assert!(body.contains("UNAUTHENTICATED"));
}

#[tokio::test]
async fn acknowledged_alerts_give_a_mean_time_to_acknowledge() {
    let app = spawn_app().await;
    let w = world(&app).await;
    miss(&app, &w.officer, &w.case, 12).await;
    miss(&app, &w.officer, &w.case, 2).await;
    evaluate(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "{ alerts { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = r.ok()["alerts"]["edges"][0]["node"]["id"].clone();
    app.gql(
        Some(&w.officer),
        "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }",
        json!({"id": id}),
    )
    .await
    .ok();
    let a = analytics(&app, &w.officer, "DISTRICT").await;
    let row = &a["rows"][0];
    assert_eq!(row["alertsAcknowledged"], 1);
    let minutes = row["meanMinutesToAcknowledge"].as_f64().expect("a mean");
    assert!((0.0..5.0).contains(&minutes), "{minutes}");
}
