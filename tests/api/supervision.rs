//! Appointments, check-ins, violations and notes.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::json;

use crate::helpers::{s, spawn_app};
use crate::world::world;

fn at(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Secs, true)
}

const SCHEDULE: &str = "mutation($i: ScheduleAppointmentInput!) { scheduleAppointment(input: $i) { id kind scheduledAt outcome } }";
const OUTCOME: &str = "mutation($id: ID!, $o: AppointmentOutcome!, $t: DateTime) {
    recordAppointmentOutcome(id: $id, outcome: $o, rescheduleTo: $t) { id outcome rescheduledTo { id scheduledAt outcome } } }";

#[tokio::test]
async fn an_appointment_is_scheduled_and_its_outcome_recorded_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            SCHEDULE,
            json!({"i": {"caseId": w.case, "kind": "OFFICE_REPORT", "scheduledAt": at(Duration::hours(-1))}}),
        )
        .await;
    let id = s(r.ok(), "scheduleAppointment.id").to_owned();
    assert!(r.ok()["scheduleAppointment"]["outcome"].is_null());
    let r = app
        .gql(Some(&w.officer), OUTCOME, json!({"id": id, "o": "ATTENDED"}))
        .await;
    assert_eq!(r.ok()["recordAppointmentOutcome"]["outcome"], "ATTENDED");
    app.gql(Some(&w.officer), OUTCOME, json!({"id": id, "o": "MISSED"}))
        .await
        .expect_code("CONFLICT");
}

#[tokio::test]
async fn a_future_appointment_cannot_be_marked_attended() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            SCHEDULE,
            json!({"i": {"caseId": w.case, "kind": "HOME_VISIT", "scheduledAt": at(Duration::days(2))}}),
        )
        .await;
    let id = s(r.ok(), "scheduleAppointment.id").to_owned();
    let r = app
        .gql(Some(&w.officer), OUTCOME, json!({"id": id, "o": "ATTENDED"}))
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("outcome"));
}

#[tokio::test]
async fn rescheduling_creates_the_follow_up_appointment() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.inspector),
            SCHEDULE,
            json!({"i": {"caseId": w.case, "kind": "HOME_VISIT", "scheduledAt": at(Duration::days(1))}}),
        )
        .await;
    let id = s(r.ok(), "scheduleAppointment.id").to_owned();
    app.gql(Some(&w.inspector), OUTCOME, json!({"id": id, "o": "RESCHEDULED"}))
        .await
        .expect_code("BAD_USER_INPUT");
    let r = app
        .gql(
            Some(&w.inspector),
            OUTCOME,
            json!({"id": id, "o": "RESCHEDULED", "t": at(Duration::days(3))}),
        )
        .await;
    let follow = &r.ok()["recordAppointmentOutcome"]["rescheduledTo"];
    assert!(follow["outcome"].is_null());
    let r = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { case(id: $id) { appointments { totalCount } } }",
            json!({"id": w.case}),
        )
        .await;
    assert_eq!(r.ok()["case"]["appointments"]["totalCount"], 2);
}

#[tokio::test]
async fn appointments_outside_a_sensible_window_are_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for offset in [Duration::days(-3), Duration::days(400)] {
        let r = app
            .gql(
                Some(&w.officer),
                SCHEDULE,
                json!({"i": {"caseId": w.case, "kind": "PHONE", "scheduledAt": at(offset)}}),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("input.scheduledAt"));
    }
}

#[tokio::test]
async fn an_inspector_records_an_unannounced_home_visit() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.inspector),
            "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { outcome kind outcomeRecordedBy { id } } }",
            json!({"i": {"caseId": w.case, "kind": "HOME_VISIT", "at": at(Duration::minutes(-30)), "outcome": "MISSED", "note": "not at home"}}),
        )
        .await;
    let c = &r.ok()["recordCheckIn"];
    assert_eq!(c["outcome"], "MISSED");
    assert_eq!(c["outcomeRecordedBy"]["id"], w.inspector_id);
    let r = app
        .gql(
            Some(&w.inspector),
            "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "kind": "HOME_VISIT", "at": at(Duration::days(1))}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn appointments_across_cases_form_a_work_list_for_supervisors_only() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.officer),
        SCHEDULE,
        json!({"i": {"caseId": w.case, "kind": "OFFICE_REPORT", "scheduledAt": at(Duration::days(2))}}),
    )
    .await
    .ok();
    let q = "query($f: AppointmentFilterInput) { appointments(filter: $f) { totalCount edges { node { case { id } } } } }";
    let r = app
        .gql(
            Some(&w.officer),
            q,
            json!({"f": {"pendingOnly": true, "from": at(Duration::days(1))}}),
        )
        .await;
    assert_eq!(r.ok()["appointments"]["totalCount"], 1);
    assert_eq!(r.ok()["appointments"]["edges"][0]["node"]["case"]["id"], w.case);
    let r = app.gql(Some(&w.inspector), q, json!({})).await;
    assert_eq!(r.ok()["appointments"]["totalCount"], 1);
    for token in [&w.member_a, &w.officer_other, &w.partner] {
        let r = app.gql(Some(token), q, json!({})).await;
        assert_eq!(r.ok()["appointments"]["totalCount"], 0);
    }
}

#[tokio::test]
async fn a_violation_is_recorded_by_the_inspector_and_answered_by_the_probation_service() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.inspector),
            "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { id severity response } }",
            json!({"i": {"caseId": w.case, "kind": "CURFEW_BREACH", "severity": "MODERATE",
                         "occurredAt": at(Duration::hours(-20)), "description": "not home at 23:00"}}),
        )
        .await;
    let id = s(r.ok(), "recordViolation.id").to_owned();
    let respond = "mutation($id: ID!) { respondToViolation(id: $id, response: FORMAL_WARNING, note: \"first warning\") { response respondedBy { id } } }";
    app.gql(Some(&w.inspector), respond, json!({"id": id}))
        .await
        .expect_code("FORBIDDEN");
    let r = app.gql(Some(&w.officer), respond, json!({"id": id})).await;
    assert_eq!(r.ok()["respondToViolation"]["response"], "FORMAL_WARNING");
    assert_eq!(r.ok()["respondToViolation"]["respondedBy"]["id"], w.officer_id);
}

#[tokio::test]
async fn violations_need_an_open_sentence_and_a_past_date() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { id } }";
    let input = |when: String| json!({"i": {"caseId": w.case, "kind": "OTHER", "severity": "MINOR", "occurredAt": when, "description": "x"}});
    app.gql(Some(&w.officer), q, input(at(Duration::days(1))))
        .await
        .expect_code("BAD_USER_INPUT");
    app.gql(Some(&w.officer), q, input("2025-01-01T10:00:00Z".into()))
        .await
        .expect_code("BAD_USER_INPUT");
    crate::world::set_status(&app, &w.officer, &w.case, "REVOKED", Some("court"))
        .await
        .ok();
    app.gql(Some(&w.officer), q, input(at(Duration::hours(-1))))
        .await
        .expect_code("CONFLICT");
}

#[tokio::test]
async fn each_reader_sees_only_the_notes_of_their_visibility() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let add = "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id visibility } }";
    for v in ["MAHALLA", "AGENCIES", "PROBATION"] {
        app.gql(
            Some(&w.officer),
            add,
            json!({"i": {"caseId": w.case, "visibility": v, "body": format!("note {v}")}}),
        )
        .await
        .ok();
    }
    let q = "query($id: ID!) { case(id: $id) { notes { totalCount edges { node { visibility } } } } }";
    for (token, seen) in [(&w.officer, 3), (&w.inspector, 2), (&w.member_a, 1)] {
        let r = app.gql(Some(token), q, json!({"id": w.case})).await;
        assert_eq!(r.ok()["case"]["notes"]["totalCount"], seen);
    }
    let r = app.gql(Some(&w.member_a), q, json!({"id": w.case})).await;
    assert_eq!(
        r.ok()["case"]["notes"]["edges"][0]["node"]["visibility"],
        "MAHALLA"
    );
}

#[tokio::test]
async fn nobody_writes_a_note_they_could_not_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let add = "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }";
    app.gql(
        Some(&w.member_a),
        add,
        json!({"i": {"caseId": w.case, "visibility": "AGENCIES", "body": "x"}}),
    )
    .await
    .expect_code("FORBIDDEN");
    app.gql(
        Some(&w.inspector),
        add,
        json!({"i": {"caseId": w.case, "visibility": "PROBATION", "body": "x"}}),
    )
    .await
    .expect_code("FORBIDDEN");
    app.gql(
        Some(&w.member_a),
        add,
        json!({"i": {"caseId": w.case, "visibility": "MAHALLA", "body": "family visited"}}),
    )
    .await
    .ok();
    app.gql(
        Some(&w.member_b),
        add,
        json!({"i": {"caseId": w.case, "visibility": "MAHALLA", "body": "x"}}),
    )
    .await
    .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn a_restricted_note_is_not_reachable_by_id_either() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "visibility": "PROBATION", "body": "court submission draft"}}),
        )
        .await;
    let id = s(r.ok(), "addCaseNote.id").to_owned();
    let q = "query($id: ID!) { node(id: $id) { ... on CaseNote { body } } }";
    let r = app.gql(Some(&w.officer), q, json!({"id": id})).await;
    assert_eq!(r.ok()["node"]["body"], "court submission draft");
    for token in [&w.inspector, &w.member_a] {
        let r = app.gql(Some(token), q, json!({"id": id})).await;
        assert!(r.ok()["node"].is_null());
    }
}
