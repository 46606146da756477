//! The individual rehabilitation plan.

use serde_json::json;

use crate::helpers::{s, spawn_app};
use crate::world::world;

const CREATE: &str =
    "mutation($c: ID!) { createRehabilitationPlan(caseId: $c, summary: \"work and family\") { id status } }";
const GOAL: &str = "mutation($i: AddPlanGoalInput!) { addPlanGoal(input: $i) { id status domain } }";
const ACTION: &str =
    "mutation($i: AddPlanActionInput!) { addPlanAction(input: $i) { id status ownerOrganisation { id } } }";
const UPDATE_ACTION: &str = "mutation($id: ID!, $i: UpdatePlanActionInput!) { updatePlanAction(id: $id, input: $i) { status completedAt completedBy { id } } }";

#[tokio::test]
async fn the_officer_draws_up_a_plan_with_goals_and_owned_actions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app.gql(Some(&w.officer), CREATE, json!({"c": w.case})).await;
    let plan = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    assert_eq!(r.ok()["createRehabilitationPlan"]["status"], "DRAFT");
    let r = app
        .gql(Some(&w.officer), GOAL, json!({"i": {"planId": plan, "domain": "EMPLOYMENT", "description": "steady job", "targetDate": "2026-12-31"}}))
        .await;
    let goal = s(r.ok(), "addPlanGoal.id").to_owned();
    let r = app
        .gql(Some(&w.officer), ACTION, json!({"i": {"goalId": goal, "description": "register at the centre", "ownerOrganisationId": w.employment}}))
        .await;
    assert_eq!(r.ok()["addPlanAction"]["ownerOrganisation"]["id"], w.employment);
    let r = app
        .gql(
            Some(&w.member_a),
            "query($id: ID!) { case(id: $id) { rehabilitationPlan { status goals { domain actions { description overdue } } } } }",
            json!({"id": w.case}),
        )
        .await;
    let p = &r.ok()["case"]["rehabilitationPlan"];
    assert_eq!(p["goals"][0]["domain"], "EMPLOYMENT");
    assert_eq!(
        p["goals"][0]["actions"][0]["description"],
        "register at the centre"
    );
}

#[tokio::test]
async fn a_case_has_one_plan() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(Some(&w.officer), CREATE, json!({"c": w.case})).await.ok();
    app.gql(Some(&w.officer), CREATE, json!({"c": w.case}))
        .await
        .expect_code("CONFLICT");
}

#[tokio::test]
async fn only_the_lead_officer_writes_the_plan() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for token in [&w.inspector, &w.member_a] {
        app.gql(Some(token), CREATE, json!({"c": w.case}))
            .await
            .expect_code("FORBIDDEN");
    }
    app.gql(Some(&w.partner), CREATE, json!({"c": w.case}))
        .await
        .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn the_plan_moves_from_draft_to_active_to_closed_only() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app.gql(Some(&w.officer), CREATE, json!({"c": w.case})).await;
    let plan = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    let update = "mutation($id: ID!, $s: PlanStatus) { updateRehabilitationPlan(id: $id, status: $s) { status activatedAt } }";
    let r = app
        .gql(Some(&w.officer), update, json!({"id": plan, "s": "ACTIVE"}))
        .await;
    assert!(r.ok()["updateRehabilitationPlan"]["activatedAt"].is_string());
    app.gql(Some(&w.officer), update, json!({"id": plan, "s": "DRAFT"}))
        .await
        .expect_code("INVALID_TRANSITION");
    app.gql(Some(&w.officer), update, json!({"id": plan, "s": "CLOSED"}))
        .await
        .ok();
    app.gql(
        Some(&w.officer),
        GOAL,
        json!({"i": {"planId": plan, "domain": "HOUSING", "description": "x"}}),
    )
    .await
    .expect_code("CONFLICT");
}

#[tokio::test]
async fn the_owning_organisation_moves_its_action_but_does_not_rewrite_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app.gql(Some(&w.officer), CREATE, json!({"c": w.case})).await;
    let plan = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            GOAL,
            json!({"i": {"planId": plan, "domain": "FAMILY", "description": "family ties"}}),
        )
        .await;
    let goal = s(r.ok(), "addPlanGoal.id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            ACTION,
            json!({"i": {"goalId": goal, "description": "visit the family", "ownerOrganisationId": w.mfy_a}}),
        )
        .await;
    let action = s(r.ok(), "addPlanAction.id").to_owned();
    app.gql(
        Some(&w.member_a),
        UPDATE_ACTION,
        json!({"id": action, "i": {"description": "rewritten"}}),
    )
    .await
    .expect_code("FORBIDDEN");
    app.gql(
        Some(&w.member_a),
        UPDATE_ACTION,
        json!({"id": action, "i": {"status": "IN_PROGRESS"}}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.member_a),
            UPDATE_ACTION,
            json!({"id": action, "i": {"status": "DONE"}}),
        )
        .await;
    assert!(r.ok()["updatePlanAction"]["completedAt"].is_string());
    app.gql(
        Some(&w.member_a),
        UPDATE_ACTION,
        json!({"id": action, "i": {"status": "IN_PROGRESS"}}),
    )
    .await
    .expect_code("INVALID_TRANSITION");
    // The inspector sees the case but does not own the action.
    app.gql(
        Some(&w.inspector),
        UPDATE_ACTION,
        json!({"id": action, "i": {"status": "CANCELLED"}}),
    )
    .await
    .expect_code("FORBIDDEN");
}

#[tokio::test]
async fn an_action_needs_an_existing_owner() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app.gql(Some(&w.officer), CREATE, json!({"c": w.case})).await;
    let plan = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            GOAL,
            json!({"i": {"planId": plan, "domain": "LEGAL", "description": "x"}}),
        )
        .await;
    let goal = s(r.ok(), "addPlanGoal.id").to_owned();
    let ghost = hamkor_api::ids::encode("Organisation", 9999).0;
    let r = app
        .gql(
            Some(&w.officer),
            ACTION,
            json!({"i": {"goalId": goal, "description": "x", "ownerOrganisationId": ghost}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.ownerOrganisationId"));
}
