//! Attendance through offline sync (`education.attendance`, a kind the module declares):
//! the teacher's phone pulls the entries of the college's enrolments, records a class
//! and corrects an entry offline; a correction made online meanwhile is a conflict
//! shown with its three values and settled. Who may not read an enrolment's attendance
//! neither pulls nor pushes it.

use serde_json::{Value, json};

use super::{Edu, apply, attend, day, enable, intake, programme, refer, setup, step};
use crate::helpers::{TestApp, s, spawn_app};
use crate::sync::{CONFLICTS, PUSH, RESOLVE, device, pull_all};
use crate::world::create_user;

const KIND: &str = "education.attendance";

fn attendance(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| r["kind"] == "MODULE" && r["moduleKind"] == KIND)
        .collect()
}

/// An ATTENDING enrolment of the world's case at the college: its id.
async fn attending(app: &TestApp, e: &Edu) -> String {
    let welding = programme(app, e, json!({})).await;
    let running = intake(app, e, &welding, -21, 12).await;
    let referral = refer(app, e, &e.w.case, &e.w.person, json!({})).await;
    let r = apply(app, &e.teacher, &referral, &running).await;
    let id = s(&r.ok()["education"]["applyForEnrolment"], "id").to_owned();
    for name in ["enrol", "startAttending"] {
        step(app, &e.teacher, name, "EnrolmentStepInput", &id, json!({}))
            .await
            .ok();
    }
    id
}

/// The attendance entries of every enrolment the caller reads.
async fn read_entries(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app
        .gql(
            Some(token),
            "{ education { enrolments(first: 20) { edges { node { attendance(first: 50) { edges { node { id status note version } } } } } } } }",
            json!({}),
        )
        .await;
    r.ok()["education"]["enrolments"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| {
            e["node"]["attendance"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|e| e["node"].clone())
        .collect()
}

fn ids(v: &[&Value]) -> Vec<String> {
    let mut out: Vec<String> = v.iter().map(|x| s(x, "id").to_owned()).collect();
    out.sort();
    out
}

#[tokio::test]
async fn attendance_is_pulled_pushed_and_a_correction_on_both_sides_is_a_conflict() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let enrolment = attending(&app, &e).await;
    attend(&app, &e.teacher, &enrolment, &[(-2, "ABSENT")]).await.ok();

    // The teacher's phone fills itself: the entry, as the enrolment's attendance shows it.
    let phone = device(&app, &e.teacher, "teacher-phone").await;
    let (records, _, cursor) = pull_all(&app, &e.teacher, &phone, None).await;
    let pulled = attendance(&records);
    assert_eq!(pulled.len(), 1, "{records:?}");
    let entry = s(pulled[0], "id").to_owned();
    assert_eq!(pulled[0]["data"]["status"], "ABSENT");
    assert_eq!(pulled[0]["data"]["version"], 1);
    assert_eq!(pulled[0]["data"]["enrolmentId"], json!(enrolment));

    // Exactly what each caller's reads show: the college, the case's officer; nothing
    // for the member of the seven (their committee has the module on, but the seven do
    // not read enrolments), nor for the other district's probation service, the
    // inspector's police or the employment centre (module off).
    let (_, committee) = create_user(&app, &w.admin, &w.mfy_a, "mfy.admin", &["ORG_ADMIN"], &[]).await;
    enable(&app, &committee, None).await.ok();
    for (who, token) in [
        ("teacher", &e.teacher),
        ("officer", &w.officer),
        ("other district's officer", &w.officer_other),
        ("member", &w.member_a),
        ("inspector", &w.inspector),
        ("partner", &w.partner),
    ] {
        let phone = device(&app, token, &format!("{who}-phone")).await;
        let (records, _, _) = pull_all(&app, token, &phone, None).await;
        let shown = if ["teacher", "officer", "member"].contains(&who) {
            read_entries(&app, token).await
        } else {
            Vec::new()
        };
        assert_eq!(
            ids(&attendance(&records)),
            ids(&shown.iter().collect::<Vec<_>>()),
            "{who}"
        );
    }

    // Online, the college's admin corrects the entry (an excused absence); a web client
    // that started from version 1 afterwards is told.
    let correct = |v: i32, status: &str| json!({"i": {"enrolmentId": enrolment, "entries": [{"on": day(-2), "status": status, "expectedVersion": v}]}});
    let record = "mutation($i: RecordAttendanceInput!) { education { recordAttendance(input: $i) { id } } }";
    app.gql(Some(&e.college_admin), record, correct(1, "EXCUSED"))
        .await
        .ok();
    let stale = app.gql(Some(&e.college_admin), record, correct(1, "LATE")).await;
    stale.expect_code("CONFLICT");
    assert_eq!(stale.body["errors"][0]["extensions"]["current"]["version"], 2);
    assert_eq!(
        stale.body["errors"][0]["extensions"]["current"]["status"],
        "EXCUSED"
    );

    // Offline, the phone marked the person present with a note, and recorded yesterday.
    let changes = json!([
        {"changeId": "a1", "kind": "MODULE", "moduleKind": KIND, "id": entry, "baseVersion": 1,
         "base": {"status": "ABSENT", "note": null},
         "values": {"status": "PRESENT", "note": "Came after the first hour"}},
        {"changeId": "a2", "kind": "MODULE", "moduleKind": KIND, "clientId": "yesterday",
         "values": {"enrolmentId": enrolment, "on": day(-1), "status": "PRESENT"}},
    ]);
    let r = app
        .gql(Some(&e.teacher), PUSH, json!({"d": phone, "c": changes}))
        .await;
    let results = r.ok()["sync"]["push"].as_array().expect("results").clone();
    assert_eq!(results[0]["status"], "CONFLICT", "{results:?}");
    assert_eq!(results[0]["moduleKind"], KIND);
    assert_eq!(results[0]["record"]["note"], "Came after the first hour");
    assert_eq!(results[0]["record"]["status"], "EXCUSED");
    assert_eq!(results[0]["record"]["version"], 3);
    let conflict = &results[0]["conflicts"][0];
    assert_eq!(
        (
            &conflict["field"],
            &conflict["baseValue"],
            &conflict["phoneValue"],
            &conflict["serverValue"]
        ),
        (
            &json!("status"),
            &json!("ABSENT"),
            &json!("PRESENT"),
            &json!("EXCUSED")
        )
    );
    assert_eq!(results[1]["status"], "APPLIED", "{results:?}");
    assert_eq!(results[1]["clientId"], "yesterday");
    let created = s(&results[1], "id").to_owned();
    assert_eq!(results[1]["record"]["id"], json!(created));

    // Replayed: answered as before, nothing new.
    let again = app
        .gql(Some(&e.teacher), PUSH, json!({"d": phone, "c": changes}))
        .await;
    let replayed = again.ok()["sync"]["push"].as_array().expect("results").clone();
    assert!(replayed.iter().all(|r| r["replayed"] == true));
    assert_eq!(replayed[1]["id"], json!(created));
    assert_eq!(read_entries(&app, &e.teacher).await.len(), 2);

    // The conflict is the teacher's to settle (and the officer in charge sees it).
    for token in [&e.teacher, &w.officer] {
        let r = app.gql(Some(token), CONFLICTS, json!({})).await;
        assert_eq!(r.ok()["sync"]["conflicts"]["totalCount"], 1);
    }
    let id = s(conflict, "id").to_owned();
    let r = app
        .gql(Some(&e.teacher), RESOLVE, json!({"c": id, "ch": "TAKE_PHONE"}))
        .await;
    assert_eq!(r.ok()["sync"]["resolve"]["resolution"], "TAKE_PHONE");
    let entries = read_entries(&app, &e.teacher).await;
    let settled = entries.iter().find(|x| x["id"] == json!(entry)).expect("entry");
    assert_eq!(settled["status"], "PRESENT");
    assert_eq!(settled["note"], "Came after the first hour");
    assert_eq!(settled["version"], 4);

    // The phone's next pull brings both entries as they are now.
    let (records, _, _) = pull_all(&app, &e.teacher, &phone, Some(cursor)).await;
    let pulled = attendance(&records);
    assert_eq!(ids(&pulled), {
        let mut v = vec![entry.clone(), created.clone()];
        v.sort();
        v
    });

    // Who may not record the enrolment's attendance is refused, and nothing changes:
    // the officer reads it but does not work it; the member does not see it; the
    // inspector's organisation has the module off.
    let change = |n: &str| {
        json!([{"changeId": n, "kind": "MODULE", "moduleKind": KIND, "id": entry, "baseVersion": 4,
                "values": {"status": "ABSENT"}}])
    };
    let officer_phone = device(&app, &w.officer, "officer-phone-2").await;
    let r = app
        .gql(
            Some(&w.officer),
            PUSH,
            json!({"d": officer_phone, "c": change("o1")}),
        )
        .await;
    assert_eq!(r.ok()["sync"]["push"][0]["status"], "REJECTED");
    assert_eq!(r.ok()["sync"]["push"][0]["error"]["code"], "FORBIDDEN");
    let member_phone = device(&app, &w.member_a, "member-phone-2").await;
    let r = app
        .gql(
            Some(&w.member_a),
            PUSH,
            json!({"d": member_phone, "c": change("m1")}),
        )
        .await;
    assert_eq!(r.ok()["sync"]["push"][0]["status"], "REJECTED");
    assert_eq!(r.ok()["sync"]["push"][0]["error"]["code"], "NOT_FOUND");
    let inspector_phone = device(&app, &w.inspector, "inspector-phone-2").await;
    let r = app
        .gql(
            Some(&w.inspector),
            PUSH,
            json!({"d": inspector_phone, "c": change("i1")}),
        )
        .await;
    assert_eq!(r.ok()["sync"]["push"][0]["status"], "REJECTED");
    assert_eq!(r.ok()["sync"]["push"][0]["error"]["code"], "MODULE_DISABLED");
    let entries = read_entries(&app, &e.teacher).await;
    let still = entries.iter().find(|x| x["id"] == json!(entry)).expect("entry");
    assert_eq!(still["status"], "PRESENT");
}
