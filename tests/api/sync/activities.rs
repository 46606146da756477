//! Optimistic concurrency on programme activities: `expectedVersion` answers CONFLICT
//! with the activity as it is, like the other versioned records.

use chrono::{Duration, Utc};
use serde_json::json;

use super::seated_member;
use crate::helpers::{s, spawn_app};
use crate::world::world;

const RECORD: &str = "mutation($i: RecordProgrammeActivityInput!) { recordProgrammeActivity(input: $i) { id status version } }";

#[tokio::test]
async fn recording_an_activity_from_an_old_version_is_a_conflict_with_the_current_one() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (_, member) = seated_member(&app, &w).await;
    let today = Utc::now().date_naive();
    let r = app
        .gql(
            Some(&member),
            "mutation($i: CreatePreventionProgrammeInput!) { createPreventionProgramme(input: $i) { id } }",
            json!({"i": {"mahallaId": w.mahalla_a, "title": "Programme", "periodStart": (today - Duration::days(10)).to_string(),
                "periodEnd": (today + Duration::days(300)).to_string(), "objectives": "No repeat offences"}}),
        )
        .await;
    let programme = s(r.ok(), "createPreventionProgramme.id").to_owned();
    let r = app
        .gql(
            Some(&member),
            "mutation($i: AddProgrammeActivityInput!) { addProgrammeActivity(input: $i) { id version } }",
            json!({"i": {"programmeId": programme, "kind": "LEGAL_EDUCATION", "title": "Rights talk",
                "plannedOn": (today - Duration::days(1)).to_string(), "caseIds": []}}),
        )
        .await;
    assert_eq!(r.ok()["addProgrammeActivity"]["version"], 1);
    let activity = s(r.ok(), "addProgrammeActivity.id").to_owned();
    let done = |v: i32| {
        json!({"i": {"id": activity, "status": "DONE", "doneOn": (today - Duration::days(1)).to_string(),
            "result": "Forty people came", "participants": 40, "expectedVersion": v}})
    };

    // A client that started from a version the activity never had is told, with the
    // activity as it is; nothing was written.
    let stale = app.gql(Some(&member), RECORD, done(7)).await;
    stale.expect_code("CONFLICT");
    let current = &stale.body["errors"][0]["extensions"]["current"];
    assert_eq!(current["version"], 1);
    assert_eq!(current["status"], "PLANNED");

    let r = app.gql(Some(&member), RECORD, done(1)).await;
    assert_eq!(r.ok()["recordProgrammeActivity"]["status"], "DONE");
    assert_eq!(r.ok()["recordProgrammeActivity"]["version"], 2);

    // Recorded meanwhile: refused as a transition, with the activity as it is now.
    let again = app
        .gql(
            Some(&member),
            RECORD,
            json!({"i": {"id": activity, "status": "CANCELLED", "result": "Rain", "expectedVersion": 1}}),
        )
        .await;
    again.expect_code("INVALID_TRANSITION");
    assert_eq!(again.body["errors"][0]["extensions"]["current"]["version"], 2);
    assert_eq!(again.body["errors"][0]["extensions"]["current"]["status"], "DONE");
}
