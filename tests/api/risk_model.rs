//! The learned risk model: on data drawn by the documented process it recovers the
//! process's AUC on the newest cases and the signs of its effects; it serves only once
//! a platform admin has approved it; its attention score reaches the case's officer and
//! inspector only, each read audited; officers' disagreements are counted; and the drift
//! check flags a shifted population but not an unshifted one.

use chrono::{DateTime, Utc};
use hamkor_api::risk::model::entity::{ModelStatus, model};
use hamkor_api::risk::model::features::FeatureSet;
use hamkor_api::risk::model::{Bins, Spec, drift};
use hamkor_api::seed::national::{self, Scale};
use hamkor_api::seed::risk_process::{self, Process};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::risk::assess;
use crate::world::world;

const TRAIN: &str = "mutation { trainRiskModel { id version status fingerprint trainCases testCases
  features { key coefficient }
  report { testFrom testTo trainCases testCases
    test { cases auc aucLow aucHigh baseRate }
    deciles { decile cases meanPredicted observedRate }
    bands { band cases observedRate withinBand }
    groups { dimension key flags calibrationDifference } } } }";

const ATTENTION: &str = "query($id: ID!) { case(id: $id) { riskLevel attention { score band modelVersion
  reasons { feature label contribution } } } }";

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let db = app.db();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("an integer")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

fn thresholds() -> drift::Thresholds {
    drift::Thresholds {
        psi: 0.25,
        calibration: 0.10,
        min_cases: 100,
    }
}

#[tokio::test]
async fn a_trained_model_recovers_the_generators_auc_and_signs_and_drift_flags_only_a_shifted_population() {
    let app = spawn_app().await;
    let scale = Scale {
        cases: 16_000,
        mahallas_per_district: 1,
        appointments_per_case: 0,
        risk: Process::default(),
    };
    let g = national::generate(&app.state, scale, |_| {}).await.expect("seed");
    let admin = app.admin_token().await;
    let m = app.gql(Some(&admin), TRAIN, json!({})).await.ok()["trainRiskModel"].clone();
    assert_eq!(m["status"], "DRAFT");
    assert_eq!(m["fingerprint"].as_str().map(str::len), Some(64));
    let report = &m["report"];

    // The generator's AUC on the same (newest, labelled) cases.
    let test_from: DateTime<Utc> = serde_json::from_value(report["testFrom"].clone()).expect("a time");
    let test_to: DateTime<Utc> = serde_json::from_value(report["testTo"].clone()).expect("a time");
    let truth: Vec<_> = g
        .risk
        .iter()
        .filter(|d| d.assessed_at >= test_from && d.assessed_at <= test_to)
        .collect();
    let n_test = report["testCases"].as_u64().expect("test cases") as usize;
    assert!(n_test > 1_000, "{report}");
    assert_eq!(
        truth.len(),
        n_test,
        "the test cases are those assessed from testFrom on"
    );
    let true_auc = risk_process::true_probability_auc(truth.iter().copied());
    let auc = f(&report["test"]["auc"]);
    assert!(
        (auc - true_auc).abs() <= 0.03,
        "test AUC {auc} against the generator's {true_auc}"
    );
    assert!(f(&report["test"]["aucLow"]) < auc && auc < f(&report["test"]["aucHigh"]));
    assert_eq!(report["deciles"].as_array().map(Vec::len), Some(10));
    for d in report["deciles"].as_array().expect("deciles") {
        let (p, o, n) = (f(&d["meanPredicted"]), f(&d["observedRate"]), f(&d["cases"]));
        let tolerance = 0.03 + 3.0 * (p * (1.0 - p) / n).sqrt();
        assert!((p - o).abs() <= tolerance, "decile {d}");
    }

    // The signs of the generator's effects.
    let coef = |key: &str| {
        f(&m["features"]
            .as_array()
            .expect("features")
            .iter()
            .find(|x| x["key"] == key)
            .unwrap_or_else(|| panic!("{key}"))["coefficient"])
    };
    for key in [
        "first_offence_score",
        "prior_convictions",
        "offence_score",
        "need_employment",
        "need_education",
        "need_housing",
        "need_family_support",
        "need_peers",
        "need_substance_use",
        "need_attitudes",
        "need_mental_health",
    ] {
        assert!(coef(key) > 0.0, "{key}: {}", coef(key));
    }
    assert!(coef("age") < 0.0, "age: {}", coef("age"));

    // Drift: the approved model against the cases assessed since its data end.
    let id = m["id"].as_str().expect("id").to_owned();
    assert!(
        drift::run(app.db(), &app.state.modules, thresholds(), Utc::now())
            .await
            .expect("drift")
            .is_none(),
        "no approved model, nothing to check"
    );
    app.gql(
        Some(&admin),
        "mutation($id: ID!) { approveRiskModel(id: $id) { status } }",
        json!({"id": id}),
    )
    .await
    .ok();
    let calm = drift::run(app.db(), &app.state.modules, thresholds(), Utc::now())
        .await
        .expect("drift")
        .expect("a report");
    let calm_report = drift::report(&calm).expect("report");
    assert!(calm_report.cases >= 100, "{calm_report:?}");
    assert!(!calm.drifted, "{calm_report:?}");
    assert_eq!(calm.alert_status, None);

    // Shift the population assessed since: more priors, heavier substance use.
    {
        use hamkor_api::risk::entity as assessment;
        use sea_orm::sea_query::{Expr, ExprTrait};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        assessment::Entity::update_many()
            .col_expr(
                assessment::Column::PriorConvictions,
                Expr::col(assessment::Column::PriorConvictions).add(4),
            )
            .col_expr(assessment::Column::NeedSubstanceUse, Expr::value(3))
            .filter(assessment::Column::AssessedAt.gt(test_to))
            .exec(app.db())
            .await
            .expect("shifted");
    }
    let shifted = drift::run(app.db(), &app.state.modules, thresholds(), Utc::now())
        .await
        .expect("drift")
        .expect("a report");
    let shifted_report = drift::report(&shifted).expect("report");
    assert!(shifted.drifted, "{shifted_report:?}");
    let flagged: Vec<&str> = shifted_report
        .features
        .iter()
        .filter(|f| f.drifted)
        .map(|f| f.feature.as_str())
        .collect();
    assert!(flagged.contains(&"prior_convictions"), "{flagged:?}");
    assert!(!flagged.contains(&"age"), "{flagged:?}");

    let open = app
        .gql(
            Some(&admin),
            "{ riskModelDriftReports(openOnly: true) { id drifted alertStatus report { features { feature psi drifted } } } }",
            json!({}),
        )
        .await;
    let open = open.ok()["riskModelDriftReports"]
        .as_array()
        .expect("reports")
        .clone();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["alertStatus"], "OPEN");
    app.gql(
        Some(&admin),
        "mutation($id: ID!) { acknowledgeRiskModelDrift(id: $id) { alertStatus } }",
        json!({"id": open[0]["id"]}),
    )
    .await
    .ok();
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('risk.model.train', 'risk.model.approve', 'risk.model.drift_acknowledged')"
        )
        .await,
        3
    );
}

/// A DRAFT model with stated coefficients (prior convictions and needs raise the score).
async fn draft(app: &TestApp) -> i64 {
    let set = FeatureSet::of(&app.state.modules, app.db().get_database_backend());
    let k = set.len();
    let spec = Spec {
        features: set.keys().map(str::to_owned).collect(),
        labels: set.features.iter().map(|f| f.label.clone()).collect(),
        coefficients: (0..k).map(|i| if i == 11 { -0.1 } else { 0.3 }).collect(),
        intercept: -1.0,
        means: vec![1.0; k],
        sds: vec![1.0; k],
        bins: (0..k)
            .map(|_| Bins {
                edges: Vec::new(),
                shares: vec![1.0],
            })
            .collect(),
        alpha: 1.0,
    };
    model::ActiveModel {
        version: Set(1),
        outcome_version: Set(1),
        status: Set(ModelStatus::Draft),
        spec: Set(serde_json::to_string(&spec).expect("json")),
        report: Set("{}".into()),
        fingerprint: Set("0".repeat(64)),
        train_cases: Set(0),
        test_cases: Set(0),
        trained_by: Set(None),
        trained_at: Set(hamkor_api::db::now()),
        approved_by: Set(None),
        approved_at: Set(None),
        retired_at: Set(None),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .expect("a model")
    .id
}

#[tokio::test]
async fn attention_serves_only_an_approved_model_to_the_officer_and_inspector_with_every_read_audited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assess(&app, &w.officer, &w.case, [3, 2, 1, 0, 3, 3, 1, 0]).await;
    let attention = |token: String| {
        let app = &app;
        let case = w.case.clone();
        async move { app.gql(Some(&token), ATTENTION, json!({"id": case})).await }
    };
    let before = attention(w.officer.clone()).await;
    let level = before.ok()["case"]["riskLevel"].clone();
    assert_eq!(before.ok()["case"]["attention"], Value::Null, "no approved model");

    let id = draft(&app).await;
    let gid = hamkor_api::ids::encode("RiskModel", id).0;
    assert_eq!(
        attention(w.officer.clone()).await.ok()["case"]["attention"],
        Value::Null,
        "a draft is never used"
    );
    const APPROVE: &str = "mutation($id: ID!) { approveRiskModel(id: $id) { status approvedAt } }";
    for token in [&w.officer, &w.org_admin, &w.auditor, &w.partner] {
        app.gql(Some(token), APPROVE, json!({"id": gid}))
            .await
            .expect_code("FORBIDDEN");
    }
    let approved = app.gql(Some(&w.admin), APPROVE, json!({"id": gid})).await;
    assert_eq!(approved.ok()["approveRiskModel"]["status"], "APPROVED");
    app.gql(Some(&w.admin), APPROVE, json!({"id": gid}))
        .await
        .expect_code("INVALID_TRANSITION");

    for token in [&w.officer, &w.inspector] {
        let r = attention(token.clone()).await;
        let a = &r.ok()["case"]["attention"];
        assert!(f(&a["score"]) > 0.0 && f(&a["score"]) < 1.0, "{a}");
        assert_eq!(a["modelVersion"], 1);
        let reasons = a["reasons"].as_array().expect("reasons");
        assert!(!reasons.is_empty() && reasons.len() <= 3, "{a}");
        assert!(reasons.iter().all(|x| f(&x["contribution"]) > 0.0));
        assert!(reasons[0]["label"].as_str().is_some_and(|l| !l.is_empty()));
        assert_eq!(r.ok()["case"]["riskLevel"], level, "the risk level is untouched");
    }
    // A mahalla member sees the case but not its attention; others do not see the case.
    attention(w.member_a.clone()).await.expect_code("FORBIDDEN");
    for token in [&w.partner, &w.org_admin, &w.auditor] {
        let r = attention(token.clone()).await;
        assert_eq!(r.body["data"]["case"], Value::Null, "{}", r.body);
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'case.attention.read'"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'risk.model.approve'"
        )
        .await,
        1
    );

    // The caseload ordered by attention; refused to those who see no attention.
    let other_person = crate::world::create_person(&app, &w.officer, &w.mahalla_a, "31505901234568").await;
    let other = crate::world::create_case(&app, &w.officer, &other_person, json!({})).await;
    assess(&app, &w.officer, &other, [0, 0, 0, 0, 0, 0, 0, 0]).await;
    const ORDERED: &str =
        "{ cases(orderBy: ATTENTION, first: 10) { edges { node { id attention { score } } } } }";
    let r = app.gql(Some(&w.officer), ORDERED, json!({})).await;
    let edges = r.ok()["cases"]["edges"].as_array().expect("edges").clone();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["id"], w.case.as_str());
    assert!(f(&edges[0]["node"]["attention"]["score"]) > f(&edges[1]["node"]["attention"]["score"]));
    for token in [&w.member_a, &w.partner, &w.org_admin] {
        app.gql(
            Some(token),
            "{ cases(orderBy: ATTENTION) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .expect_code("FORBIDDEN");
    }

    // The officer disagrees; the mark is audited and counted with the model.
    const DISAGREE: &str =
        "mutation($c: ID!, $r: String!) { markAttentionDisagreement(caseId: $c, reason: $r) }";
    let vars = json!({"c": w.case, "r": "Stable work and family since the assessment"});
    app.gql(Some(&w.member_a), DISAGREE, vars.clone())
        .await
        .expect_code("FORBIDDEN");
    app.gql(Some(&w.officer), DISAGREE, vars).await.ok();
    app.gql(Some(&w.officer), DISAGREE, json!({"c": w.case, "r": " "}))
        .await
        .expect_code("BAD_USER_INPUT");
    let m = app
        .gql(
            Some(&w.admin),
            "{ riskModels { version status disagreements } }",
            json!({}),
        )
        .await;
    assert_eq!(m.ok()["riskModels"][0]["disagreements"], 1);
    for token in [&w.officer, &w.member_a, &w.org_admin] {
        app.gql(Some(token), "{ riskModels { version } }", json!({}))
            .await
            .expect_code("FORBIDDEN");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'risk.attention.disagreement'"
        )
        .await,
        1
    );

    // Retired, it serves no more.
    app.gql(
        Some(&w.admin),
        "mutation($id: ID!) { retireRiskModel(id: $id) { status } }",
        json!({"id": gid}),
    )
    .await
    .ok();
    assert_eq!(
        attention(w.officer.clone()).await.ok()["case"]["attention"],
        Value::Null
    );
}

#[tokio::test]
async fn with_the_documented_bias_on_the_models_report_flags_exactly_the_biased_region() {
    let app = spawn_app().await;
    hamkor_api::seed::territories::load(app.db())
        .await
        .expect("classifier");
    let biased = scalar(
        &app,
        "SELECT region_id FROM districts GROUP BY region_id ORDER BY COUNT(*) DESC, region_id LIMIT 1",
    )
    .await;
    let scale = Scale {
        cases: 16_000,
        mahallas_per_district: 1,
        appointments_per_case: 0,
        risk: Process {
            bias: Some(risk_process::Bias::region(biased)),
            ..Process::default()
        },
    };
    national::generate(&app.state, scale, |_| {}).await.expect("seed");
    let admin = app.admin_token().await;
    let m = app.gql(Some(&admin), TRAIN, json!({})).await.ok()["trainRiskModel"].clone();
    let flagged: Vec<(String, String)> = m["report"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|g| g["flags"].as_array().is_some_and(|f| !f.is_empty()))
        .map(|g| {
            (
                g["dimension"].as_str().unwrap_or("").to_owned(),
                g["key"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(flagged, vec![("REGION".to_owned(), biased.to_string())]);
    let key = biased.to_string();
    let group = m["report"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["dimension"] == "REGION" && g["key"] == key.as_str())
        .expect("the biased region");
    assert!(
        group["flags"]
            .as_array()
            .expect("flags")
            .contains(&json!("CALIBRATION")),
        "{group}"
    );
    assert!(f(&group["calibrationDifference"]) < -0.05, "{group}");

    // The model card names the flag too, through GraphQL and as a Markdown file, for
    // platform admins only, each read audited.
    let id = m["id"].as_str().expect("id").to_owned();
    let r = app
        .gql(
            Some(&admin),
            "query($id: ID!) { riskModel(id: $id) { card } }",
            json!({"id": id}),
        )
        .await;
    let card = r.ok()["riskModel"]["card"].as_str().expect("a card").to_owned();
    for part in [
        "# Model card: Hamkor learned risk model, version 1",
        "## What it is not for",
        "never sets or suggests a case's risk level",
        "| prior convictions |",
        "- AUC: 0.",
        &format!("| REGION | {key} |"),
        "CALIBRATION",
    ] {
        assert!(card.contains(part), "{part:?} missing from the card:\n{card}");
    }
    assert!(!card.contains("n/a | n/a | n/a"), "an empty row:\n{card}");
    let url = app.url(&format!("/risk-models/{id}/card.md"));
    let file = app
        .client
        .get(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .expect("get");
    assert_eq!(file.status(), 200);
    assert!(
        file.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/markdown"))
    );
    assert_eq!(file.text().await.expect("text"), card);
    let anonymous = app.client.get(&url).send().await.expect("get");
    assert_eq!(anonymous.status(), 401);
    let reads = scalar(
        &app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'risk.model.read' AND CAST(detail AS TEXT) LIKE '%card%'",
    )
    .await;
    assert_eq!(reads, 2, "each card read is audited");
}
