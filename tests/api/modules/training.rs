//! The training module through GraphQL: a course, a session of two seats, enrolment
//! with a waiting list, attendance, assessment and certificates, coverage against a
//! requirement, the reminder before expiry, the last-seat race, who sees whose record,
//! the casework suggestion, the analytics figure, and the events the learner's
//! organisation follows, by webhook too.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::Router;
use axum::routing::post;
use chrono::{Duration, Months, NaiveDate, Utc};
use hamkor_api::alert::engine::{evaluate_pending, sweep_modules};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{Resp, TestApp, s, spawn_app};
use crate::webhooks::{create_endpoint, deliveries, eventually, spawn_hooks_app};
use crate::world::{World, create_org, create_user, world};

struct Setup {
    w: World,
    trainer: String,
    /// The probation service's other officers: (id, token).
    officer2: (String, String),
    officer3: (String, String),
    officer_id: String,
    mfy_admin: String,
}

const CONFIGURE: &str = "mutation($i: ConfigureModuleInput!) {
    configureModule(input: $i) { id enabled } }";

async fn enable(app: &TestApp, org_admin: &str) {
    app.gql(
        Some(org_admin),
        CONFIGURE,
        json!({"i": {"moduleId": "training", "enabled": true}}),
    )
    .await
    .ok();
}

/// The world, an academy with the module and a trainer, the probation service (two
/// more officers) and Registon's committee with the module on.
async fn setup(app: &TestApp) -> Setup {
    let w = world(app).await;
    let academy = create_org(app, &w.admin, "IIV akademiyasi", "OTHER", Some(&w.district)).await;
    let (_, academy_admin) = create_user(app, &w.admin, &academy, "academy.admin", &["ORG_ADMIN"], &[]).await;
    let (_, trainer) = create_user(app, &w.admin, &academy, "trainer", &["PARTNER_STAFF"], &[]).await;
    let officer2 = create_user(
        app,
        &w.admin,
        &w.probation,
        "officer.two",
        &["PROBATION_OFFICER"],
        &[],
    )
    .await;
    let officer3 = create_user(
        app,
        &w.admin,
        &w.probation,
        "officer.three",
        &["PROBATION_OFFICER"],
        &[],
    )
    .await;
    let (_, mfy_admin) = create_user(app, &w.admin, &w.mfy_a, "mfy.admin", &["ORG_ADMIN"], &[]).await;
    for admin in [&academy_admin, &w.org_admin, &mfy_admin] {
        enable(app, admin).await;
    }
    let officer_id = w.officer_id.clone();
    Setup {
        w,
        trainer,
        officer2,
        officer3,
        officer_id,
        mfy_admin,
    }
}

fn day(offset: i64) -> NaiveDate {
    Utc::now().date_naive() + Duration::days(offset)
}

async fn course(app: &TestApp, trainer: &str) -> String {
    let r = app
        .gql(
            Some(trainer),
            "mutation($i: PublishTrainingCourseInput!) { training { publishCourse(input: $i) {
                id topic audienceRoles format validityMonths } } }",
            json!({"i": {
                "title": "Mediation in the mahalla", "topic": "MEDIATION",
                "audienceRoles": ["PROBATION_OFFICER", "PREVENTION_INSPECTOR"],
                "format": "BLENDED", "hours": 24, "language": "uz", "validityMonths": 12
            }}),
        )
        .await;
    let c = &r.ok()["training"]["publishCourse"];
    assert_eq!(
        c["audienceRoles"],
        json!(["PREVENTION_INSPECTOR", "PROBATION_OFFICER"])
    );
    s(c, "id").to_owned()
}

async fn session(app: &TestApp, trainer: &str, course: &str, seats: i32) -> String {
    let r = app
        .gql(
            Some(trainer),
            "mutation($i: OpenTrainingSessionInput!) { training { openSession(input: $i) { id seatsLeft } } }",
            json!({"i": {
                "courseId": course, "startsOn": day(-14), "endsOn": day(1),
                "place": "Samarqand, Registon 1", "trainer": "D. Yusupova", "capacity": seats
            }}),
        )
        .await;
    s(r.ok(), "training.openSession.id").to_owned()
}

const ENROLMENT: &str = "id status score learner { id } certificate { number issuedOn expiresOn }
    attendance(first: 5) { totalCount edges { node { on present } } }";

async fn enrol(app: &TestApp, token: &str, session: &str, learner: Option<&str>) -> Resp {
    app.gql(
        Some(token),
        &format!(
            "mutation($i: EnrolInTrainingInput!) {{ training {{ enrol(input: $i) {{ {ENROLMENT} }} }} }}"
        ),
        json!({"i": {"sessionId": session, "learnerId": learner}}),
    )
    .await
}

async fn attend(app: &TestApp, trainer: &str, enrolment: &str, on: NaiveDate) {
    app.gql(
        Some(trainer),
        "mutation($i: RecordTrainingAttendanceInput!) { training { recordAttendance(input: $i) { on present } } }",
        json!({"i": {"enrolmentId": enrolment, "on": on, "present": true}}),
    )
    .await
    .ok();
}

async fn pass(app: &TestApp, trainer: &str, enrolment: &str, issued: NaiveDate) -> Value {
    let r = app
        .gql(
            Some(trainer),
            &format!(
                "mutation($i: AssessTrainingInput!) {{ training {{ assess(input: $i) {{ {ENROLMENT} }} }} }}"
            ),
            json!({"i": {"enrolmentId": enrolment, "passed": true, "score": 82, "issuedOn": issued}}),
        )
        .await;
    r.ok()["training"]["assess"].clone()
}

async fn require(app: &TestApp, org_admin: &str, course: &str, role: &str) {
    app.gql(
        Some(org_admin),
        "mutation($i: SetTrainingRequirementInput!) { training { setRequirement(input: $i) { id role } } }",
        json!({"i": {"courseId": course, "role": role}}),
    )
    .await
    .ok();
}

const COVERAGE: &str = "query($t: ID) { training { coverage(territoryId: $t) {
    districts { territoryId compliant dueWithin60Days expired neverTrained }
    total { compliant dueWithin60Days expired neverTrained } } } }";

async fn count(app: &TestApp, token: &str, list: &str) -> Value {
    let r = app
        .gql(
            Some(token),
            &format!("{{ training {{ {list}(first: 50) {{ totalCount }} }} }}"),
            json!({}),
        )
        .await;
    r.ok()["training"][list]["totalCount"].clone()
}

#[tokio::test]
async fn a_session_of_two_seats_waitlists_the_third_certifies_two_covers_them_and_reminds_once() {
    let app = spawn_app().await;
    let t = setup(&app).await;
    let w = &t.w;
    let c = course(&app, &t.trainer).await;
    let sess = session(&app, &t.trainer, &c, 2).await;

    // Three enrol (the admin two of them, one themself): the third waits.
    let first = enrol(&app, &w.org_admin, &sess, Some(&t.officer_id)).await;
    let second = enrol(&app, &t.officer2.1, &sess, None).await;
    let third = enrol(&app, &w.org_admin, &sess, Some(&t.officer3.0)).await;
    let status = |r: &Resp| r.ok()["training"]["enrol"]["status"].clone();
    assert_eq!(
        [status(&first), status(&second), status(&third)],
        [json!("ENROLLED"), json!("ENROLLED"), json!("WAITLISTED")]
    );
    let id = |r: &Resp| s(r.ok(), "training.enrol.id").to_owned();
    let (first, second, third) = (id(&first), id(&second), id(&third));
    // Enrolling twice, or enrolling someone else's staff, is refused.
    enrol(&app, &t.officer2.1, &sess, None)
        .await
        .expect_code("CONFLICT");
    enrol(&app, &w.officer, &sess, Some(&t.officer3.0))
        .await
        .expect_code("FORBIDDEN");

    // Attendance per day; the waitlisted learner has none to record.
    for e in [&first, &second] {
        attend(&app, &t.trainer, e, day(-14)).await;
        attend(&app, &t.trainer, e, day(-13)).await;
    }
    app.gql(
        Some(&t.trainer),
        "mutation($i: RecordTrainingAttendanceInput!) { training { recordAttendance(input: $i) { on } } }",
        json!({"i": {"enrolmentId": third, "on": day(-14), "present": true}}),
    )
    .await
    .expect_code("CONFLICT");

    // Two pass, with numbered certificates expiring after the course's 12 months.
    let a = pass(&app, &t.trainer, &first, day(0)).await;
    let b = pass(&app, &t.trainer, &second, day(-10)).await;
    assert_eq!(a["status"], "PASSED");
    assert_eq!(a["attendance"]["totalCount"], 2);
    let b_expiry = day(-10).checked_add_months(Months::new(12)).expect("a date");
    assert_eq!(b["certificate"]["expiresOn"], json!(b_expiry));
    assert_ne!(a["certificate"]["number"], b["certificate"]["number"]);

    // Coverage against "every probation officer holds the course": two compliant, the
    // waitlisted one never trained.
    require(&app, &w.org_admin, &c, "PROBATION_OFFICER").await;
    let r = app
        .gql(Some(&w.org_admin), COVERAGE, json!({"t": w.district}))
        .await;
    let cov = &r.ok()["training"]["coverage"];
    assert_eq!(
        cov["districts"],
        json!([{"territoryId": w.district, "compliant": 2, "dueWithin60Days": 0, "expired": 0, "neverTrained": 1}])
    );
    assert_eq!(cov["total"]["neverTrained"], 1);
    app.gql(Some(&w.officer), COVERAGE, json!({"t": w.district}))
        .await
        .expect_code("FORBIDDEN");

    // The day the second certificate is 59 days from expiry: one reminder (the first
    // is still 69 days out), for the learner and their admin; sweeping again adds none.
    let at = (b_expiry - Duration::days(59))
        .and_hms_opt(9, 0, 0)
        .expect("a time")
        .and_utc();
    assert_eq!(
        sweep_modules(app.db(), &app.state.modules, at)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        sweep_modules(app.db(), &app.state.modules, at)
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(count(&app, &t.officer2.1, "reminders").await, 1);
    assert_eq!(count(&app, &w.officer, "reminders").await, 0);
    assert_eq!(count(&app, &w.org_admin, "reminders").await, 1);
    let r = app
        .gql(
            Some(&w.org_admin),
            "{ events(filter: {types: [\"training.certificate_due\"]}) { totalCount edges { node { payload } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["events"]["totalCount"], 1);
    assert_eq!(r.ok()["events"]["edges"][0]["node"]["payload"]["daysLeft"], 59);
    // The learners' organisation follows their enrolments and certificates; a member
    // of the seven does not.
    let types = "{ events(filter: {types: [\"training.enrolment_changed\", \"training.certificate_issued\"]}) { totalCount } }";
    let r = app.gql(Some(&w.org_admin), types, json!({})).await;
    assert_eq!(
        r.ok()["events"]["totalCount"],
        3 + 2 + 2,
        "three enrolments, two passes, two certificates"
    );
    let r = app.gql(Some(&w.member_a), types, json!({})).await;
    assert_eq!(r.ok()["events"]["totalCount"], 0);
}

#[tokio::test]
async fn two_concurrent_enrolments_never_take_the_same_last_seat() {
    let app = spawn_app().await;
    let t = setup(&app).await;
    let c = course(&app, &t.trainer).await;
    let sess = session(&app, &t.trainer, &c, 1).await;
    let (a, b) = tokio::join!(
        enrol(&app, &t.w.officer, &sess, None),
        enrol(&app, &t.w.org_admin, &sess, Some(&t.officer2.0)),
    );
    let mut statuses = [
        a.ok()["training"]["enrol"]["status"].clone(),
        b.ok()["training"]["enrol"]["status"].clone(),
    ];
    statuses.sort_by_key(|v| v.to_string());
    assert_eq!(
        statuses,
        [json!("ENROLLED"), json!("WAITLISTED")],
        "exactly one wins"
    );
    let r = app
        .gql(
            Some(&t.trainer),
            "{ training { sessions { edges { node { capacity seatsTaken seatsLeft } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.ok()["training"]["sessions"]["edges"][0]["node"],
        json!({"capacity": 1, "seatsTaken": 1, "seatsLeft": 0})
    );
}

#[tokio::test]
async fn cancelling_a_seat_gives_it_to_the_first_on_the_waiting_list() {
    let app = spawn_app().await;
    let t = setup(&app).await;
    let c = course(&app, &t.trainer).await;
    let sess = session(&app, &t.trainer, &c, 1).await;
    let holder = enrol(&app, &t.w.officer, &sess, None).await;
    let holder = s(holder.ok(), "training.enrol.id").to_owned();
    let waiting = enrol(&app, &t.officer2.1, &sess, None).await;
    let waiting = s(waiting.ok(), "training.enrol.id").to_owned();
    let r = app
        .gql(
            Some(&t.w.officer),
            "mutation($id: ID!) { training { cancelEnrolment(id: $id) { status } } }",
            json!({"id": holder}),
        )
        .await;
    assert_eq!(r.ok()["training"]["cancelEnrolment"]["status"], "CANCELLED");
    let r = app
        .gql(
            Some(&t.officer2.1),
            "{ training { enrolments { edges { node { id status } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.ok()["training"]["enrolments"]["edges"][0]["node"],
        json!({"id": waiting, "status": "ENROLLED"})
    );
}

/// How many enrolments and certificates `token` sees.
async fn seen(app: &TestApp, token: &str) -> [Value; 2] {
    [
        count(app, token, "enrolments").await,
        count(app, token, "certificates").await,
    ]
}

#[tokio::test]
async fn a_learner_sees_their_own_record_an_admin_their_organisations_and_a_mahalla_member_nothing() {
    let app = spawn_app().await;
    let t = setup(&app).await;
    let w = &t.w;
    let c = course(&app, &t.trainer).await;
    let sess = session(&app, &t.trainer, &c, 5).await;
    let mine = enrol(&app, &w.officer, &sess, None).await;
    let mine = s(mine.ok(), "training.enrol.id").to_owned();
    let theirs = enrol(&app, &t.officer2.1, &sess, None).await;
    let theirs = s(theirs.ok(), "training.enrol.id").to_owned();
    pass(&app, &t.trainer, &mine, day(0)).await;
    pass(&app, &t.trainer, &theirs, day(0)).await;

    // The learner: their own; their organisation's admin: both; the course's trainer:
    // the session's learners (not their certificates list); a member of the seven and
    // a learner of the same organisation: nothing of the others.
    assert_eq!(seen(&app, &w.officer).await, [json!(1), json!(1)]);
    assert_eq!(seen(&app, &t.officer2.1).await, [json!(1), json!(1)]);
    assert_eq!(seen(&app, &w.org_admin).await, [json!(2), json!(2)]);
    assert_eq!(seen(&app, &t.trainer).await, [json!(2), json!(0)]);
    assert_eq!(seen(&app, &w.member_a).await, [json!(0), json!(0)]);
    assert_eq!(seen(&app, &t.mfy_admin).await, [json!(0), json!(0)]);
    // Fetching another's enrolment by filter finds nothing either.
    let r = app
        .gql(
            Some(&t.officer2.1),
            "query($u: ID) { training { enrolments(filter: {learnerId: $u}) { totalCount } } }",
            json!({"u": t.officer_id}),
        )
        .await;
    assert_eq!(r.ok()["training"]["enrolments"]["totalCount"], 0);
    // Nor may anyone but the course's staff assess, or a non-admin read coverage.
    app.gql(
        Some(&w.officer),
        "mutation($i: AssessTrainingInput!) { training { assess(input: $i) { id } } }",
        json!({"i": {"enrolmentId": theirs, "passed": false}}),
    )
    .await
    .expect_code("NOT_FOUND");
    app.gql(Some(&w.member_a), COVERAGE, json!({"t": null}))
        .await
        .expect_code("FORBIDDEN");
    // An organisation without the module sees no training at all.
    app.gql(
        Some(&w.inspector),
        "{ training { certificates { totalCount } } }",
        json!({}),
    )
    .await
    .expect_code("MODULE_DISABLED");
}

#[tokio::test]
async fn a_high_risk_case_suggests_training_to_an_officer_without_a_valid_course() {
    let app = spawn_app().await;
    let t = setup(&app).await;
    let w = &t.w;
    // Substance use and mental health needs at 3 on top of 7 static points: VERY_HIGH.
    crate::risk::assess(&app, &w.officer, &w.case, [3, 2, 2, 2, 2, 3, 2, 3]).await;
    evaluate_pending(app.db(), &app.state.modules)
        .await
        .expect("rules");
    let r = app
        .gql(
            Some(&w.officer),
            "{ alerts(first: 20) { edges { node { rule reason actingRole assignee { username } suggestion { need } } } } }",
            json!({}),
        )
        .await;
    let edges = r.ok()["alerts"]["edges"].as_array().cloned().unwrap_or_default();
    let training: Vec<&Value> = edges
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["rule"] == "training_suggestion")
        .collect();
    assert_eq!(training.len(), 2, "the officer and the inspector: {edges:?}");
    let officer = training
        .iter()
        .find(|n| n["actingRole"] == "PROBATION_OFFICER")
        .expect("the officer's");
    assert_eq!(officer["assignee"]["username"], "officer");
    assert!(
        s(officer, "reason").contains("MOTIVATIONAL_INTERVIEWING"),
        "{officer}"
    );

    // With a valid certificate in one of the topics, the next assessment suggests
    // nothing to the officer.
    let r = app
        .gql(
            Some(&t.trainer),
            "mutation($i: PublishTrainingCourseInput!) { training { publishCourse(input: $i) { id } } }",
            json!({"i": {"title": "MI basics", "topic": "MOTIVATIONAL_INTERVIEWING", "format": "ONLINE",
                "hours": 8, "language": "ru", "validityMonths": 24}}),
        )
        .await;
    let mi = s(r.ok(), "training.publishCourse.id").to_owned();
    let sess = session(&app, &t.trainer, &mi, 3).await;
    let e = enrol(&app, &w.officer, &sess, None).await;
    pass(&app, &t.trainer, s(e.ok(), "training.enrol.id"), day(0)).await;
    crate::risk::assess(&app, &w.officer, &w.case, [3, 2, 2, 2, 2, 3, 2, 3]).await;
    evaluate_pending(app.db(), &app.state.modules)
        .await
        .expect("rules");
    let r = app
        .gql(
            Some(&w.officer),
            "{ alerts(first: 20) { edges { node { rule actingRole } } } }",
            json!({}),
        )
        .await;
    let n = r.ok()["alerts"]["edges"].as_array().map_or(0, |e| {
        e.iter()
            .filter(|x| {
                x["node"]["rule"] == "training_suggestion" && x["node"]["actingRole"] == "PROBATION_OFFICER"
            })
            .count()
    });
    assert_eq!(n, 1, "no second suggestion to the trained officer");
}

#[tokio::test]
async fn the_trained_share_joins_the_district_analytics() {
    let app = spawn_app().await;
    let t = setup(&app).await;
    let w = &t.w;
    let c = course(&app, &t.trainer).await;
    let sess = session(&app, &t.trainer, &c, 5).await;
    let e = enrol(&app, &w.officer, &sess, None).await;
    pass(&app, &t.trainer, s(e.ok(), "training.enrol.id"), day(0)).await;
    require(&app, &w.org_admin, &c, "PROBATION_OFFICER").await;
    let r = app
        .gql(
            Some(&w.officer),
            "query($i: AnalyticsInput!) { analytics(input: $i) { rows { territoryId moduleFigures { moduleId key value } } } }",
            json!({"i": {"level": "DISTRICT", "from": day(-30), "to": day(0)}}),
        )
        .await;
    let rows = r.ok()["analytics"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let row = rows
        .iter()
        .find(|r| r["territoryId"] == json!(w.district))
        .expect("the district's row");
    let share = row["moduleFigures"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|x| x["moduleId"] == "training" && x["key"] == "trained_share")
        })
        .expect("the trained share");
    // One of the three probation officers holds the course.
    let v = share["value"].as_f64().expect("a number");
    assert!((v - 1.0 / 3.0).abs() < 1e-9, "{v}");
}

/// A receiver that records the body of each webhook posted to it.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().route(
        "/hook",
        post(move |body: String| {
            let sink = sink.clone();
            async move {
                if let Ok(mut g) = sink.lock() {
                    g.push(serde_json::from_str(&body).unwrap_or_default());
                }
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test]
async fn a_certificate_reaches_the_learners_organisation_by_webhook() {
    let app = spawn_hooks_app(true).await;
    let t = setup(&app).await;
    let r = app
        .gql(Some(&t.w.org_admin), "{ webhookEventTypes }", json!({}))
        .await;
    assert!(
        r.ok()["webhookEventTypes"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("training.certificate_issued"))),
        "{}",
        r.body
    );
    let (url, got) = receiver().await;
    let r = create_endpoint(&app, &t.w.org_admin, &url, &["training.certificate_issued"]).await;
    let endpoint = s(r.ok(), "createWebhookEndpoint.endpoint.id").to_owned();
    let c = course(&app, &t.trainer).await;
    let sess = session(&app, &t.trainer, &c, 5).await;
    let e = enrol(&app, &t.w.officer, &sess, None).await;
    pass(&app, &t.trainer, s(e.ok(), "training.enrol.id"), day(0)).await;
    let body = eventually("the certificate's webhook", StdDuration::from_secs(15), || {
        let got = got.clone();
        async move {
            let g = got.lock().ok()?;
            g.iter()
                .find(|b| b["type"] == "training.certificate_issued")
                .cloned()
        }
    })
    .await;
    assert_eq!(body["data"]["organisationId"], json!(t.w.probation));
    assert!(s(&body, "data.subjectId").len() > 4, "{body}");
    let log = deliveries(&app, &t.w.org_admin, &endpoint).await;
    assert!(
        log.iter()
            .all(|d| d["eventType"] == "training.certificate_issued"),
        "{log:?}"
    );
    // Events about a case are not for subscription this way.
    create_endpoint(
        &app,
        &t.w.org_admin,
        &url,
        &["education.enrolment_status_changed"],
    )
    .await
    .expect_code("BAD_USER_INPUT");
}
