//! The education module through GraphQL alone: programmes and intakes, finding one that
//! fits a case, the referral → enrolment → attendance → completion path with its
//! absence alert and plan goal, the last-seat race, refused transitions, the HSDS
//! export, and an organisation without the module.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, s, spawn_app};
use crate::world::{World, create_case, create_org, create_person, create_user, set_status, world};

struct Edu {
    w: World,
    college: String,
    college_admin: String,
    teacher: String,
}

const CONFIGURE: &str = "mutation($i: ConfigureModuleInput!) {
    configureModule(input: $i) { id enabled config } }";

async fn enable(app: &TestApp, org_admin: &str, config: Option<Value>) -> Resp {
    let mut input = json!({"moduleId": "education", "enabled": true});
    if let Some(c) = config {
        input["config"] = c;
    }
    app.gql(Some(org_admin), CONFIGURE, json!({"i": input})).await
}

/// The world, a college with the module (alert after 3 absences) and the probation
/// service with it too (to find programmes).
async fn setup(app: &TestApp) -> Edu {
    let w = world(app).await;
    let college = create_org(
        app,
        &w.admin,
        "Samarqand polytechnic college",
        "EDUCATION",
        Some(&w.district),
    )
    .await;
    let (_, college_admin) = create_user(app, &w.admin, &college, "college.admin", &["ORG_ADMIN"], &[]).await;
    let (_, teacher) = create_user(app, &w.admin, &college, "teacher", &["PARTNER_STAFF"], &[]).await;
    enable(app, &college_admin, Some(json!({"absence_alert_after": 3})))
        .await
        .ok();
    enable(app, &w.org_admin, None).await.ok();
    Edu {
        w,
        college,
        college_admin,
        teacher,
    }
}

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

const PROGRAMME: &str = "id title kind remote startTime endTime classDays certificate minEducation
    provider { id } district { id }";

async fn create_programme(app: &TestApp, token: &str, e: &Edu, extra: Value) -> Resp {
    let mut input = json!({
        "title": "Welding", "kind": "VOCATIONAL", "subject": "Electric arc welding", "language": "uz",
        "territoryId": e.w.district, "classDays": ["MONDAY", "WEDNESDAY", "FRIDAY"],
        "startTime": "09:00:00", "endTime": "13:00:00", "durationWeeks": 12,
        "minEducation": "BASIC_SECONDARY", "certificate": "Welder, 3rd grade"
    });
    if let (Some(base), Value::Object(more)) = (input.as_object_mut(), extra) {
        base.extend(more);
    }
    app.gql(
        Some(token),
        &format!("mutation($i: EducationProgrammeInput!) {{ education {{ createProgramme(input: $i) {{ {PROGRAMME} }} }} }}"),
        json!({"i": input}),
    )
    .await
}

async fn programme(app: &TestApp, e: &Edu, extra: Value) -> String {
    let r = create_programme(app, &e.teacher, e, extra).await;
    s(r.ok(), "education.createProgramme.id").to_owned()
}

async fn intake(app: &TestApp, e: &Edu, programme: &str, starts: i64, seats: i32) -> String {
    let r = app
        .gql(
            Some(&e.teacher),
            "mutation($i: AddEducationIntakeInput!) { education { addIntake(input: $i) { id seatsLeft } } }",
            json!({"i": {"programmeId": programme, "startsOn": day(starts), "seats": seats}}),
        )
        .await;
    s(r.ok(), "education.addIntake.id").to_owned()
}

/// A consent for education with the college, and a referral sent to it.
async fn refer(app: &TestApp, e: &Edu, case: &str, person: &str, extra: Value) -> String {
    let r = app
        .gql(
            Some(&e.w.officer),
            "mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id live } }",
            json!({"i": {
                "personId": person, "purpose": "education", "organisationId": e.college,
                "dataScope": ["IDENTITY", "SENTENCE_CONDITIONS"], "evidence": "Form 12/2026"
            }}),
        )
        .await;
    r.ok();
    let mut input = json!({
        "caseId": case, "kind": "education", "toOrganisationId": e.college,
        "summary": "Left school after grade 9; wants a trade",
        "payload": {"priorEducation": "SECONDARY"}
    });
    if let (Some(base), Value::Object(more)) = (input.as_object_mut(), extra) {
        base.extend(more);
    }
    let r = app
        .gql(
            Some(&e.w.officer),
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
            json!({"i": input}),
        )
        .await;
    let id = s(r.ok(), "createReferral.referral.id").to_owned();
    app.gql(
        Some(&e.w.officer),
        "mutation($i: SendReferralInput!) { sendReferral(input: $i) { referral { status } } }",
        json!({"i": {"id": id}}),
    )
    .await
    .ok();
    id
}

const ENROLMENT: &str = "id status reason consecutiveAbsences absenceAlertOpen attendanceRate result
    certificateNumber certificateDate referral { id status } intake { seatsTaken seatsLeft }
    history { fromStatus toStatus reason }";

async fn apply(app: &TestApp, token: &str, referral: &str, intake: &str) -> Resp {
    app.gql(
        Some(token),
        &format!("mutation($i: ApplyForEnrolmentInput!) {{ education {{ applyForEnrolment(input: $i) {{ {ENROLMENT} }} }} }}"),
        json!({"i": {"referralId": referral, "intakeId": intake}}),
    )
    .await
}

/// Run an enrolment step: `name` is the mutation, `input_type` its input, `extra` the
/// input beyond the enrolment id.
async fn step(app: &TestApp, token: &str, name: &str, input_type: &str, id: &str, extra: Value) -> Resp {
    let mut input = json!({"enrolmentId": id});
    if let (Some(base), Value::Object(more)) = (input.as_object_mut(), extra) {
        base.extend(more);
    }
    app.gql(
        Some(token),
        &format!("mutation($i: {input_type}!) {{ education {{ {name}(input: $i) {{ {ENROLMENT} }} }} }}"),
        json!({"i": input}),
    )
    .await
}

async fn attend(app: &TestApp, token: &str, id: &str, entries: &[(i64, &str)]) -> Resp {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(d, st)| json!({"on": day(*d), "status": st}))
        .collect();
    step(
        app,
        token,
        "recordAttendance",
        "RecordAttendanceInput",
        id,
        json!({"entries": entries}),
    )
    .await
}

async fn events_of(app: &TestApp, token: &str, case: &str, kind: &str) -> Vec<Value> {
    let r = app
        .gql(
            Some(token),
            "query($f: DomainEventFilterInput) { events(first: 50, filter: $f) { edges { node { type payload } } } }",
            json!({"f": {"caseId": case, "types": [kind]}}),
        )
        .await;
    r.ok()["events"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| x["node"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_case_is_referred_enrolled_alerted_and_completes_with_a_certificate() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;

    // The officer's plan has an education goal.
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($c: ID!) { createRehabilitationPlan(caseId: $c) { id } }",
            json!({"c": w.case}),
        )
        .await;
    let plan = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: AddPlanGoalInput!) { addPlanGoal(input: $i) { id status } }",
            json!({"i": {"planId": plan, "domain": "EDUCATION", "description": "Learn a trade"}}),
        )
        .await;
    let goal = s(r.ok(), "addPlanGoal.id").to_owned();

    // A welding course that started three weeks ago, still taking people.
    let welding = programme(&app, &e, json!({})).await;
    let running = intake(&app, &e, &welding, -21, 12).await;

    // The officer finds it fitting the case (day classes, inside the district).
    let r = app
        .gql(
            Some(&w.officer),
            "query($c: ID!, $f: EducationIntakeFilter) { education { programmeMatches(caseId: $c, priorEducation: SECONDARY, filter: $f, fitsOnly: true) {
                totalCount edges { node { fits issues { code } intake { id } programme { title } } } } } }",
            json!({"c": w.case, "f": {"startsFrom": day(-60)}}),
        )
        .await;
    let m = &r.ok()["education"]["programmeMatches"];
    assert_eq!(m["totalCount"], 1, "{m}");
    assert_eq!(m["edges"][0]["node"]["fits"], true);
    assert_eq!(m["edges"][0]["node"]["intake"]["id"], json!(running));

    let referral = refer(&app, &e, &w.case, &w.person, json!({"planGoalId": goal})).await;

    // The college applies, enrols and starts the person: the referral follows.
    let r = apply(&app, &e.teacher, &referral, &running).await;
    let en = &r.ok()["education"]["applyForEnrolment"];
    assert_eq!(en["status"], "APPLIED");
    assert_eq!(en["referral"]["status"], "ACCEPTED");
    let id = s(en, "id").to_owned();
    let r = step(&app, &e.teacher, "enrol", "EnrolmentStepInput", &id, json!({})).await;
    assert_eq!(r.ok()["education"]["enrol"]["intake"]["seatsTaken"], 1);
    let r = step(
        &app,
        &e.teacher,
        "startAttending",
        "EnrolmentStepInput",
        &id,
        json!({}),
    )
    .await;
    let en = &r.ok()["education"]["startAttending"];
    assert_eq!(en["status"], "ATTENDING");
    assert_eq!(en["referral"]["status"], "IN_PROGRESS");

    // Two classes attended, then two absences: no alert yet; a third: the alert.
    let r = attend(
        &app,
        &e.teacher,
        &id,
        &[
            (-14, "PRESENT"),
            (-12, "LATE"),
            (-10, "ABSENT"),
            (-9, "EXCUSED"),
            (-7, "ABSENT"),
        ],
    )
    .await;
    let en = &r.ok()["education"]["recordAttendance"];
    assert_eq!(en["consecutiveAbsences"], 2);
    assert_eq!(en["absenceAlertOpen"], false);
    assert!(
        events_of(&app, &w.officer, &w.case, "education.absence_alert")
            .await
            .is_empty()
    );
    let r = attend(&app, &e.teacher, &id, &[(-5, "ABSENT")]).await;
    let en = &r.ok()["education"]["recordAttendance"];
    assert_eq!(en["consecutiveAbsences"], 3);
    assert_eq!(en["absenceAlertOpen"], true);
    assert_eq!(en["attendanceRate"], json!(0.4));
    let alerts = events_of(&app, &w.officer, &w.case, "education.absence_alert").await;
    assert_eq!(alerts.len(), 1, "the probation officer sees the alert");
    assert_eq!(alerts[0]["payload"]["consecutiveAbsences"], 3);
    assert_eq!(alerts[0]["payload"]["threshold"], 3);
    // A fourth absence does not alert again.
    attend(&app, &e.teacher, &id, &[(-3, "ABSENT")]).await.ok();
    assert_eq!(
        events_of(&app, &w.officer, &w.case, "education.absence_alert")
            .await
            .len(),
        1
    );

    // The person comes back: the alert closes.
    let r = attend(&app, &e.teacher, &id, &[(-1, "PRESENT")]).await;
    assert_eq!(r.ok()["education"]["recordAttendance"]["absenceAlertOpen"], false);
    assert_eq!(
        events_of(&app, &w.officer, &w.case, "education.attendance_recovered")
            .await
            .len(),
        1
    );

    // Passing without the certificate's number is refused; with it, done.
    step(
        &app,
        &e.teacher,
        "completeEnrolment",
        "CompleteEnrolmentInput",
        &id,
        json!({"result": "PASSED"}),
    )
    .await
    .expect_code("BAD_USER_INPUT");
    let r = step(
        &app,
        &e.teacher,
        "completeEnrolment",
        "CompleteEnrolmentInput",
        &id,
        json!({"result": "PASSED", "certificateNumber": "SPK-2026-0042"}),
    )
    .await;
    let en = &r.ok()["education"]["completeEnrolment"];
    assert_eq!(en["status"], "COMPLETED");
    assert_eq!(en["certificateNumber"], "SPK-2026-0042");
    assert_eq!(en["certificateDate"], json!(day(0)));
    assert_eq!(en["referral"]["status"], "COMPLETED");
    let statuses: Vec<&str> = en["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["toStatus"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["APPLIED", "ENROLLED", "ATTENDING", "COMPLETED"]);

    // The plan goal shows the result, as an action done by the college.
    let r = app
        .gql(
            Some(&w.officer),
            "query($c: ID!) { case(id: $c) { rehabilitationPlan { goals { id status actions { description status ownerOrganisation { id } } } } } }",
            json!({"c": w.case}),
        )
        .await;
    let g = &r.ok()["case"]["rehabilitationPlan"]["goals"][0];
    assert_eq!(g["status"], "ACHIEVED");
    let action = &g["actions"][0];
    assert_eq!(action["status"], "DONE");
    assert_eq!(action["ownerOrganisation"]["id"], json!(e.college));
    let text = s(action, "description");
    assert!(
        text.contains("Welding") && text.contains("SPK-2026-0042"),
        "{text}"
    );
}

/// A case with a 22:00–06:00 curfew that must stay within its district, a person born
/// in 1990 with complete secondary education.
#[tokio::test]
async fn matches_say_why_an_intake_does_not_fit_and_fits_only_agrees() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($c: ID!, $i: CaseConditionInput!) { addCaseCondition(caseId: $c, input: $i) { id } }",
            json!({"c": w.case, "i": {"kind": "STAY_WITHIN_AREA", "territoryId": w.district}}),
        )
        .await;
    r.ok();

    let day_class = programme(&app, &e, json!({"title": "Day welding"})).await;
    let evening = programme(
        &app,
        &e,
        json!({"title": "Evening sewing", "startTime": "18:00:00", "endTime": "22:30:00"}),
    )
    .await;
    let elsewhere = programme(
        &app,
        &e,
        json!({"title": "Urgut carpentry", "territoryId": w.other_district}),
    )
    .await;
    let remote = programme(
        &app,
        &e,
        json!({"title": "Know your rights", "kind": "LEGAL_EDUCATION", "territoryId": null,
               "classDays": [], "startTime": null, "endTime": null, "minEducation": null, "certificate": null}),
    )
    .await;
    let older = programme(&app, &e, json!({"title": "Farming for elders", "minAge": 40})).await;
    let higher = programme(&app, &e, json!({"title": "Accounting", "minEducation": "HIGHER"})).await;
    for p in [&day_class, &evening, &elsewhere, &remote, &older, &higher] {
        intake(&app, &e, p, 7, 10).await;
    }

    let q = "query($c: ID!, $fits: Boolean!, $edu: EducationLevel) { education {
        programmeMatches(caseId: $c, priorEducation: $edu, fitsOnly: $fits, first: 50) {
            totalCount edges { node { fits issues { code message } programme { title } } } } } }";
    let r = app
        .gql(
            Some(&w.officer),
            q,
            json!({"c": w.case, "fits": false, "edu": "SECONDARY"}),
        )
        .await;
    let edges = r.ok()["education"]["programmeMatches"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let by_title = |t: &str| {
        edges
            .iter()
            .find(|e| e["node"]["programme"]["title"] == t)
            .map(|e| e["node"].clone())
            .expect(t)
    };
    let codes = |t: &str| -> Vec<String> {
        by_title(t)["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| s(i, "code").to_owned())
            .collect()
    };
    assert_eq!(by_title("Day welding")["fits"], true);
    assert_eq!(by_title("Know your rights")["fits"], true);
    assert_eq!(codes("Evening sewing"), ["CURFEW"]);
    let why = s(&by_title("Evening sewing")["issues"][0], "message").to_owned();
    assert!(why.contains("22:00"), "{why}");
    assert_eq!(codes("Urgut carpentry"), ["OUTSIDE_ALLOWED_AREA"]);
    assert_eq!(codes("Farming for elders"), ["TOO_YOUNG"]);
    assert_eq!(codes("Accounting"), ["EDUCATION_BELOW_MINIMUM"]);

    // Without the person's education, a programme with a minimum cannot be judged.
    let r = app
        .gql(
            Some(&w.officer),
            q,
            json!({"c": w.case, "fits": false, "edu": null}),
        )
        .await;
    let unknown = r.ok()["education"]["programmeMatches"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["programme"]["title"] == "Day welding")
        .map(|e| e["node"]["issues"][0]["code"].clone());
    assert_eq!(unknown, Some(json!("EDUCATION_UNKNOWN")));

    // fitsOnly (filtered in SQL) lists exactly those the explanation says fit.
    let r = app
        .gql(
            Some(&w.officer),
            q,
            json!({"c": w.case, "fits": true, "edu": "SECONDARY"}),
        )
        .await;
    let mut fitting: Vec<String> = r.ok()["education"]["programmeMatches"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            assert_eq!(e["node"]["fits"], true);
            s(&e["node"], "programme.title").to_owned()
        })
        .collect();
    fitting.sort();
    assert_eq!(fitting, ["Day welding", "Know your rights"]);

    // Nobody outside the case's supervision learns its conditions this way.
    for token in [&w.officer_other, &w.member_a] {
        let r = app
            .gql(Some(token), q, json!({"c": w.case, "fits": false, "edu": null}))
            .await;
        assert!(
            matches!(r.code(), Some("NOT_FOUND" | "MODULE_DISABLED" | "FORBIDDEN")),
            "{:?}",
            r.body
        );
    }
    let r = app
        .gql(
            Some(&e.teacher),
            q,
            json!({"c": w.case, "fits": false, "edu": null}),
        )
        .await;
    r.expect_code("NOT_FOUND");

    // And the college cannot apply for the evening class: it breaks the curfew.
    let evening_intake = intake(&app, &e, &evening, 14, 5).await;
    let referral = refer(&app, &e, &w.case, &w.person, json!({})).await;
    let r = apply(&app, &e.teacher, &referral, &evening_intake).await;
    r.expect_code("CONFLICT");
    let msg = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("curfew"), "{msg}");
}

#[tokio::test]
async fn two_enrolments_never_take_the_same_last_seat() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let course = programme(&app, &e, json!({})).await;
    let last_seat = intake(&app, &e, &course, 3, 1).await;

    let second_person = create_person(&app, &w.officer, &w.mahalla_a, "31505901234568").await;
    let second_case = create_case(
        &app,
        &w.officer,
        &second_person,
        json!({"inspectorId": w.inspector_id}),
    )
    .await;
    set_status(&app, &w.officer, &second_case, "ACTIVE", None)
        .await
        .ok();

    let mut applied = Vec::new();
    for (case, person) in [(&w.case, &w.person), (&second_case, &second_person)] {
        let referral = refer(&app, &e, case, person, json!({})).await;
        let r = apply(&app, &e.teacher, &referral, &last_seat).await;
        applied.push(s(r.ok(), "education.applyForEnrolment.id").to_owned());
    }

    let (a, b) = tokio::join!(
        step(
            &app,
            &e.teacher,
            "enrol",
            "EnrolmentStepInput",
            &applied[0],
            json!({})
        ),
        step(
            &app,
            &e.college_admin,
            "enrol",
            "EnrolmentStepInput",
            &applied[1],
            json!({})
        ),
    );
    let outcomes = [a.code().map(str::to_owned), b.code().map(str::to_owned)];
    assert_eq!(
        outcomes.iter().filter(|c| c.is_none()).count(),
        1,
        "exactly one takes the seat: {:?} {:?}",
        a.body,
        b.body
    );
    assert!(outcomes.contains(&Some("CONFLICT".to_owned())), "{outcomes:?}");
    let loser = if a.code().is_some() {
        &applied[0]
    } else {
        &applied[1]
    };

    let r = app
        .gql(
            Some(&e.teacher),
            "{ education { intakes { edges { node { id seats seatsTaken seatsLeft } } } } }",
            json!({}),
        )
        .await;
    let node = &r.ok()["education"]["intakes"]["edges"][0]["node"];
    assert_eq!(node["id"], json!(last_seat));
    assert_eq!(
        (node["seatsTaken"].clone(), node["seatsLeft"].clone()),
        (json!(1), json!(0))
    );

    // The other waits on the list; when the seat is given back, it takes it.
    let r = step(
        &app,
        &e.teacher,
        "waitlistEnrolment",
        "EnrolmentStepInput",
        loser,
        json!({}),
    )
    .await;
    assert_eq!(r.ok()["education"]["waitlistEnrolment"]["status"], "WAITLISTED");
    let winner = if loser == &applied[0] {
        &applied[1]
    } else {
        &applied[0]
    };
    let r = step(
        &app,
        &e.teacher,
        "dropOut",
        "DropOutInput",
        winner,
        json!({"reason": "EMPLOYMENT"}),
    )
    .await;
    let dropped = &r.ok()["education"]["dropOut"];
    assert_eq!(dropped["status"], "DROPPED_OUT");
    assert_eq!(dropped["referral"]["status"], "CANCELLED");
    assert_eq!(dropped["intake"]["seatsLeft"], 1);
    let r = step(&app, &e.teacher, "enrol", "EnrolmentStepInput", loser, json!({})).await;
    assert_eq!(r.ok()["education"]["enrol"]["status"], "ENROLLED");
}

#[tokio::test]
async fn the_lifecycle_refuses_what_it_does_not_allow() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let course = programme(&app, &e, json!({})).await;
    let seats = intake(&app, &e, &course, 0, 5).await;
    let referral = refer(&app, &e, &w.case, &w.person, json!({})).await;

    // Only the recipient applies; the officer (who referred) cannot.
    apply(&app, &w.officer, &referral, &seats)
        .await
        .expect_code("FORBIDDEN");
    let r = apply(&app, &e.teacher, &referral, &seats).await;
    let id = s(r.ok(), "education.applyForEnrolment.id").to_owned();
    // One enrolment under way per referral.
    apply(&app, &e.teacher, &referral, &seats)
        .await
        .expect_code("CONFLICT");

    // APPLIED cannot start attending, nor complete.
    step(
        &app,
        &e.teacher,
        "startAttending",
        "EnrolmentStepInput",
        &id,
        json!({}),
    )
    .await
    .expect_code("INVALID_TRANSITION");
    step(
        &app,
        &e.teacher,
        "completeEnrolment",
        "CompleteEnrolmentInput",
        &id,
        json!({"result": "FAILED"}),
    )
    .await
    .expect_code("INVALID_TRANSITION");
    // Attendance only while attending.
    attend(&app, &e.teacher, &id, &[(0, "PRESENT")])
        .await
        .expect_code("CONFLICT");
    // OTHER needs a note.
    let r = step(
        &app,
        &e.teacher,
        "rejectEnrolment",
        "RejectEnrolmentInput",
        &id,
        json!({"reason": "OTHER"}),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.note"));
    // Another organisation's staff and the case's officer cannot decide.
    step(&app, &w.officer, "enrol", "EnrolmentStepInput", &id, json!({}))
        .await
        .expect_code("FORBIDDEN");

    let r = step(&app, &e.teacher, "enrol", "EnrolmentStepInput", &id, json!({})).await;
    assert_eq!(r.ok()["education"]["enrol"]["status"], "ENROLLED");
    step(&app, &e.teacher, "enrol", "EnrolmentStepInput", &id, json!({}))
        .await
        .expect_code("INVALID_TRANSITION");
    step(
        &app,
        &e.teacher,
        "startAttending",
        "EnrolmentStepInput",
        &id,
        json!({}),
    )
    .await
    .ok();
    // No attendance in the future, and not before the intake started.
    attend(&app, &e.teacher, &id, &[(1, "PRESENT")])
        .await
        .expect_code("BAD_USER_INPUT");
    attend(&app, &e.teacher, &id, &[(-1, "PRESENT")])
        .await
        .expect_code("BAD_USER_INPUT");
    // A certificate number for a failed course is refused.
    step(
        &app,
        &e.teacher,
        "completeEnrolment",
        "CompleteEnrolmentInput",
        &id,
        json!({"result": "FAILED", "certificateNumber": "X-1"}),
    )
    .await
    .expect_code("BAD_USER_INPUT");
    let r = step(
        &app,
        &e.teacher,
        "completeEnrolment",
        "CompleteEnrolmentInput",
        &id,
        json!({"result": "FAILED"}),
    )
    .await;
    assert_eq!(
        r.ok()["education"]["completeEnrolment"]["referral"]["status"],
        "COMPLETED"
    );
    // Final.
    step(
        &app,
        &e.teacher,
        "dropOut",
        "DropOutInput",
        &id,
        json!({"reason": "PERSON_WITHDREW"}),
    )
    .await
    .expect_code("INVALID_TRANSITION");

    // Programmes are their provider's: nobody else edits them.
    let r = app
        .gql(
            Some(&w.org_admin),
            "mutation($id: ID!) { education { setProgrammeActive(id: $id, active: false) { active } } }",
            json!({"id": course}),
        )
        .await;
    r.expect_code("FORBIDDEN");
    // Bad programme input names its field.
    let r = create_programme(
        &app,
        &e.teacher,
        &e,
        json!({"startTime": "14:00:00", "endTime": "09:00:00"}),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.endTime"));
    let r = create_programme(&app, &e.teacher, &e, json!({"language": "Uzbek language"})).await;
    assert_eq!(r.field(), Some("input.language"));
}

#[tokio::test]
async fn the_directory_is_an_hsds_page_of_services() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let course = programme(&app, &e, json!({"costUzs": 450000})).await;
    intake(&app, &e, &course, 10, 15).await;
    programme(
        &app,
        &e,
        json!({"title": "Literacy online", "kind": "LITERACY", "territoryId": null, "classDays": [],
               "startTime": null, "endTime": null, "minEducation": null, "certificate": null}),
    )
    .await;
    let r = app
        .gql(
            Some(&e.w.officer),
            "{ education { directory(first: 1) } }",
            json!({}),
        )
        .await;
    let page = &r.ok()["education"]["directory"];
    assert_eq!(page["size"], 1);
    assert_eq!(page["last_page"], false);
    let svc = &page["contents"][0];
    assert_eq!(svc["id"], json!(course));
    assert_eq!(svc["name"], "Welding");
    assert_eq!(svc["status"], "active");
    assert_eq!(svc["organization"]["id"], json!(e.college));
    assert_eq!(svc["organization"]["name"], "Samarqand polytechnic college");
    assert_eq!(svc["languages"][0]["code"], "uz");
    assert_eq!(svc["cost_options"][0]["amount"], 450000);
    assert_eq!(svc["cost_options"][0]["currency"], "UZS");
    let schedule = &svc["schedules"][0];
    assert_eq!(schedule["freq"], "WEEKLY");
    assert_eq!(schedule["byday"], "MO,WE,FR");
    assert_eq!(schedule["opens_at"], "09:00");
    assert_eq!(schedule["closes_at"], "13:00");
    assert_eq!(schedule["valid_from"], json!(day(10)));
    let location = &svc["service_at_locations"][0]["location"];
    assert_eq!(location["location_type"], "physical");
    assert_eq!(location["addresses"][0]["country"], "UZ");

    let next = s(page, "next_cursor").to_owned();
    let r = app
        .gql(
            Some(&e.w.officer),
            "query($a: String) { education { directory(first: 5, after: $a) } }",
            json!({"a": next}),
        )
        .await;
    let page = &r.ok()["education"]["directory"];
    assert_eq!(page["last_page"], true);
    let svc = &page["contents"][0];
    assert_eq!(svc["name"], "Literacy online");
    assert_eq!(
        svc["service_at_locations"][0]["location"]["location_type"],
        "virtual"
    );
    assert_eq!(svc["schedules"], json!([]));
}

#[tokio::test]
async fn an_organisation_without_the_module_gets_module_disabled() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    // The employment centre has not enabled education.
    let r = app
        .gql(
            Some(&e.w.partner),
            "{ education { programmes { totalCount } } }",
            json!({}),
        )
        .await;
    r.expect_code("MODULE_DISABLED");
    let r = create_programme(&app, &e.w.partner, &e, json!({})).await;
    r.expect_code("MODULE_DISABLED");
    let r = app
        .gql(
            Some(&e.w.partner),
            "{ __schema { queryType { fields { name } } } }",
            json!({}),
        )
        .await;
    let names: Vec<String> = r.ok()["__schema"]["queryType"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| s(f, "name").to_owned())
        .collect();
    assert!(!names.contains(&"education".to_owned()));
    let r = app
        .gql(
            Some(&e.teacher),
            "{ __type(name: \"EducationProgramme\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["__type"]["name"], "EducationProgramme");
    let r = app
        .gql(
            Some(&e.w.partner),
            "{ __type(name: \"EducationProgramme\") { name } }",
            json!({}),
        )
        .await;
    assert!(r.ok()["__type"].is_null());

    // A referral of kind education to an organisation without it is refused.
    let r = app
        .gql(
            Some(&e.w.officer),
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
            json!({"i": {"caseId": e.w.case, "kind": "education", "toOrganisationId": e.w.employment, "summary": "A course"}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");

    // The configuration is validated.
    let r = enable(&app, &e.college_admin, Some(json!({"absence_alert_after": 0}))).await;
    r.expect_code("BAD_USER_INPUT");
    let r = enable(
        &app,
        &e.college_admin,
        Some(json!({"absence_alert_after": 2, "colour": "red"})),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn a_college_keeps_its_own_references_on_programmes_and_enrolments() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let welding = programme(&app, &e, json!({})).await;
    let sewing = programme(&app, &e, json!({"title": "Sewing"})).await;
    let running = intake(&app, &e, &welding, -7, 12).await;
    let referral = refer(&app, &e, &w.case, &w.person, json!({})).await;
    let r = apply(&app, &e.teacher, &referral, &running).await;
    let enrolment = s(&r.ok()["education"]["applyForEnrolment"], "id").to_owned();

    const SET_PROGRAMME: &str = "mutation($id: ID!, $x: String) { education {
        setProgrammeExternalId(id: $id, externalId: $x) { id externalId } } }";
    const SET_ENROLMENT: &str = "mutation($id: ID!, $x: String) { education {
        setEnrolmentExternalId(id: $id, externalId: $x) { id externalId } } }";
    let r = app
        .gql(
            Some(&e.teacher),
            SET_PROGRAMME,
            json!({"id": welding, "x": "KURS-12"}),
        )
        .await;
    assert_eq!(
        r.ok()["education"]["setProgrammeExternalId"]["externalId"],
        "KURS-12"
    );
    app.gql(
        Some(&e.teacher),
        SET_PROGRAMME,
        json!({"id": sewing, "x": "KURS-12"}),
    )
    .await
    .expect_code("CONFLICT");
    // The same value is free for an enrolment: references are unique per kind of record.
    let r = app
        .gql(
            Some(&e.teacher),
            SET_ENROLMENT,
            json!({"id": enrolment, "x": "KURS-12"}),
        )
        .await;
    assert_eq!(
        r.ok()["education"]["setEnrolmentExternalId"]["externalId"],
        "KURS-12"
    );
    app.gql(
        Some(&w.officer),
        SET_ENROLMENT,
        json!({"id": enrolment, "x": "X"}),
    )
    .await
    .expect_code("FORBIDDEN");
    app.gql(Some(&w.officer), SET_PROGRAMME, json!({"id": welding, "x": "X"}))
        .await
        .expect_code("FORBIDDEN");
    // Another provider cannot even tell the enrolment exists.
    let other = create_org(&app, &w.admin, "Urgut lyceum", "EDUCATION", Some(&w.district)).await;
    let (_, other_admin) = create_user(&app, &w.admin, &other, "lyceum.admin", &["ORG_ADMIN"], &[]).await;
    enable(&app, &other_admin, None).await.ok();
    app.gql(
        Some(&other_admin),
        SET_ENROLMENT,
        json!({"id": enrolment, "x": "X"}),
    )
    .await
    .expect_code("NOT_FOUND");

    let r = app
        .gql(
            Some(&e.college_admin),
            "{ education { programmeByExternalId(externalId: \"KURS-12\") { id }
                enrolmentByExternalId(externalId: \"KURS-12\") { id externalId } } }",
            json!({}),
        )
        .await;
    let found = &r.ok()["education"];
    assert_eq!(found["programmeByExternalId"]["id"], welding.as_str());
    assert_eq!(found["enrolmentByExternalId"]["id"], enrolment.as_str());
    // The officer's organisation has no such references.
    let r = app
        .gql(
            Some(&w.officer),
            "{ education { programmeByExternalId(externalId: \"KURS-12\") { id }
                enrolmentByExternalId(externalId: \"KURS-12\") { id } } }",
            json!({}),
        )
        .await;
    assert!(r.ok()["education"]["programmeByExternalId"].is_null());
    assert!(r.ok()["education"]["enrolmentByExternalId"].is_null());
}

// Attendance through offline sync.
mod sync;
