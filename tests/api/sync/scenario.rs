//! The field day of issue 20: the inspector's phone offline, the officer online, a
//! member of the seven; a conflict settled, a refused transition, a replay, a move.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::{CONFLICTS, PULL, PUSH, RESOLVE, check_in, device, hours_ago, ids_of, pull_all, seated_member};
use crate::helpers::{s, spawn_app};
use crate::world::world;

const UPDATE: &str = "mutation($id: ID!, $i: UpdateAppointmentInput!, $v: Int) { updateAppointment(id: $id, input: $i, expectedVersion: $v) { id version outcomeNote location } }";
const ASSIGN: &str = "mutation($i: AssignMahallaTaskInput!) { assignMahallaTask(input: $i) { id version } }";
const CANCEL: &str =
    "mutation($i: CancelMahallaTaskInput!) { cancelMahallaTask(input: $i) { id status version } }";

fn change(id: &str, kind: &str, extra: Value) -> Value {
    let mut c = json!({"changeId": id, "kind": kind});
    c.as_object_mut()
        .expect("object")
        .extend(extra.as_object().expect("object").clone());
    c
}

#[tokio::test]
async fn a_field_day_merges_what_it_can_and_shows_what_it_cannot() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let appointment = check_in(&app, &w.officer, &w.case, "first note").await;

    // The inspector's phone fills itself, then goes offline.
    let phone = device(&app, &w.inspector, "inspector-phone").await;
    let (records, _, cursor) = pull_all(&app, &w.inspector, &phone, None).await;
    let pulled = records
        .iter()
        .find(|r| r["id"] == json!(appointment))
        .expect("the appointment is on the phone");
    assert_eq!(pulled["data"]["version"], 1);
    assert_eq!(pulled["data"]["outcomeNote"], "first note");

    // The officer, online, changes the outcome note; a web client that started from
    // version 1 afterwards is told, with the record as it is now.
    let r = app
        .gql(
            Some(&w.officer),
            UPDATE,
            json!({"id": appointment, "i": {"outcomeNote": "officer's note"}, "v": 1}),
        )
        .await;
    assert_eq!(r.ok()["updateAppointment"]["version"], 2);
    let stale = app
        .gql(
            Some(&w.officer),
            UPDATE,
            json!({"id": appointment, "i": {"location": "office"}, "v": 1}),
        )
        .await;
    stale.expect_code("CONFLICT");
    assert_eq!(stale.body["errors"][0]["extensions"]["current"]["version"], 2);

    // The phone's day: the same note changed, the place, a new note, an unplanned visit.
    let changes = json!([
        change(
            "c1",
            "APPOINTMENT",
            json!({"id": appointment, "baseVersion": 1,
            "base": {"outcomeNote": "first note", "location": null},
            "values": {"outcomeNote": "phone's note", "location": "at the workshop"}})
        ),
        change(
            "c2",
            "CASE_NOTE",
            json!({"clientId": "note-1", "caseId": w.case,
            "values": {"visibility": "AGENCIES", "body": "Met the family"}})
        ),
        change(
            "c3",
            "APPOINTMENT",
            json!({"clientId": "visit-1", "caseId": w.case,
            "values": {"kind": "HOME_VISIT", "at": hours_ago(1), "outcomeNote": "at home"}})
        ),
        change(
            "c4",
            "CASE_NOTE",
            json!({"clientId": "note-1", "baseVersion": 1,
            "values": {"body": "Met the family and the neighbours"}})
        ),
    ]);
    let r = app
        .gql(Some(&w.inspector), PUSH, json!({"d": phone, "c": changes}))
        .await;
    let results = r.ok()["sync"]["push"].as_array().expect("results").clone();
    assert_eq!(results[0]["status"], "CONFLICT");
    assert_eq!(results[0]["record"]["location"], "at the workshop", "{results:?}");
    assert_eq!(results[0]["record"]["outcomeNote"], "officer's note");
    let conflicts = results[0]["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["field"], "outcomeNote");
    assert_eq!(conflicts[0]["baseValue"], "first note");
    assert_eq!(conflicts[0]["phoneValue"], "phone's note");
    assert_eq!(conflicts[0]["serverValue"], "officer's note");
    for (i, r) in results.iter().enumerate().skip(1) {
        assert_eq!(r["status"], "APPLIED", "change {i}: {r:?}");
    }
    assert_eq!(results[1]["clientId"], "note-1");
    assert!(s(&results[1], "id").len() > 4);
    assert_eq!(
        results[3]["id"], results[1]["id"],
        "the client id maps to the server's"
    );
    assert_eq!(results[3]["record"]["body"], "Met the family and the neighbours");

    // Each applied change emitted its usual event, naming the device.
    let events = app
        .gql(
            Some(&w.officer),
            "{ events(first: 100) { edges { node { type payload } } } }",
            json!({}),
        )
        .await;
    let from_phone: Vec<&Value> = events.ok()["events"]["edges"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["payload"]["deviceId"] == json!(phone))
        .collect();
    let types: Vec<&str> = from_phone.iter().map(|n| s(n, "type")).collect();
    assert!(types.contains(&"appointment.updated"), "{types:?}");
    assert!(types.contains(&"case.note_added"), "{types:?}");
    assert!(types.contains(&"case.note_edited"), "{types:?}");
    assert!(types.contains(&"appointment.outcome_recorded"), "{types:?}");

    // The same push again: answered as before, nothing new.
    let count = "{ events(first: 1) { totalCount } }";
    let before = app.gql(Some(&w.officer), count, json!({})).await;
    let again = app
        .gql(Some(&w.inspector), PUSH, json!({"d": phone, "c": changes}))
        .await;
    let replayed = again.ok()["sync"]["push"].as_array().expect("results").clone();
    for (first, second) in results.iter().zip(&replayed) {
        assert_eq!(second["replayed"], true);
        assert_eq!(first["status"], second["status"]);
        assert_eq!(first["id"], second["id"]);
    }
    assert_eq!(replayed[0]["conflicts"][0]["id"], conflicts[0]["id"]);
    let after = app.gql(Some(&w.officer), count, json!({})).await;
    assert_eq!(before.ok(), after.ok(), "a replay emits nothing");

    // The conflict is listed for the inspector and for the case's officer, and settled.
    for token in [&w.inspector, &w.officer] {
        let r = app.gql(Some(token), CONFLICTS, json!({})).await;
        assert_eq!(r.ok()["sync"]["conflicts"]["totalCount"], 1);
    }
    let other = app.gql(Some(&w.officer_other), CONFLICTS, json!({})).await;
    assert_eq!(other.ok()["sync"]["conflicts"]["totalCount"], 0);
    let conflict = s(&conflicts[0], "id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            RESOLVE,
            json!({"c": conflict, "ch": "TAKE_PHONE"}),
        )
        .await;
    assert_eq!(r.ok()["sync"]["resolve"]["resolution"], "TAKE_PHONE");
    let r = app.gql(Some(&w.inspector), CONFLICTS, json!({})).await;
    assert_eq!(r.ok()["sync"]["conflicts"]["totalCount"], 0);
    app.gql(
        Some(&w.officer),
        RESOLVE,
        json!({"c": conflict, "ch": "KEEP_SERVER"}),
    )
    .await
    .expect_code("CONFLICT");

    // The phone's next pull brings the settled appointment.
    let (records, _, _) = pull_all(&app, &w.inspector, &phone, Some(cursor)).await;
    let now = records
        .iter()
        .find(|r| r["id"] == json!(appointment))
        .expect("changed appointment pulled");
    assert_eq!(now["data"]["outcomeNote"], "phone's note");
    assert_eq!(now["data"]["location"], "at the workshop");
}

#[tokio::test]
async fn a_task_cancelled_meanwhile_is_refused_and_a_moved_case_leaves_the_members_phone() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (member, token) = seated_member(&app, &w).await;
    let due = (Utc::now().date_naive() + Duration::days(7)).to_string();
    let r = app
        .gql(
            Some(&w.officer),
            ASSIGN,
            json!({"i": {"caseId": w.case, "memberId": member, "title": "Visit the family", "dueOn": due}}),
        )
        .await;
    let task = s(r.ok(), "assignMahallaTask.id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "visibility": "MAHALLA", "body": "The family is supportive"}}),
        )
        .await;
    let note = s(r.ok(), "addCaseNote.id").to_owned();

    let phone = device(&app, &token, "member-phone").await;
    let (records, _, cursor) = pull_all(&app, &token, &phone, None).await;
    assert!(ids_of(&records, "MAHALLA_TASK").contains(&task));
    assert!(ids_of(&records, "CASE_NOTE").contains(&note));
    assert!(ids_of(&records, "CASE").contains(&w.case));

    // The officer cancels the task while the member, offline, records it as done.
    let r = app
        .gql(
            Some(&w.officer),
            CANCEL,
            json!({"i": {"id": task, "reason": "Family moved", "expectedVersion": 1}}),
        )
        .await;
    assert_eq!(r.ok()["cancelMahallaTask"]["version"], 2);
    let r = app
        .gql(
            Some(&token),
            PUSH,
            json!({"d": phone, "c": [change("t1", "MAHALLA_TASK", json!({"id": task, "baseVersion": 1,
                "base": {"status": "OPEN", "outcome": null},
                "values": {"status": "DONE", "outcome": "Talked with the mother"}}))]}),
        )
        .await;
    let result = &r.ok()["sync"]["push"][0];
    assert_eq!(result["status"], "REJECTED");
    assert_eq!(result["error"]["code"], "INVALID_TRANSITION");
    assert_eq!(result["record"]["status"], "CANCELLED");
    assert_eq!(result["record"]["cancelReason"], "Family moved");

    // The case moves to mahalla B: the member's phone drops it and what hangs off it.
    app.gql(
        Some(&w.officer),
        "mutation($id: ID!, $i: UpdateCaseInput!) { updateCase(id: $id, input: $i) { id } }",
        json!({"id": w.case, "i": {"mahallaId": w.mahalla_b}}),
    )
    .await
    .ok();
    let (records, tombstones, _) = pull_all(&app, &token, &phone, Some(cursor)).await;
    assert_eq!(ids_of(&tombstones, "CASE"), [w.case.clone()].into());
    assert_eq!(ids_of(&tombstones, "CASE_NOTE"), [note.clone()].into());
    assert!(ids_of(&records, "CASE").is_empty());
    assert!(ids_of(&records, "CASE_NOTE").is_empty());
    let leaked: Vec<&Value> = records
        .iter()
        .filter(|r| r["data"]["caseId"] == json!(w.case) && r["kind"] != "MAHALLA_TASK")
        .collect();
    assert!(leaked.is_empty(), "{leaked:?}");
}

#[tokio::test]
async fn a_revoked_device_is_told_to_wipe_and_pushes_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let phone = device(&app, &w.inspector, "lost-phone").await;
    let listed = app
        .gql(
            Some(&w.admin),
            "{ sync { devices { totalCount edges { node { id model user { id } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.ok()["sync"]["devices"]["totalCount"], 1);
    // Another user cannot pull through it.
    app.gql(Some(&w.officer), PULL, json!({"d": phone}))
        .await
        .expect_code("NOT_FOUND");
    let r = app
        .gql(
            Some(&w.admin),
            "mutation($id: ID!) { sync { revokeDevice(id: $id) { revokedAt } } }",
            json!({"id": phone}),
        )
        .await;
    assert!(r.ok()["sync"]["revokeDevice"]["revokedAt"].is_string());
    let r = app.gql(Some(&w.inspector), PULL, json!({"d": phone})).await;
    assert_eq!(r.ok()["sync"]["pull"]["wipe"], true);
    assert_eq!(r.ok()["sync"]["pull"]["records"], json!([]));
    app.gql(Some(&w.inspector), PUSH, json!({"d": phone, "c": []}))
        .await
        .expect_code("FORBIDDEN");
}
