//! Risk assessment: the instrument's score, the case's level, overrides and history.

use serde_json::{Value, json};

use crate::helpers::{TestApp, s, spawn_app};
use crate::world::world;

pub(crate) const ASSESS: &str = "mutation($i: AssessRiskInput!) { assessRisk(input: $i) {
    id total staticScore dynamicScore computedLevel level reassessmentDue overridden
    factors { factor kind score explanation highNeed } } }";
const OVERRIDE: &str = "mutation($id: ID!, $l: RiskLevel!, $r: String!) {
    overrideRiskLevel(id: $id, level: $l, reason: $r) { id level computedLevel overridden overrideReason } }";

/// Answers scoring `needs` (in instrument order) on top of 7 static points (first
/// offence at 17, two priors, a property offence).
pub(crate) fn answers(case: &str, needs: [i32; 8]) -> Value {
    json!({
        "caseId": case,
        "ageAtFirstOffence": 17,
        "priorConvictions": 2,
        "offenceType": "PROPERTY",
        "needs": {
            "employment": needs[0], "education": needs[1], "housing": needs[2],
            "familySupport": needs[3], "peers": needs[4], "substanceUse": needs[5],
            "attitudes": needs[6], "mentalHealth": needs[7]
        }
    })
}

pub(crate) async fn assess(app: &TestApp, officer: &str, case: &str, needs: [i32; 8]) -> Value {
    let r = app
        .gql(Some(officer), ASSESS, json!({"i": answers(case, needs)}))
        .await;
    r.ok()["assessRisk"].clone()
}

async fn case_level(app: &TestApp, token: &str, case: &str) -> Value {
    let r = app
        .gql(
            Some(token),
            "query($id: ID!) { case(id: $id) { riskLevel } }",
            json!({"id": case}),
        )
        .await;
    r.ok()["case"]["riskLevel"].clone()
}

#[tokio::test]
async fn an_assessment_explains_its_score_and_sets_the_case_level() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // 7 static + 8 dynamic = 15: the top of MEDIUM.
    let a = assess(&app, &w.officer, &w.case, [2, 1, 1, 1, 1, 1, 1, 0]).await;
    assert_eq!(
        (a["staticScore"].as_i64(), a["dynamicScore"].as_i64()),
        (Some(7), Some(8))
    );
    assert_eq!(a["total"], 15);
    assert_eq!(a["level"], "MEDIUM");
    assert_eq!(a["factors"].as_array().map(Vec::len), Some(11));
    assert_eq!(a["factors"][0]["factor"], "AGE_AT_FIRST_OFFENCE");
    assert_eq!(a["factors"][0]["score"], 3);
    assert_eq!(a["factors"][3]["highNeed"], true);
    assert_eq!(case_level(&app, &w.officer, &w.case).await, "MEDIUM");
}

#[tokio::test]
async fn one_more_point_crosses_into_high_and_shortens_the_reassessment() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let medium = assess(&app, &w.officer, &w.case, [2, 1, 1, 1, 1, 1, 1, 0]).await;
    let high = assess(&app, &w.officer, &w.case, [2, 1, 1, 1, 1, 1, 1, 1]).await;
    assert_eq!(high["total"], 16);
    assert_eq!(high["level"], "HIGH");
    assert!(s(&high, "reassessmentDue") < s(&medium, "reassessmentDue"));
    let r = app
        .gql(
            Some(&w.officer),
            "{ cases(first: 10, filter: {riskLevels: [HIGH]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["cases"]["totalCount"], 1);
}

#[tokio::test]
async fn an_override_needs_a_reason() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let a = assess(&app, &w.officer, &w.case, [0; 8]).await;
    let r = app
        .gql(
            Some(&w.officer),
            OVERRIDE,
            json!({"id": a["id"], "l": "HIGH", "r": "  "}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("reason"));
    assert_eq!(case_level(&app, &w.officer, &w.case).await, "LOW");
}

#[tokio::test]
async fn an_override_sets_the_case_level_and_keeps_the_computed_one() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let a = assess(&app, &w.officer, &w.case, [0; 8]).await;
    let r = app
        .gql(
            Some(&w.officer),
            OVERRIDE,
            json!({"id": a["id"], "l": "HIGH", "r": "threats against the victim reported by the mahalla"}),
        )
        .await;
    let o = &r.ok()["overrideRiskLevel"];
    assert_eq!(
        (o["level"].as_str(), o["computedLevel"].as_str()),
        (Some("HIGH"), Some("LOW"))
    );
    assert_eq!(o["overridden"], true);
    assert_eq!(case_level(&app, &w.officer, &w.case).await, "HIGH");
}

#[tokio::test]
async fn only_the_assessment_in_force_can_be_overridden() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let old = assess(&app, &w.officer, &w.case, [0; 8]).await;
    assess(&app, &w.officer, &w.case, [1; 8]).await;
    app.gql(
        Some(&w.officer),
        OVERRIDE,
        json!({"id": old["id"], "l": "HIGH", "r": "late information"}),
    )
    .await
    .expect_code("CONFLICT");
}

#[tokio::test]
async fn the_history_shows_what_changed_between_assessments() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assess(&app, &w.officer, &w.case, [3, 0, 0, 0, 0, 0, 0, 0]).await;
    assess(&app, &w.officer, &w.case, [1, 0, 0, 0, 0, 0, 2, 0]).await;
    let r = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { case(id: $id) { riskAssessments(first: 5) { totalCount edges { node {
                total superseded change { previousTotal totalChange previousLevel factors { factor from to } } } } } } }",
            json!({"id": w.case}),
        )
        .await;
    let list = &r.ok()["case"]["riskAssessments"];
    assert_eq!(list["totalCount"], 2);
    let newest = &list["edges"][0]["node"];
    assert_eq!(newest["change"]["totalChange"], 0);
    assert_eq!(
        newest["change"]["factors"],
        json!([{"factor": "EMPLOYMENT", "from": 3, "to": 1}, {"factor": "ATTITUDES", "from": 0, "to": 2}])
    );
    assert_eq!(list["edges"][1]["node"]["superseded"], true);
}

#[tokio::test]
async fn a_need_out_of_range_is_refused_naming_its_field() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            ASSESS,
            json!({"i": answers(&w.case, [0, 0, 0, 4, 0, 0, 0, 0])}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.needs.familySupport"));
}

#[tokio::test]
async fn an_inspector_cannot_assess_and_a_mahalla_member_cannot_read_assessments() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(Some(&w.inspector), ASSESS, json!({"i": answers(&w.case, [0; 8])}))
        .await
        .expect_code("FORBIDDEN");
    assess(&app, &w.officer, &w.case, [0; 8]).await;
    let r = app
        .gql(
            Some(&w.member_a),
            "query($id: ID!) { case(id: $id) { riskAssessments { totalCount } } }",
            json!({"id": w.case}),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn reading_assessments_is_audited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assess(&app, &w.officer, &w.case, [0; 8]).await;
    app.gql(
        Some(&w.inspector),
        "query($id: ID!) { case(id: $id) { riskAssessments { edges { node { total } } } } }",
        json!({"id": w.case}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.auditor),
            "{ auditEvents(first: 50, filter: {action: \"risk.assessment.read\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["auditEvents"]["totalCount"], 1);
}
