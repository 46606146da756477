//! The mahalla at work: the seven's roster, prevention programmes, tasks for the seven
//! and joint case conferences.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, s, spawn_app};
use crate::world::{World, create_case, create_person, create_user, set_status, world};

const APPOINT: &str = "mutation($i: AppointMahallaMemberInput!) { appointMahallaMember(input: $i) { id subRole current startsOn endsOn } }";
const MEMBERS: &str = "query($m: ID!, $c: Boolean) { mahallaMembers(mahallaId: $m, currentOnly: $c) { totalCount edges { node { id subRole fullName current endsOn endReason } } } }";
const ASSIGN: &str =
    "mutation($i: AssignMahallaTaskInput!) { assignMahallaTask(input: $i) { id status member { id } } }";
const MY_TASKS: &str = "{ myMahallaTasks { totalCount edges { node { id title status case { id } } } } }";
const COMPLETE: &str =
    "mutation($i: CompleteMahallaTaskInput!) { completeMahallaTask(input: $i) { id status outcome } }";
const SCHEDULE: &str = "mutation($i: ScheduleCaseConferenceInput!) { scheduleCaseConference(input: $i) { id status participants { id attended user { id } member { id subRole } } cases { id } } }";
const RECORD: &str =
    "mutation($i: RecordCaseConferenceInput!) { recordCaseConference(input: $i) { id status } }";
const CONFERENCE: &str = "query($id: ID!) { node(id: $id) { ... on CaseConference { id status minutes { body visibility } decisions { body task { id member { subRole } } planAction { id ownerOrganisation { id } } } } } }";

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// The committee's administrator of mahalla A.
async fn committee_admin(app: &TestApp, w: &World) -> String {
    create_user(app, &w.admin, &w.mfy_a, "mfy.admin", &["ORG_ADMIN"], &[])
        .await
        .1
}

/// One member of the seven with a login.
struct Seat {
    role: &'static str,
    member: String,
    token: String,
}

/// Seat the seven of mahalla A: six members with logins, and the world's inspector.
async fn seat_the_seven(app: &TestApp, w: &World) -> Vec<Seat> {
    let admin = committee_admin(app, w).await;
    let mut seats = Vec::new();
    for role in [
        "CHAIR",
        "WOMENS_ACTIVIST",
        "YOUTH_LEADER",
        "RELIGIOUS_AFFAIRS",
        "ELDERS_COUNCIL",
        "EDUCATION_REP",
    ] {
        let username = format!("seven.{}", role.to_lowercase());
        let (user, token) = create_user(
            app,
            &w.admin,
            &w.mfy_a,
            &username,
            &["MAHALLA_MEMBER"],
            &[&w.mahalla_a],
        )
        .await;
        let r = app
            .gql(
                Some(&admin),
                APPOINT,
                json!({"i": {"mahallaId": w.mahalla_a, "subRole": role, "fullName": username,
                    "phone": "+998 90 123 45 67", "userId": user, "startsOn": day(-30)}}),
            )
            .await;
        seats.push(Seat {
            role,
            member: s(r.ok(), "appointMahallaMember.id").to_owned(),
            token,
        });
    }
    let r = app
        .gql(
            Some(&admin),
            APPOINT,
            json!({"i": {"mahallaId": w.mahalla_a, "subRole": "PREVENTION_INSPECTOR", "fullName": "Inspector",
                "userId": w.inspector_id, "startsOn": day(-30)}}),
        )
        .await;
    seats.push(Seat {
        role: "PREVENTION_INSPECTOR",
        member: s(r.ok(), "appointMahallaMember.id").to_owned(),
        token: w.inspector.clone(),
    });
    seats
}

fn seat<'a>(seats: &'a [Seat], role: &str) -> &'a Seat {
    seats.iter().find(|x| x.role == role).expect("seat")
}

#[tokio::test]
async fn a_seat_has_one_holder_at_a_time_and_keeps_its_history() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = committee_admin(&app, &w).await;
    let chair = |name: &str, starts: String, replace: bool| json!({"i": {"mahallaId": w.mahalla_a, "subRole": "CHAIR", "fullName": name, "startsOn": starts, "replaceCurrent": replace}});
    app.gql(Some(&admin), APPOINT, chair("First chair", day(-100), false))
        .await
        .ok();
    app.gql(Some(&admin), APPOINT, chair("Second chair", day(-10), false))
        .await
        .expect_code("CONFLICT");
    let r = app
        .gql(Some(&admin), APPOINT, chair("Second chair", day(-10), true))
        .await;
    assert_eq!(r.ok()["appointMahallaMember"]["current"], true);

    let current = app
        .gql(Some(&w.member_a), MEMBERS, json!({"m": w.mahalla_a}))
        .await;
    let edges = &current.ok()["mahallaMembers"]["edges"];
    assert_eq!(current.ok()["mahallaMembers"]["totalCount"], 1);
    assert_eq!(edges[0]["node"]["fullName"], "Second chair");
    let history = app
        .gql(Some(&w.member_a), MEMBERS, json!({"m": w.mahalla_a, "c": false}))
        .await;
    assert_eq!(history.ok()["mahallaMembers"]["totalCount"], 2);
    let first = &history.ok()["mahallaMembers"]["edges"][0]["node"];
    assert_eq!(first["endsOn"], json!(day(-11)));
    assert_eq!(first["endReason"], "replaced");
}

#[tokio::test]
async fn only_the_mahalla_committee_keeps_the_roster() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let input =
        json!({"i": {"mahallaId": w.mahalla_a, "subRole": "CHAIR", "fullName": "Chair", "startsOn": day(0)}});
    app.gql(Some(&w.member_a), APPOINT, input.clone())
        .await
        .expect_code("FORBIDDEN");
    app.gql(Some(&w.member_b), APPOINT, input.clone())
        .await
        .expect_code("NOT_FOUND");
    app.gql(Some(&w.org_admin), APPOINT, input)
        .await
        .expect_code("NOT_FOUND");
    // The roster of another mahalla stays out of sight.
    app.gql(Some(&w.member_b), MEMBERS, json!({"m": w.mahalla_a}))
        .await
        .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn a_member_login_must_work_in_the_mahalla() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = committee_admin(&app, &w).await;
    let outsider = s(
        app.gql(Some(&w.member_b), "{ me { user { id } } }", json!({}))
            .await
            .ok(),
        "me.user.id",
    )
    .to_owned();
    let r = app
        .gql(
            Some(&admin),
            APPOINT,
            json!({"i": {"mahallaId": w.mahalla_a, "subRole": "YOUTH_LEADER", "fullName": "Y", "userId": outsider, "startsOn": day(0)}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.userId"));
}

async fn assign(
    app: &TestApp,
    token: &str,
    case: &str,
    member: &str,
    title: &str,
    due: String,
) -> crate::helpers::Resp {
    app.gql(
        Some(token),
        ASSIGN,
        json!({"i": {"caseId": case, "memberId": member, "title": title, "dueOn": due}}),
    )
    .await
}

#[tokio::test]
async fn each_member_sees_and_completes_only_their_own_tasks() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let women = seat(&seats, "WOMENS_ACTIVIST");
    let youth = seat(&seats, "YOUTH_LEADER");
    let r = assign(
        &app,
        &w.inspector,
        &w.case,
        &women.member,
        "Visit the family",
        day(7),
    )
    .await;
    let visit = s(r.ok(), "assignMahallaTask.id").to_owned();
    let r = assign(&app, &w.officer, &w.case, &youth.member, "Sports club", day(7)).await;
    let club = s(r.ok(), "assignMahallaTask.id").to_owned();

    let mine = app.gql(Some(&women.token), MY_TASKS, json!({})).await;
    assert_eq!(mine.ok()["myMahallaTasks"]["totalCount"], 1);
    assert_eq!(
        mine.ok()["myMahallaTasks"]["edges"][0]["node"]["id"],
        json!(visit)
    );
    // The general list shows a member their own tasks too, never another member's.
    let all = app
        .gql(Some(&women.token), "{ mahallaTasks { totalCount } }", json!({}))
        .await;
    assert_eq!(all.ok()["mahallaTasks"]["totalCount"], 1);
    let officer = app
        .gql(Some(&w.officer), "{ mahallaTasks { totalCount } }", json!({}))
        .await;
    assert_eq!(officer.ok()["mahallaTasks"]["totalCount"], 2);

    // A member neither assigns nor completes another member's task.
    assign(&app, &women.token, &w.case, &youth.member, "Anything", day(7))
        .await
        .expect_code("FORBIDDEN");
    app.gql(
        Some(&women.token),
        COMPLETE,
        json!({"i": {"id": club, "outcome": "done"}}),
    )
    .await
    .expect_code("NOT_FOUND");
    // The officer supervises the task but does not record the member's work.
    app.gql(
        Some(&w.officer),
        COMPLETE,
        json!({"i": {"id": visit, "outcome": "done"}}),
    )
    .await
    .expect_code("FORBIDDEN");
    let r = app
        .gql(
            Some(&women.token),
            COMPLETE,
            json!({"i": {"id": visit, "outcome": "Talked with the mother"}}),
        )
        .await;
    assert_eq!(r.ok()["completeMahallaTask"]["status"], "DONE");
    app.gql(
        Some(&women.token),
        COMPLETE,
        json!({"i": {"id": visit, "outcome": "again"}}),
    )
    .await
    .expect_code("INVALID_TRANSITION");
}

#[tokio::test]
async fn a_task_goes_only_to_a_seated_member_of_the_case_mahalla() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let r = assign(
        &app,
        &w.inspector,
        &w.case,
        &seat(&seats, "CHAIR").member,
        "Past",
        day(-1),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.dueOn"));
    // A member of mahalla B's seven cannot take a task on a case of mahalla A.
    let mfy_b_admin = {
        let org = s(
            app.gql(Some(&w.member_b), "{ me { organisation { id } } }", json!({}))
                .await
                .ok(),
            "me.organisation.id",
        )
        .to_owned();
        create_user(&app, &w.admin, &org, "mfy.b.admin", &["ORG_ADMIN"], &[])
            .await
            .1
    };
    let r = app
        .gql(
            Some(&mfy_b_admin),
            APPOINT,
            json!({"i": {"mahallaId": w.mahalla_b, "subRole": "CHAIR", "fullName": "B chair", "startsOn": day(0)}}),
        )
        .await;
    let b_chair = s(r.ok(), "appointMahallaMember.id").to_owned();
    let r = assign(&app, &w.inspector, &w.case, &b_chair, "Visit", day(3)).await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.memberId"));
}

#[tokio::test]
async fn an_overdue_task_raises_one_event_for_the_case() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let r = assign(
        &app,
        &w.inspector,
        &w.case,
        &seat(&seats, "ELDERS_COUNCIL").member,
        "Talk",
        day(2),
    )
    .await;
    let task = s(r.ok(), "assignMahallaTask.id").to_owned();
    let db = app.db();
    use hamkor_api::mahalla::tasks::mark_overdue;
    assert_eq!(
        mark_overdue(db, today() + Duration::days(2))
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(
        mark_overdue(db, today() + Duration::days(3))
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        mark_overdue(db, today() + Duration::days(4))
            .await
            .expect("sweep"),
        0
    );
    let r = app
        .gql(
            Some(&w.officer),
            "{ events(filter: {types: [\"mahalla.task_overdue\"]}) { edges { node { type aggregateId } } } }",
            json!({}),
        )
        .await;
    let edges = r.ok()["events"]["edges"].as_array().expect("edges").clone();
    assert_eq!(edges.len(), 1, "{edges:?}");
    assert_eq!(edges[0]["node"]["aggregateId"], json!(task));

    // The early-warning rules turn it into one alert for the inspector.
    crate::alerts::evaluate(&app).await;
    crate::alerts::evaluate(&app).await;
    let r = app
        .gql(
            Some(&w.inspector),
            "{ alerts(first: 20) { edges { node { rule actingRole } } } }",
            json!({}),
        )
        .await;
    let rules: Vec<&Value> = r.ok()["alerts"]["edges"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|e| e["node"]["rule"] == "mahalla_task_overdue")
        .collect();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["node"]["actingRole"], "PREVENTION_INSPECTOR");
}

/// A second active case in mahalla A, with a plan and a goal; returns (case, goal).
async fn second_case_with_goal(app: &TestApp, w: &World) -> (String, String) {
    let person = create_person(app, &w.officer, &w.mahalla_a, "31505901230077").await;
    let case = create_case(app, &w.officer, &person, json!({"inspectorId": w.inspector_id})).await;
    set_status(app, &w.officer, &case, "ACTIVE", None).await.ok();
    let goal = goal_of(app, w, &case).await;
    (case, goal)
}

async fn goal_of(app: &TestApp, w: &World, case: &str) -> String {
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($c: ID!) { createRehabilitationPlan(caseId: $c) { id } }",
            json!({"c": case}),
        )
        .await;
    let plan = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: AddPlanGoalInput!) { addPlanGoal(input: $i) { id } }",
            json!({"i": {"planId": plan, "domain": "FAMILY", "description": "family ties"}}),
        )
        .await;
    s(r.ok(), "addPlanGoal.id").to_owned()
}

/// The inspector convenes the seven and the officer on two cases, an hour ago.
async fn convene(app: &TestApp, w: &World, cases: &[&str]) -> Value {
    let r = app
        .gql(
            Some(&w.inspector),
            SCHEDULE,
            json!({"i": {"mahallaId": w.mahalla_a, "caseIds": cases, "title": "Joint review",
                "scheduledAt": (Utc::now() - Duration::hours(1)).to_rfc3339(), "agenda": "Work and family",
                "invitedUserIds": [w.officer_id], "inviteSeven": true}}),
        )
        .await;
    r.ok()["scheduleCaseConference"].clone()
}

fn everyone(conf: &Value) -> Vec<Value> {
    conf["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["id"].clone())
        .collect()
}

#[tokio::test]
async fn a_conference_turns_its_decisions_into_owned_tasks_and_plan_actions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let goal_one = goal_of(&app, &w, &w.case).await;
    let (case_two, goal_two) = second_case_with_goal(&app, &w).await;
    let conf = convene(&app, &w, &[&w.case, &case_two]).await;
    // The inspector, the officer and the seven (the inspector's seat is the same person).
    assert_eq!(conf["participants"].as_array().map(Vec::len), Some(9));
    assert_eq!(conf["cases"].as_array().map(Vec::len), Some(2));
    let id = conf["id"].as_str().expect("id").to_owned();

    let women = seat(&seats, "WOMENS_ACTIVIST");
    let youth = seat(&seats, "YOUTH_LEADER");
    let r = app
        .gql(
            Some(&w.inspector),
            RECORD,
            json!({"i": {"id": id, "attendedParticipantIds": everyone(&conf),
            "minutes": [{"visibility": "MAHALLA", "body": "Both families are supportive."}],
            "decisions": [
                {"caseId": w.case, "body": "Visit the family weekly",
                 "task": {"memberId": women.member, "title": "Family visit", "dueOn": day(7)}},
                {"caseId": case_two, "body": "Join the football club",
                 "task": {"memberId": youth.member, "title": "Football club", "dueOn": day(14)},
                 "planAction": {"goalId": goal_two, "ownerOrganisationId": w.mfy_a}},
                {"caseId": w.case, "body": "Register at the employment centre",
                 "planAction": {"goalId": goal_one, "ownerOrganisationId": w.employment, "dueDate": day(30)}}
            ]}}),
        )
        .await;
    assert_eq!(r.ok()["recordCaseConference"]["status"], "HELD");

    let read = app.gql(Some(&w.officer), CONFERENCE, json!({"id": id})).await;
    let decisions = read.ok()["node"]["decisions"]
        .as_array()
        .expect("decisions")
        .clone();
    assert_eq!(decisions.len(), 3);
    assert_eq!(decisions[1]["task"]["member"]["subRole"], "YOUTH_LEADER");
    assert_eq!(
        decisions[2]["planAction"]["ownerOrganisation"]["id"],
        json!(w.employment)
    );
    assert!(decisions[0]["planAction"].is_null());

    for seat in &seats {
        let mine = app.gql(Some(&seat.token), MY_TASKS, json!({})).await;
        let expected = match seat.role {
            "WOMENS_ACTIVIST" | "YOUTH_LEADER" => 1,
            _ => 0,
        };
        assert_eq!(
            mine.ok()["myMahallaTasks"]["totalCount"],
            expected,
            "{}",
            seat.role
        );
    }
    let youth_task = app.gql(Some(&youth.token), MY_TASKS, json!({})).await;
    assert_eq!(
        youth_task.ok()["myMahallaTasks"]["edges"][0]["node"]["case"]["id"],
        json!(case_two)
    );
}

#[tokio::test]
async fn a_failing_decision_leaves_the_conference_unrecorded() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let goal = goal_of(&app, &w, &w.case).await;
    let conf = convene(&app, &w, &[&w.case]).await;
    let id = conf["id"].as_str().expect("id").to_owned();
    let r = app
        .gql(
            Some(&w.inspector),
            RECORD,
            json!({"i": {"id": id, "attendedParticipantIds": everyone(&conf),
                "decisions": [
                    {"caseId": w.case, "body": "Visit", "task": {"memberId": seat(&seats, "CHAIR").member, "title": "Visit", "dueOn": day(7)},
                     "planAction": {"goalId": goal, "ownerOrganisationId": w.mfy_a}},
                    {"caseId": w.case, "body": "Late", "task": {"memberId": seat(&seats, "CHAIR").member, "title": "Late", "dueOn": day(-3)}}
                ]}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.decisions.1.task.dueOn"));
    let read = app.gql(Some(&w.officer), CONFERENCE, json!({"id": id})).await;
    assert_eq!(read.ok()["node"]["status"], "SCHEDULED");
    let tasks = app
        .gql(Some(&w.officer), "{ mahallaTasks { totalCount } }", json!({}))
        .await;
    assert_eq!(tasks.ok()["mahallaTasks"]["totalCount"], 0);
    let actions = app
        .gql(
            Some(&w.officer),
            "query($c: ID!) { case(id: $c) { rehabilitationPlan { goals { actions { id } } } } }",
            json!({"c": w.case}),
        )
        .await;
    assert_eq!(
        actions.ok()["case"]["rehabilitationPlan"]["goals"][0]["actions"],
        json!([])
    );
}

#[tokio::test]
async fn a_plan_action_needs_the_lead_officer_at_the_conference() {
    let app = spawn_app().await;
    let w = world(&app).await;
    seat_the_seven(&app, &w).await;
    let goal = goal_of(&app, &w, &w.case).await;
    let conf = convene(&app, &w, &[&w.case]).await;
    let id = conf["id"].as_str().expect("id").to_owned();
    // Everyone attended but the officer.
    let attended: Vec<Value> = conf["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .filter(|p| p["user"]["id"] != json!(w.officer_id))
        .map(|p| p["id"].clone())
        .collect();
    let input = |attended: Vec<Value>| {
        json!({"i": {"id": id, "attendedParticipantIds": attended,
            "decisions": [{"caseId": w.case, "body": "Job", "planAction": {"goalId": goal, "ownerOrganisationId": w.employment}}]}})
    };
    app.gql(Some(&w.inspector), RECORD, input(attended))
        .await
        .expect_code("FORBIDDEN");
    app.gql(Some(&w.inspector), RECORD, input(everyone(&conf)))
        .await
        .ok();
}

#[tokio::test]
async fn minutes_are_read_by_participants_up_to_their_level() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let conf = convene(&app, &w, &[&w.case]).await;
    let id = conf["id"].as_str().expect("id").to_owned();
    app.gql(
        Some(&w.inspector),
        RECORD,
        json!({"i": {"id": id, "attendedParticipantIds": everyone(&conf), "minutes": [
            {"visibility": "MAHALLA", "body": "Community summary"},
            {"caseId": w.case, "visibility": "AGENCIES", "body": "Police file details"}
        ]}}),
    )
    .await
    .ok();
    // Above the recorder's own level is refused.
    let bodies = |r: &crate::helpers::Resp| -> Vec<String> {
        r.ok()["node"]["minutes"]
            .as_array()
            .expect("minutes")
            .iter()
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let chair = app
        .gql(Some(&seat(&seats, "CHAIR").token), CONFERENCE, json!({"id": id}))
        .await;
    assert_eq!(bodies(&chair), vec!["Community summary"]);
    let inspector = app.gql(Some(&w.inspector), CONFERENCE, json!({"id": id})).await;
    assert_eq!(
        bodies(&inspector),
        vec!["Community summary", "Police file details"]
    );
    // A page of conferences reads the same minutes (loaded for the page at once): each
    // conference its own, each participant up to their level, nobody else anything.
    let second = convene(&app, &w, &[&w.case]).await;
    app.gql(
        Some(&w.inspector),
        RECORD,
        json!({"i": {"id": second["id"], "attendedParticipantIds": everyone(&second), "minutes": [
            {"visibility": "MAHALLA", "body": "Second meeting"}
        ]}}),
    )
    .await
    .ok();
    const PAGE: &str = "query($m: ID) { caseConferences(mahallaId: $m, first: 10) {
        edges { node { id minutes { body } } } } }";
    let counts = |token: String| {
        let app = &app;
        let (first, second) = (json!(id), second["id"].clone());
        let mahalla = w.mahalla_a.clone();
        async move {
            let r = app.gql(Some(&token), PAGE, json!({"m": mahalla})).await;
            let page = r.ok()["caseConferences"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let count = |id: &Value| {
                page.iter()
                    .find(|e| &e["node"]["id"] == id)
                    .and_then(|e| e["node"]["minutes"].as_array().map(Vec::len))
            };
            (count(&first), count(&second))
        }
    };
    assert_eq!(counts(w.inspector.clone()).await, (Some(2), Some(1)));
    assert_eq!(
        counts(seat(&seats, "CHAIR").token.clone()).await,
        (Some(1), Some(1))
    );
    assert_eq!(counts(w.member_a.clone()).await, (Some(0), Some(0)));
    // A member of the mahalla who was not invited reads no minutes.
    let uninvited = app.gql(Some(&w.member_a), CONFERENCE, json!({"id": id})).await;
    assert_eq!(bodies(&uninvited), Vec::<String>::new());
    // Another mahalla's member does not see the conference at all.
    let outsider = app.gql(Some(&w.member_b), CONFERENCE, json!({"id": id})).await;
    assert_eq!(outsider.ok()["node"], Value::Null);
}

#[tokio::test]
async fn minutes_above_the_recorders_level_are_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let conf = convene(&app, &w, &[&w.case]).await;
    let id = conf["id"].as_str().expect("id").to_owned();
    let r = app
        .gql(
            Some(&w.inspector),
            RECORD,
            json!({"i": {"id": id, "attendedParticipantIds": [], "minutes": [{"visibility": "PROBATION", "body": "x"}]}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.minutes.0.visibility"));
}

#[tokio::test]
async fn programme_progress_reflects_the_activities_done() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let seats = seat_the_seven(&app, &w).await;
    let chair = seat(&seats, "CHAIR");
    let year = today().format("%Y").to_string();
    let r = app
        .gql(
            Some(&chair.token),
            "mutation($i: CreatePreventionProgrammeInput!) { createPreventionProgramme(input: $i) { id } }",
            json!({"i": {"mahallaId": w.mahalla_a, "title": "Prevention programme", "periodStart": day(-60), "periodEnd": day(300), "objectives": "No repeat offences"}}),
        )
        .await;
    let programme = s(r.ok(), "createPreventionProgramme.id").to_owned();
    let add = |kind: &str, title: &str, cases: Vec<&str>| {
        json!({"i": {"programmeId": programme, "kind": kind, "title": title, "plannedOn": day(-5),
            "responsibleMemberId": seat(&seats, "YOUTH_LEADER").member, "caseIds": cases}})
    };
    const ADD: &str = "mutation($i: AddProgrammeActivityInput!) { addProgrammeActivity(input: $i) { id } }";
    const RECORD_ACTIVITY: &str =
        "mutation($i: RecordProgrammeActivityInput!) { recordProgrammeActivity(input: $i) { status } }";
    let mut ids = Vec::new();
    for (kind, title, cases) in [
        ("SPORTS_YOUTH", "Football", vec![w.case.as_str()]),
        ("LEGAL_EDUCATION", "Rights talk", vec![]),
        ("JOB_FAIR", "Job fair", vec![]),
    ] {
        let r = app.gql(Some(&chair.token), ADD, add(kind, title, cases)).await;
        ids.push(s(r.ok(), "addProgrammeActivity.id").to_owned());
    }
    app.gql(
        Some(&w.inspector),
        RECORD_ACTIVITY,
        json!({"i": {"id": ids[0], "status": "DONE", "doneOn": day(-4), "result": "12 young men came", "participants": 12}}),
    )
    .await
    .ok();
    app.gql(
        Some(&chair.token),
        RECORD_ACTIVITY,
        json!({"i": {"id": ids[2], "status": "CANCELLED", "result": "postponed by the district"}}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.officer),
            "query($m: ID!) { preventionProgrammes(mahallaId: $m) { edges { node { progress { percentDone casesReached participants total { planned done cancelled overdue } byKind { kind done } } } } } }",
            json!({"m": w.mahalla_a}),
        )
        .await;
    let progress = &r.ok()["preventionProgrammes"]["edges"][0]["node"]["progress"];
    assert_eq!(
        progress["total"],
        json!({"planned": 1, "done": 1, "cancelled": 1, "overdue": 1})
    );
    assert_eq!(progress["percentDone"], json!(50.0));
    assert_eq!(progress["casesReached"], 1);
    assert_eq!(progress["participants"], 12);
    // Another mahalla's member sees no programme of mahalla A.
    let r = app
        .gql(
            Some(&w.member_b),
            "{ preventionProgrammes { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["preventionProgrammes"]["totalCount"], 0);
    // A second programme over the same period is refused.
    app.gql(
        Some(&chair.token),
        "mutation($i: CreatePreventionProgrammeInput!) { createPreventionProgramme(input: $i) { id } }",
        json!({"i": {"mahallaId": w.mahalla_a, "title": year, "periodStart": day(0), "periodEnd": day(30), "objectives": "x"}}),
    )
    .await
    .expect_code("CONFLICT");
}
