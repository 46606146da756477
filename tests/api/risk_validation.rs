//! The risk instrument's validation: on data drawn by the documented process it recovers
//! the process's AUC and level rates, flags exactly the group given a documented bias,
//! serves the same figures as CSV, and is refused to mahalla members and partners.

use chrono::{Duration, NaiveDate, Utc};
use hamkor_api::seed::national::{self, Generated, Scale};
use hamkor_api::seed::risk_process::{self, Bias, Draw, Process};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::world::world;

const VALIDATION: &str = "query($from: NaiveDate!, $to: NaiveDate!, $territory: ID) {
  riskValidation(from: $from, to: $to, territory: $territory) {
    instrument outcome { version windowDays violationKinds violationSeverities caseStatuses }
    minCellSize pendingCases
    whole { suppressed cases outcomes baseRate auc aucLow aucHigh falsePositiveRate falseNegativeRate
      levels { level suppressed cases outcomes observedRate expectedMin expectedMax withinBand } }
    groups { dimension key regionId name flagged flags calibrationDifference
      figures { suppressed cases auc } } } }";

/// Cases assessed in the labelled period: windows of 365 days all passed.
fn labelled_period() -> (NaiveDate, NaiveDate) {
    let today = Utc::now().date_naive();
    (today - Duration::days(740), today - Duration::days(367))
}

async fn seed(app: &TestApp, cases: usize, risk: Process) -> Generated {
    let scale = Scale {
        cases,
        mahallas_per_district: 1,
        appointments_per_case: 0,
        risk,
    };
    national::generate(&app.state, scale, |_| {}).await.expect("seed")
}

async fn validation(app: &TestApp, token: &str, from: NaiveDate, to: NaiveDate) -> Value {
    let r = app
        .gql(Some(token), VALIDATION, json!({"from": from, "to": to}))
        .await;
    r.ok()["riskValidation"].clone()
}

fn in_period(draws: &[Draw], from: NaiveDate, to: NaiveDate) -> Vec<&Draw> {
    draws
        .iter()
        .filter(|d| (from..=to).contains(&d.assessed_at.date_naive()))
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

fn flagged(v: &Value) -> Vec<(String, String)> {
    v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|g| g["flagged"] == true)
        .map(|g| {
            (
                g["dimension"].as_str().unwrap_or("").to_owned(),
                g["key"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn validation_recovers_the_generators_auc_and_level_rates_and_flags_no_one() {
    let app = spawn_app().await;
    let g = seed(&app, 12_000, Process::default()).await;
    let admin = app.admin_token().await;
    let (from, to) = labelled_period();
    let v = validation(&app, &admin, from, to).await;
    let truth = in_period(&g.risk, from, to);
    assert_eq!(v["outcome"]["version"], 1);
    assert_eq!(v["outcome"]["violationKinds"], json!(["NEW_OFFENCE"]));
    assert_eq!(v["pendingCases"], 0, "every window of the period has passed");
    assert_eq!(v["whole"]["cases"], truth.len());

    let true_auc = risk_process::true_auc(truth.iter().copied());
    let auc = f(&v["whole"]["auc"]);
    assert!(
        (auc - true_auc).abs() <= 0.03,
        "AUC {auc} against the true {true_auc}"
    );
    assert!(f(&v["whole"]["aucLow"]) < auc && auc < f(&v["whole"]["aucHigh"]));

    let rates = risk_process::true_level_rates(truth.iter().copied());
    for (level, expected) in v["whole"]["levels"].as_array().expect("levels").iter().zip(rates) {
        let (n, observed, expected) = (
            f(&level["cases"]),
            f(&level["observedRate"]),
            expected.expect("a rate"),
        );
        let tolerance = 3.0 * (expected * (1.0 - expected) / n).sqrt();
        assert!(
            (observed - expected).abs() <= tolerance,
            "{}: observed {observed}, true {expected} (±{tolerance})",
            level["level"]
        );
        assert_eq!(level["withinBand"], true, "{level}");
    }
    assert_eq!(flagged(&v), Vec::<(String, String)>::new());

    // The CSV export carries the same figures.
    let resp = app
        .client
        .get(app.url(&format!("/risk-validation.csv?from={from}&to={to}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200);
    let body = resp.text().await.expect("body");
    let lines: Vec<&str> = body.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let whole: Vec<&str> = lines[1].split(',').collect();
    let col = |name: &str| whole[header.iter().position(|h| *h == name).expect(name)];
    assert_eq!(col("row"), "WHOLE");
    assert_eq!(col("outcome_version"), "1");
    assert_eq!(col("cases"), v["whole"]["cases"].to_string());
    let csv_auc: f64 = col("auc").parse().expect("an AUC");
    assert!((csv_auc - auc).abs() < 1e-6);

    // Assessments whose window is still open are pending, not counted.
    let today = Utc::now().date_naive();
    let recent = validation(&app, &admin, today - Duration::days(200), today).await;
    assert!(recent["pendingCases"].as_i64().expect("pending") > 0);
    let labelled_recent = recent["whole"]["cases"].as_i64().unwrap_or(0);
    assert!(labelled_recent < in_period(&g.risk, today - Duration::days(200), today).len() as i64);
}

#[tokio::test]
async fn with_the_documented_bias_on_exactly_the_biased_region_is_flagged() {
    let app = spawn_app().await;
    hamkor_api::seed::territories::load(app.db())
        .await
        .expect("classifier");
    let biased = scalar(
        &app,
        "SELECT region_id FROM districts GROUP BY region_id ORDER BY COUNT(*) DESC, region_id LIMIT 1",
    )
    .await;
    let process = Process {
        bias: Some(Bias::region(biased)),
        ..Process::default()
    };
    seed(&app, 12_000, process).await;
    let admin = app.admin_token().await;
    let (from, to) = labelled_period();
    let v = validation(&app, &admin, from, to).await;
    assert_eq!(flagged(&v), vec![("REGION".to_owned(), biased.to_string())]);
    let group = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["flagged"] == true)
        .expect("the flagged group");
    assert!(
        group["flags"]
            .as_array()
            .expect("flags")
            .contains(&json!("CALIBRATION"))
    );
    assert!(f(&group["calibrationDifference"]) < -0.05);
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let db = app.db();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("an integer")
}

#[tokio::test]
async fn only_supervising_staff_and_platform_admins_read_the_validation_and_each_read_is_audited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let today = Utc::now().date_naive();
    let vars = json!({"from": today - Duration::days(30), "to": today});
    for token in [&w.officer, &w.inspector, &w.admin] {
        let r = app.gql(Some(token), VALIDATION, vars.clone()).await;
        let v = &r.ok()["riskValidation"];
        assert_eq!(v["minCellSize"], 10);
        assert_eq!(v["whole"]["suppressed"], true, "too few cases to publish: {v}");
    }
    for token in [&w.member_a, &w.partner, &w.org_admin, &w.auditor] {
        app.gql(Some(token), VALIDATION, vars.clone())
            .await
            .expect_code("FORBIDDEN");
        app.gql(Some(token), "{ riskOutcomeDefinitions { version } }", json!({}))
            .await
            .expect_code("FORBIDDEN");
    }
    let reads = scalar(
        &app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'risk.validation.read'",
    )
    .await;
    assert_eq!(reads, 3);

    let csv = |token: String| {
        let app = &app;
        async move {
            let url = app.url(&format!(
                "/risk-validation.csv?from={}&to={today}",
                today - Duration::days(30)
            ));
            let resp = app
                .client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            (resp.status().as_u16(), resp.text().await.expect("body"))
        }
    };
    let (status, body) = csv(w.officer.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("instrument,outcome_version,"));
    for token in [&w.member_a, &w.partner] {
        let (status, body) = csv(token.clone()).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("FORBIDDEN"));
    }
}

#[tokio::test]
async fn a_territory_that_is_not_a_place_and_an_unknown_outcome_version_are_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            VALIDATION,
            json!({"from": "2026-01-01", "to": "2026-02-01", "territory": w.case}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("territory"));
    let r = app
        .gql(
            Some(&w.officer),
            "{ riskValidation(from: \"2026-01-01\", to: \"2026-02-01\", outcome: 99) { instrument } }",
            json!({}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("outcome"));
}
