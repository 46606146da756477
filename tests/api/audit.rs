//! The audit log: every change and every sensitive read is recorded, and the log cannot
//! be rewritten. Domain events are committed with their change, or not at all.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::helpers::{TestApp, s, spawn_app};
use crate::world::{set_status, world};

pub(crate) async fn audit(app: &TestApp, auditor: &str, filter: serde_json::Value) -> serde_json::Value {
    let r = app
        .gql(
            Some(auditor),
            "query($f: AuditEventFilterInput) { auditEvents(first: 50, filter: $f) { totalCount edges { node {
               action targetType targetId caseId requestId detail actor { id } actorOrganisation { id } } } } }",
            json!({"f": filter}),
        )
        .await;
    r.ok()["auditEvents"].clone()
}

#[tokio::test]
async fn a_status_change_is_audited_with_actor_case_and_request() {
    let app = spawn_app().await;
    let w = world(&app).await;
    set_status(&app, &w.officer, &w.case, "SUSPENDED", Some("in hospital"))
        .await
        .ok();
    let log = audit(
        &app,
        &w.auditor,
        json!({"action": "case.transition", "caseId": w.case}),
    )
    .await;
    assert_eq!(log["totalCount"], 2, "ACTIVE then SUSPENDED");
    let e = &log["edges"][0]["node"];
    assert_eq!(e["targetId"], w.case);
    assert_eq!(e["actorOrganisation"]["id"], w.probation);
    assert_eq!(e["detail"], json!({"from": "ACTIVE", "to": "SUSPENDED"}));
    assert!(e["requestId"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn reading_a_case_record_is_audited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.inspector),
        "query($id: ID!) { case(id: $id) { id } }",
        json!({"id": w.case}),
    )
    .await
    .ok();
    let log = audit(&app, &w.auditor, json!({"action": "case.read", "caseId": w.case})).await;
    assert_eq!(log["totalCount"], 1);
    assert_eq!(log["edges"][0]["node"]["actor"]["id"], w.inspector_id);
}

#[tokio::test]
async fn reading_notes_is_audited_with_the_ids_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "visibility": "AGENCIES", "body": "met the family"}}),
        )
        .await;
    let note = s(r.ok(), "addCaseNote.id").to_owned();
    let raw_id = hamkor_api::ids::decode(&note).map(|(_, n)| n).unwrap_or_default();
    app.gql(
        Some(&w.inspector),
        "query($id: ID!) { case(id: $id) { notes { edges { node { body } } } } }",
        json!({"id": w.case}),
    )
    .await
    .ok();
    let log = audit(&app, &w.auditor, json!({"action": "case_note.read"})).await;
    assert_eq!(log["totalCount"], 1);
    assert_eq!(log["edges"][0]["node"]["detail"], json!({"noteIds": [raw_id]}));
}

#[tokio::test]
async fn the_audit_log_holds_no_personal_data() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let log = audit(&app, &w.auditor, json!({})).await;
    let text = log.to_string();
    for secret in [
        "31505901234567",
        "Qodirov",
        "+998901234567",
        crate::helpers::PASSWORD,
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the audit log");
    }
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_at_the_database() {
    let app = spawn_app().await;
    let _w = world(&app).await;
    let before = hamkor_api::audit::entity::Entity::find()
        .count(app.db())
        .await
        .expect("count");
    assert!(before > 0);
    assert!(
        app.db()
            .execute_unprepared("UPDATE audit_events SET action = 'forged'")
            .await
            .is_err()
    );
    assert!(
        app.db()
            .execute_unprepared("DELETE FROM audit_events")
            .await
            .is_err()
    );
    let after = hamkor_api::audit::entity::Entity::find()
        .count(app.db())
        .await
        .expect("count");
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_change_and_its_event_are_committed_together() {
    let app = spawn_app().await;
    let w = world(&app).await;
    use hamkor_api::events::entity as events;
    let count = || async { events::Entity::find().count(app.db()).await.expect("count") };
    let before = count().await;
    set_status(&app, &w.officer, &w.case, "SUSPENDED", Some("in hospital"))
        .await
        .ok();
    assert_eq!(count().await, before + 1);
    // A refused change writes neither the change nor an event.
    set_status(&app, &w.officer, &w.case, "PENDING", Some("no"))
        .await
        .expect_code("INVALID_TRANSITION");
    assert_eq!(count().await, before + 1);
}

#[tokio::test]
async fn the_auditor_filters_the_log_by_actor() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let me = app
        .gql(Some(&w.officer), "{ me { user { id } } }", json!({}))
        .await;
    let officer = s(me.ok(), "me.user.id").to_owned();
    let log = audit(&app, &w.auditor, json!({"actorId": officer})).await;
    let n = log["totalCount"].as_i64().unwrap_or(0);
    assert!(n >= 3, "login, person.create, case.create, case.transition: {n}");
    for edge in log["edges"].as_array().into_iter().flatten() {
        assert_eq!(edge["node"]["actor"]["id"], officer);
    }
}
