//! What a read costs in SQL statements: for the representative operations (an officer's
//! caseload, a case view, an inspector's upcoming appointments, a mahalla's tasks, a
//! module's list) a page of 50 costs the same statements as a page of 10, and both stay
//! under a stated bound. A nested field loaded once per parent (N+1) fails here.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, s, spawn_app_with};
use crate::world::{
    World, create_case, create_district, create_org, create_person, create_region, create_user, set_status,
    world,
};

/// Cases each operation pages over (beyond the world's own), more than the smaller page.
const CASES: usize = 12;

/// The most statements any of the operations below may cost, caller included.
const BOUND: u64 = 12;

const CASELOAD: &str = "query($n: Int) { cases(first: $n, filter: {statuses: [ACTIVE]}) { totalCount
    edges { node { id status riskLevel person { fullName pinfl } mahalla { name }
      appointments(first: 1, filter: {pendingOnly: true}) { edges { node { scheduledAt kind } } } } } } }";

const CASE_VIEW: &str = "query($id: ID!, $n: Int) { case(id: $id) { id status courtName
    person { fullName cases(first: $n) { edges { node { id status
      appointments(first: 2) { totalCount edges { node { scheduledAt } } } } } } }
    conditions { kind } appointments(first: $n) { totalCount edges { node { scheduledAt outcome } } }
    referrals(first: $n) { edges { node { id } } } rehabilitationPlan { id } } }";

const UPCOMING: &str =
    "query($n: Int, $from: DateTime!) { appointments(first: $n, filter: {from: $from, pendingOnly: true}) {
    edges { node { scheduledAt kind case { id person { fullName } mahalla { name } } } } } }";

const TASKS: &str = "query($n: Int, $m: ID!) { mahallaTasks(first: $n, filter: {mahallaId: $m}) { totalCount
    edges { node { title status dueOn case { id person { fullName } } member { fullName } assignedBy { displayName } } } } }";

#[cfg(feature = "education")]
const PROGRAMMES: &str = "query($n: Int) { education { programmes(first: $n) { edges { node { id title
    intakes(first: 3, upcomingOnly: false) { totalCount edges { node { id startsOn } } } } } } } }";

#[cfg(feature = "training")]
const TRAINING: &str =
    "query($n: Int) { training { enrolments(first: $n) { totalCount edges { node { id status
    learner { displayName } session { trainer course { title } } course { topic } certificate { number }
    attendance(first: 2) { totalCount edges { node { on present } } } } } } } }";

const TERRITORIES: &str = "query($n: Int) { regions(first: $n) { edges { node { id
    districts(first: 2) { edges { node { id mahallas(first: 2) { totalCount edges { node { name } } } } } } } } } }";

fn at(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339()
}

/// The world (its case with CASES check-ins) and CASES more active cases in mahalla A, each with two past check-ins,
/// a pending appointment to come and a task for a member of the seven; an education
/// provider with as many programmes of two intakes each; more regions with districts.
async fn populate(app: &TestApp) -> (World, String) {
    let w = world(app).await;
    let committee = create_user(app, &w.admin, &w.mfy_a, "mfy.admin", &["ORG_ADMIN"], &[])
        .await
        .1;
    let (member_user, _) = create_user(
        app,
        &w.admin,
        &w.mfy_a,
        "seven.chair",
        &["MAHALLA_MEMBER"],
        &[&w.mahalla_a],
    )
    .await;
    let r = app
        .gql(
            Some(&committee),
            "mutation($i: AppointMahallaMemberInput!) { appointMahallaMember(input: $i) { id } }",
            json!({"i": {"mahallaId": w.mahalla_a, "subRole": "CHAIR", "fullName": "Chair",
                "phone": "+998 90 123 45 67", "userId": member_user,
                "startsOn": (Utc::now().date_naive() - Duration::days(30)).to_string()}}),
        )
        .await;
    let member = s(r.ok(), "appointMahallaMember.id").to_owned();

    let college = create_org(app, &w.admin, "College", "EDUCATION", Some(&w.district)).await;
    let (_, college_admin) = create_user(app, &w.admin, &college, "college.admin", &["ORG_ADMIN"], &[]).await;
    let (_, teacher) = create_user(app, &w.admin, &college, "teacher", &["PARTNER_STAFF"], &[]).await;
    #[cfg(feature = "education")]
    for admin in [&college_admin, &w.org_admin] {
        app.gql(
            Some(admin),
            "mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { id } }",
            json!({"i": {"moduleId": "education", "enabled": true}}),
        )
        .await
        .ok();
    }

    for day in 1..=CASES as i64 {
        app.gql(
            Some(&w.officer),
            "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "kind": "PHONE", "at": at(Duration::days(-day))}}),
        )
        .await
        .ok();
    }
    for i in 0..CASES {
        let person = create_person(app, &w.officer, &w.mahalla_a, &format!("3150590130{i:04}")).await;
        let case = create_case(app, &w.officer, &person, json!({"inspectorId": w.inspector_id})).await;
        set_status(app, &w.officer, &case, "ACTIVE", None).await.ok();
        for day in 1..=2 {
            app.gql(
                Some(&w.officer),
                "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
                json!({"i": {"caseId": case, "kind": "PHONE", "at": at(Duration::days(-day))}}),
            )
            .await
            .ok();
        }
        app.gql(
            Some(&w.officer),
            "mutation($i: ScheduleAppointmentInput!) { scheduleAppointment(input: $i) { id } }",
            json!({"i": {"caseId": case, "kind": "OFFICE_REPORT", "scheduledAt": at(Duration::days(3))}}),
        )
        .await
        .ok();
        app.gql(
            Some(&w.officer),
            "mutation($i: AssignMahallaTaskInput!) { assignMahallaTask(input: $i) { id } }",
            json!({"i": {"caseId": case, "memberId": member, "title": format!("Visit {i}"),
                "dueOn": (Utc::now().date_naive() + Duration::days(7)).to_string()}}),
        )
        .await
        .ok();
        #[cfg(feature = "education")]
        add_programme(app, &teacher, &w.district, i).await;
        let region = create_region(app, &w.admin, &format!("{}", 1740 + i)).await;
        create_district(app, &w.admin, &region, &format!("{}401", 1740 + i)).await;
    }
    #[cfg(feature = "training")]
    add_training(app, &w, &teacher, &college_admin).await;
    #[cfg(not(any(feature = "education", feature = "training")))]
    let _ = college_admin;
    (w, teacher)
}

#[cfg(feature = "education")]
async fn add_programme(app: &TestApp, teacher: &str, district: &str, i: usize) {
    let r = app
        .gql(
            Some(teacher),
            "mutation($i: EducationProgrammeInput!) { education { createProgramme(input: $i) { id } } }",
            json!({"i": {
                "title": format!("Welding {i}"), "kind": "VOCATIONAL", "subject": "Welding", "language": "uz",
                "territoryId": district, "classDays": ["MONDAY"], "startTime": "09:00:00",
                "endTime": "13:00:00", "durationWeeks": 12, "minEducation": "BASIC_SECONDARY"
            }}),
        )
        .await;
    let programme = s(r.ok(), "education.createProgramme.id").to_owned();
    for starts in [10, 40] {
        app.gql(
            Some(teacher),
            "mutation($i: AddEducationIntakeInput!) { education { addIntake(input: $i) { id } } }",
            json!({"i": {"programmeId": programme, "startsOn": (Utc::now().date_naive() + Duration::days(starts)).to_string(), "seats": 10}}),
        )
        .await
        .ok();
    }
}

/// A course of the college with a session of which CASES probation officers hold a
/// seat and half have passed (with two days of attendance each).
#[cfg(feature = "training")]
async fn add_training(app: &TestApp, w: &World, teacher: &str, college_admin: &str) {
    for admin in [college_admin, &w.org_admin] {
        app.gql(
            Some(admin),
            "mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { id } }",
            json!({"i": {"moduleId": "training", "enabled": true}}),
        )
        .await
        .ok();
    }
    let r = app
        .gql(
            Some(teacher),
            "mutation($i: PublishTrainingCourseInput!) { training { publishCourse(input: $i) { id } } }",
            json!({"i": {"title": "Legal basics", "topic": "LEGAL_BASICS", "format": "IN_PERSON",
                "hours": 16, "language": "uz", "validityMonths": 24}}),
        )
        .await;
    let course = s(r.ok(), "training.publishCourse.id").to_owned();
    let today = Utc::now().date_naive();
    let r = app
        .gql(
            Some(teacher),
            "mutation($i: OpenTrainingSessionInput!) { training { openSession(input: $i) { id } } }",
            json!({"i": {"courseId": course, "startsOn": (today - Duration::days(3)).to_string(),
                "endsOn": (today + Duration::days(3)).to_string(), "place": "College hall",
                "trainer": "Trainer", "capacity": 50}}),
        )
        .await;
    let session = s(r.ok(), "training.openSession.id").to_owned();
    for i in 0..CASES {
        let (learner, _) = create_user(
            app,
            &w.admin,
            &w.probation,
            &format!("learner.{i}"),
            &["PROBATION_OFFICER"],
            &[],
        )
        .await;
        let r = app
            .gql(
                Some(&w.org_admin),
                "mutation($i: EnrolInTrainingInput!) { training { enrol(input: $i) { id } } }",
                json!({"i": {"sessionId": session, "learnerId": learner}}),
            )
            .await;
        let enrolment = s(r.ok(), "training.enrol.id").to_owned();
        for back in [1, 2] {
            app.gql(
                Some(teacher),
                "mutation($i: RecordTrainingAttendanceInput!) { training { recordAttendance(input: $i) { on } } }",
                json!({"i": {"enrolmentId": enrolment, "on": (today - Duration::days(back)).to_string(), "present": true}}),
            )
            .await
            .ok();
        }
        if i % 2 == 0 {
            app.gql(
                Some(teacher),
                "mutation($i: AssessTrainingInput!) { training { assess(input: $i) { id } } }",
                json!({"i": {"enrolmentId": enrolment, "passed": true, "score": 90}}),
            )
            .await
            .ok();
        }
    }
}

/// The statements one request costs, and its data (failing the test on errors).
async fn cost(app: &TestApp, token: &str, query: &str, vars: Value) -> (u64, Value) {
    let before = app.query_count();
    let r = app.gql(Some(token), query, vars).await;
    let spent = app.query_count() - before;
    (spent, r.ok().clone())
}

fn cheaper(a: (u64, Value), b: (u64, Value)) -> (u64, Value) {
    if b.0 < a.0 { b } else { a }
}

fn edges(v: &Value) -> usize {
    v["edges"].as_array().map_or(0, Vec::len)
}

/// Asserts that `query` costs the same at `first: 10` and `first: 50`, under BOUND, and
/// that the larger page really has more parents.
async fn same_cost(
    app: &TestApp,
    token: &str,
    name: &str,
    query: &str,
    vars: Value,
    list: fn(&Value) -> &Value,
) {
    let with = |n: i32| {
        let mut v = vars.clone();
        v["n"] = json!(n);
        v
    };
    // The fewer of two runs: a statement that background work (a session touch, the
    // outbox) issues at the same moment is counted at most once, while a nested field
    // loaded per parent costs forty more at 50 than at 10 on every run.
    let (ten, small) = cheaper(
        cost(app, token, query, with(10)).await,
        cost(app, token, query, with(10)).await,
    );
    let (fifty, large) = cheaper(
        cost(app, token, query, with(50)).await,
        cost(app, token, query, with(50)).await,
    );
    assert!(
        edges(list(&large)) > edges(list(&small)),
        "{name}: the page of 50 lists more than the page of 10"
    );
    eprintln!("{name}: {ten} statements at first: 10, {fifty} at first: 50");
    assert_eq!(ten, fifty, "{name}: statements at first: 10 and first: 50");
    assert!(fifty <= BOUND, "{name}: {fifty} statements, more than {BOUND}");
}

#[tokio::test]
async fn a_page_of_fifty_costs_the_statements_of_a_page_of_ten() {
    // The outbox readers poll the same database: keep them quiet while counting.
    let app = spawn_app_with(|s| {
        s.event_poll_interval_ms = 3_600_000;
        s.webhook_workers = false;
    })
    .await;
    let (w, teacher) = populate(&app).await;
    #[cfg(not(feature = "education"))]
    let _ = teacher;

    same_cost(&app, &w.officer, "caseload", CASELOAD, json!({}), |d| &d["cases"]).await;
    same_cost(
        &app,
        &w.officer,
        "case view",
        CASE_VIEW,
        json!({"id": w.case}),
        |d| &d["case"]["appointments"],
    )
    .await;
    same_cost(
        &app,
        &w.inspector,
        "upcoming appointments",
        UPCOMING,
        json!({"from": at(Duration::hours(-1))}),
        |d| &d["appointments"],
    )
    .await;
    same_cost(
        &app,
        &w.officer,
        "mahalla tasks",
        TASKS,
        json!({"m": w.mahalla_a}),
        |d| &d["mahallaTasks"],
    )
    .await;
    #[cfg(feature = "education")]
    same_cost(&app, &teacher, "module list", PROGRAMMES, json!({}), |d| {
        &d["education"]["programmes"]
    })
    .await;
    #[cfg(feature = "training")]
    same_cost(&app, &teacher, "training list", TRAINING, json!({}), |d| {
        &d["training"]["enrolments"]
    })
    .await;
    same_cost(
        &app,
        &w.admin,
        "territories",
        TERRITORIES,
        json!({}),
        |d| &d["regions"],
    )
    .await;
}

#[tokio::test]
async fn each_parent_keeps_its_own_page_and_cursor_in_a_batch() {
    let app = spawn_app_with(|s| s.event_poll_interval_ms = 3_600_000).await;
    let (w, _) = populate(&app).await;
    let q = "query($after: String) { cases(first: 50, filter: {statuses: [ACTIVE]}) { edges { node { id
        appointments(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { outcome } } }
        pending: appointments(first: 5, filter: {pendingOnly: true}) { totalCount edges { node { outcome } } } } } } }";
    let (_, data) = cost(&app, &w.officer, q, json!({})).await;
    let cases = data["cases"]["edges"].as_array().cloned().unwrap_or_default();
    let busy: Vec<&Value> = cases
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["id"] != w.case)
        .collect();
    assert_eq!(busy.len(), CASES);
    let mut cursors = Vec::new();
    for case in &busy {
        assert_eq!(case["appointments"]["totalCount"], 3);
        assert_eq!(case["appointments"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(case["pending"]["totalCount"], 1);
        assert_eq!(edges(&case["pending"]), 1);
        assert!(case["pending"]["edges"][0]["node"]["outcome"].is_null());
        cursors.push(case["appointments"]["pageInfo"]["endCursor"].clone());
    }
    cursors.sort_by_key(|c| c.to_string());
    cursors.dedup();
    assert_eq!(cursors.len(), CASES, "every case has a cursor of its own");

    // Continuing one case's list from its cursor gives that case's next appointment.
    let one = "query($id: ID!, $after: String) { case(id: $id) { appointments(first: 5, after: $after) {
        pageInfo { hasNextPage } edges { node { id } } } } }";
    let first = &busy[0];
    let (_, next) = cost(
        &app,
        &w.officer,
        one,
        json!({"id": first["id"], "after": first["appointments"]["pageInfo"]["endCursor"]}),
    )
    .await;
    assert_eq!(edges(&next["case"]["appointments"]), 2);
    assert_eq!(next["case"]["appointments"]["pageInfo"]["hasNextPage"], false);
}
