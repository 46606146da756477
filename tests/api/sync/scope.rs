//! A pull carries exactly what the caller's reads show: the same access rules decide
//! both. Checked for a member of the seven, the inspector, the officer of another
//! district, and a partner.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::{check_in, device, ids_of, pull_all, seated_member};
use crate::helpers::{TestApp, s, spawn_app};
use crate::world::{create_case, create_person, world};

const READS: &str = "{
  cases(first: 20) { edges { node { id notes(first: 10) { edges { node { id } } } } } }
  mahallaTasks(first: 20) { edges { node { id } } }
  preventionProgrammes(first: 5) { edges { node { activities(first: 10) { edges { node { id } } } } } }
}";

fn edges(v: &Value) -> Vec<&Value> {
    v["edges"]
        .as_array()
        .map(|e| e.iter().map(|e| &e["node"]).collect())
        .unwrap_or_default()
}

/// What the caller's reads show, by kind.
async fn reads(app: &TestApp, token: &str, appointments: bool) -> Vec<(&'static str, BTreeSet<String>)> {
    let r = app.gql(Some(token), READS, json!({})).await;
    let data = r.ok();
    let cases = edges(&data["cases"]);
    let ids =
        |nodes: Vec<&Value>| -> BTreeSet<String> { nodes.iter().map(|n| s(n, "id").to_owned()).collect() };
    let notes = cases.iter().flat_map(|c| edges(&c["notes"])).collect();
    let activities = edges(&data["preventionProgrammes"])
        .iter()
        .flat_map(|p| edges(&p["activities"]))
        .collect();
    let mut out = vec![
        ("CASE", ids(cases.clone())),
        ("CASE_NOTE", ids(notes)),
        ("MAHALLA_TASK", ids(edges(&data["mahallaTasks"]))),
        ("PROGRAMME_ACTIVITY", ids(activities)),
    ];
    let shown = if appointments {
        let r = app
            .gql(
                Some(token),
                "{ appointments(first: 100) { edges { node { id } } } }",
                json!({}),
            )
            .await;
        ids(edges(&r.ok()["appointments"]))
    } else {
        BTreeSet::new()
    };
    out.push(("APPOINTMENT", shown));
    out
}

#[tokio::test]
async fn a_pull_carries_exactly_what_the_callers_reads_show() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (member, member_token) = seated_member(&app, &w).await;
    // A second case in mahalla B, notes at every visibility, a task, an appointment,
    // a programme with an activity.
    let person_b = create_person(&app, &w.officer, &w.mahalla_b, "31505901234568").await;
    let case_b = create_case(&app, &w.officer, &person_b, json!({})).await;
    for (case, visibility) in [
        (&w.case, "MAHALLA"),
        (&w.case, "AGENCIES"),
        (&w.case, "PROBATION"),
        (&case_b, "MAHALLA"),
    ] {
        app.gql(
            Some(&w.officer),
            "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }",
            json!({"i": {"caseId": case, "visibility": visibility, "body": "note"}}),
        )
        .await
        .ok();
    }
    check_in(&app, &w.officer, &w.case, "visited").await;
    let due = (Utc::now().date_naive() + Duration::days(7)).to_string();
    app.gql(
        Some(&w.inspector),
        "mutation($i: AssignMahallaTaskInput!) { assignMahallaTask(input: $i) { id } }",
        json!({"i": {"caseId": w.case, "memberId": member, "title": "Visit", "dueOn": due}}),
    )
    .await
    .ok();
    let today = Utc::now().date_naive();
    let r = app
        .gql(
            Some(&member_token),
            "mutation($i: CreatePreventionProgrammeInput!) { createPreventionProgramme(input: $i) { id } }",
            json!({"i": {"mahallaId": w.mahalla_a, "title": "Programme", "periodStart": (today - Duration::days(10)).to_string(),
                "periodEnd": (today + Duration::days(300)).to_string(), "objectives": "No repeat offences"}}),
        )
        .await;
    let programme = s(r.ok(), "createPreventionProgramme.id").to_owned();
    app.gql(
        Some(&member_token),
        "mutation($i: AddProgrammeActivityInput!) { addProgrammeActivity(input: $i) { id } }",
        json!({"i": {"programmeId": programme, "kind": "LEGAL_EDUCATION", "title": "Rights talk",
            "plannedOn": (today + Duration::days(5)).to_string(), "caseIds": []}}),
    )
    .await
    .ok();

    for (who, token, appointments) in [
        ("member", member_token.as_str(), false),
        ("inspector", w.inspector.as_str(), true),
        ("officer", w.officer.as_str(), true),
        ("other district's officer", w.officer_other.as_str(), true),
        ("partner", w.partner.as_str(), false),
    ] {
        let phone = device(&app, token, &format!("{who}-phone")).await;
        let (records, tombstones, _) = pull_all(&app, token, &phone, None).await;
        assert!(tombstones.is_empty());
        for (kind, shown) in reads(&app, token, appointments).await {
            assert_eq!(ids_of(&records, kind), shown, "{who}: {kind}");
        }
    }
    // The member sees the MAHALLA notes of their mahalla's case only.
    let phone = device(&app, &member_token, "member-phone-2").await;
    let (records, _, _) = pull_all(&app, &member_token, &phone, None).await;
    let notes: Vec<&Value> = records.iter().filter(|r| r["kind"] == "CASE_NOTE").collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["data"]["visibility"], "MAHALLA");
    assert!(records.iter().all(|r| r["kind"] != "APPOINTMENT"));
}
