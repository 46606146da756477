//! The psychological-support module end to end: practitioners, accepting a referral with
//! a practitioner, the support plan, sessions and attendance, screenings and their
//! flags, confidential notes that only the provider's practitioners read, and the end of
//! support.

use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, s, spawn_app, spawn_app_with};
use crate::modules::{Partners, partners};
use crate::world::{World, create_case, create_org, create_person, create_user, set_status, world};

const KIND: &str = "psych_support";

/// The world, with the NGO as the psychological-support provider and every supervising
/// organisation (probation, police, the mahalla committee) following the module.
struct Psych {
    w: World,
    p: Partners,
    /// The provider's practitioner profile id (for `p.ngo_staff`).
    practitioner: String,
}

async fn set_module(app: &TestApp, org_admin: &str, enabled: bool) {
    let r = app
        .gql(
            Some(org_admin),
            "mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { enabled } }",
            json!({"i": {"moduleId": "psych_support", "enabled": enabled}}),
        )
        .await;
    assert_eq!(r.ok()["configureModule"]["enabled"], enabled);
}

async fn my_id(app: &TestApp, token: &str) -> String {
    s(
        app.gql(Some(token), "{ me { user { id } } }", json!({}))
            .await
            .ok(),
        "me.user.id",
    )
    .to_owned()
}

const SAVE_PRACTITIONER: &str = "mutation($i: SavePractitionerInput!) {
    psychSupport { savePractitioner(input: $i) { id active specialisms languages user { id } } } }";

async fn setup(app: &TestApp) -> Psych {
    let w = world(app).await;
    let p = partners(app, &w).await;
    let (_, police_admin) = create_user(app, &w.admin, &w.police, "police.admin", &["ORG_ADMIN"], &[]).await;
    let (_, mfy_admin) = create_user(app, &w.admin, &w.mfy_a, "mfy.admin", &["ORG_ADMIN"], &[]).await;
    for admin in [&p.ngo_admin, &w.org_admin, &police_admin, &mfy_admin] {
        set_module(app, admin, true).await;
    }
    let staff_id = my_id(app, &p.ngo_staff).await;
    let r = app
        .gql(
            Some(&p.ngo_admin),
            SAVE_PRACTITIONER,
            json!({"i": {"userId": staff_id, "specialisms": ["MOTIVATIONAL_INTERVIEWING", "CBT"], "languages": ["uz", "RU"]}}),
        )
        .await;
    let practitioner = s(r.ok(), "psychSupport.savePractitioner.id").to_owned();
    Psych { w, p, practitioner }
}

/// A referral of `case` to the NGO, sent under a legal basis.
async fn send_referral(app: &TestApp, x: &Psych, case: &str) -> String {
    send_referral_for(app, x, case, None).await
}

async fn send_referral_for(app: &TestApp, x: &Psych, case: &str, goal: Option<&str>) -> String {
    let r = app
        .gql(
            Some(&x.w.officer),
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id payload } } }",
            json!({"i": {
                "caseId": case, "kind": KIND, "toOrganisationId": x.p.ngo,
                "summary": "Family conflict and drinking",
                "payload": {"reason": "Conflict at home, alcohol use", "urgency": "SOON"},
                "planGoalId": goal
            }}),
        )
        .await;
    let id = s(r.ok(), "createReferral.referral.id").to_owned();
    let r = app
        .gql(
            Some(&x.w.officer),
            "mutation($i: SendReferralInput!) { sendReferral(input: $i) { referral { status } } }",
            json!({"i": {"id": id, "legalBasis": "COURT_ORDER", "legalBasisReason": "Court orders psychological support"}}),
        )
        .await;
    assert_eq!(r.ok()["sendReferral"]["referral"]["status"], "SENT");
    id
}

const SUPPORT_FIELDS: &str = "id referral { id status } practitioner { id languages }
    plannedSessions { kind count } goals { id description outcome outcomeNote }
    sharedSummary urgentFlagRaisedAt planReviewSuggested closingSummary closedAt";

async fn psych(app: &TestApp, token: &str, mutation: &str, input: Value, fields: &str) -> Resp {
    let input_type = match mutation {
        "acceptReferral" => "AcceptPsychReferralInput".to_owned(),
        "scheduleSession" => "SchedulePsychSessionInput".to_owned(),
        "rescheduleSession" => "ReschedulePsychSessionInput".to_owned(),
        "shareSummary" => "ShareSupportSummaryInput".to_owned(),
        "recordAttendance" => "RecordSessionAttendanceInput".to_owned(),
        m => format!("{}{}Input", m[..1].to_uppercase(), &m[1..]),
    };
    app.gql(
        Some(token),
        &format!("mutation($i: {input_type}!) {{ psychSupport {{ {mutation}(input: $i) {{ {fields} }} }} }}"),
        json!({"i": input}),
    )
    .await
}

/// Accept `referral` with the practitioner and draw up a plan of two goals.
async fn accept_and_plan(app: &TestApp, x: &Psych, referral: &str) -> Value {
    let r = psych(
        app,
        &x.p.ngo_staff,
        "acceptReferral",
        json!({"referralId": referral, "practitionerId": x.practitioner}),
        SUPPORT_FIELDS,
    )
    .await;
    assert_eq!(
        r.ok()["psychSupport"]["acceptReferral"]["referral"]["status"],
        "ACCEPTED"
    );
    let r = psych(
        app,
        &x.p.ngo_staff,
        "setSupportPlan",
        json!({"referralId": referral,
            "sessions": [{"kind": "MOTIVATIONAL_INTERVIEWING", "count": 6}, {"kind": "FAMILY", "count": 2}],
            "goals": ["Cut down drinking", "Fewer conflicts at home"]}),
        SUPPORT_FIELDS,
    )
    .await;
    r.ok()["psychSupport"]["setSupportPlan"].clone()
}

const SCHEDULE_FIELDS: &str = "id format startsAt place reschedules { reason }
    participants { referral { id } attendance attendanceReason }";

async fn schedule(app: &TestApp, x: &Psych, referrals: &[&str], starts_at: &str) -> Value {
    let format = if referrals.len() == 1 {
        "INDIVIDUAL"
    } else {
        "GROUP"
    };
    let r = psych(
        app,
        &x.p.ngo_staff,
        "scheduleSession",
        json!({"referralIds": referrals, "format": format, "kind": "MOTIVATIONAL_INTERVIEWING",
            "mode": "IN_PERSON", "place": "NGO office, room 2", "startsAt": starts_at}),
        SCHEDULE_FIELDS,
    )
    .await;
    r.ok()["psychSupport"]["scheduleSession"].clone()
}

async fn attendance(
    app: &TestApp,
    x: &Psych,
    session: &str,
    referral: &str,
    value: &str,
    reason: Option<&str>,
) -> Resp {
    psych(
        app,
        &x.p.ngo_staff,
        "recordAttendance",
        json!({"sessionId": session, "referralId": referral, "attendance": value, "reason": reason}),
        "attendance attendanceReason",
    )
    .await
}

async fn screen(app: &TestApp, token: &str, referral: &str, instrument: &str, items: Value) -> Resp {
    psych(
        app,
        token,
        "recordScreening",
        json!({"referralId": referral, "instrument": instrument, "items": items}),
        "id total band safetyFlag planReviewSuggested",
    )
    .await
}

async fn event_types(app: &TestApp, token: &str, types: &[&str]) -> Vec<String> {
    let r = app
        .gql(
            Some(token),
            "query($t: [String!]) { events(first: 100, filter: {types: $t}) { edges { node { type payload } } } }",
            json!({"t": types}),
        )
        .await;
    r.ok()["events"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| s(x, "node.type").to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn support_runs_from_acceptance_to_a_closing_summary_that_completes_the_referral() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let r = app
        .gql(
            Some(&x.w.officer),
            "mutation($c: ID!) { createRehabilitationPlan(caseId: $c) { id } }",
            json!({"c": x.w.case}),
        )
        .await;
    let rehab = s(r.ok(), "createRehabilitationPlan.id").to_owned();
    let r = app
        .gql(
            Some(&x.w.officer),
            "mutation($i: AddPlanGoalInput!) { addPlanGoal(input: $i) { id } }",
            json!({"i": {"planId": rehab, "domain": "PSYCHOLOGICAL", "description": "Manage anger and drinking"}}),
        )
        .await;
    let rehab_goal = s(r.ok(), "addPlanGoal.id").to_owned();
    let referral = send_referral_for(&app, &x, &x.w.case, Some(&rehab_goal)).await;
    let plan = accept_and_plan(&app, &x, &referral).await;
    assert_eq!(
        plan["referral"]["status"], "IN_PROGRESS",
        "the plan starts the work"
    );
    assert_eq!(plan["practitioner"]["languages"], json!(["ru", "uz"]));
    assert_eq!(
        plan["plannedSessions"][0],
        json!({"kind": "MOTIVATIONAL_INTERVIEWING", "count": 6})
    );
    let goals: Vec<String> = plan["goals"]
        .as_array()
        .map(|g| g.iter().map(|x| s(x, "id").to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(goals.len(), 2);

    let session = schedule(&app, &x, &[&referral], "2026-03-01T10:00:00Z").await;
    attendance(&app, &x, s(&session, "id"), &referral, "ATTENDED", None)
        .await
        .ok();
    psych(
        &app,
        &x.p.ngo_staff,
        "shareSummary",
        json!({"referralId": referral, "summary": "Engaged well; drinking down"}),
        "sharedSummary",
    )
    .await
    .ok();

    // Every goal needs exactly one outcome.
    let close = |outcomes: Value| json!({"referralId": referral, "summary": "Six sessions held, goals mostly met", "outcomes": outcomes});
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "closeSupport",
        close(json!([{"goalId": goals[0], "outcome": "ACHIEVED"}])),
        SUPPORT_FIELDS,
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.outcomes"));
    let r = psych(
        &app,
        &x.w.officer,
        "closeSupport",
        close(
            json!([{"goalId": goals[0], "outcome": "ACHIEVED"}, {"goalId": goals[1], "outcome": "PARTLY"}]),
        ),
        SUPPORT_FIELDS,
    )
    .await;
    r.expect_code("FORBIDDEN");
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "closeSupport",
        close(json!([{"goalId": goals[0], "outcome": "ACHIEVED"}, {"goalId": goals[1], "outcome": "PARTLY", "note": "still arguing"}])),
        SUPPORT_FIELDS,
    )
    .await;
    let closed = &r.ok()["psychSupport"]["closeSupport"];
    assert_eq!(closed["referral"]["status"], "COMPLETED");
    assert_eq!(closed["goals"][1]["outcome"], "PARTLY");
    assert!(closed["closedAt"].is_string());

    // The officer follows the plan, attendance and what was shared.
    let r = app
        .gql(
            Some(&x.w.officer),
            &format!("query($r: ID!) {{ psychSupport {{ support(referralId: $r) {{ {SUPPORT_FIELDS} }}
                sessions(filter: {{referralId: $r}}) {{ totalCount edges {{ node {{ participants {{ attendance }} }} }} }} }} }}"),
            json!({"r": referral}),
        )
        .await;
    let seen = &r.ok()["psychSupport"];
    assert_eq!(seen["support"]["sharedSummary"], "Engaged well; drinking down");
    assert_eq!(
        seen["support"]["closingSummary"],
        "Six sessions held, goals mostly met"
    );
    assert_eq!(
        seen["sessions"]["edges"][0]["node"]["participants"][0]["attendance"],
        "ATTENDED"
    );
    // The rehabilitation plan's goal carries the result, owned by the provider.
    let r = app
        .gql(
            Some(&x.w.officer),
            "query($g: ID!) { node(id: $g) { ... on PlanGoal { status actions { description status ownerOrganisation { id } } } } }",
            json!({"g": rehab_goal}),
        )
        .await;
    let goal = &r.ok()["node"];
    assert_eq!(goal["status"], "IN_PROGRESS", "one goal only partly met");
    assert_eq!(goal["actions"][0]["status"], "DONE");
    assert_eq!(goal["actions"][0]["ownerOrganisation"]["id"], json!(x.p.ngo));
    assert!(
        goal["actions"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("1 of 2 goals achieved, 1 partly")),
        "{goal}"
    );
    // Nothing more happens to a completed referral.
    let r = screen(
        &app,
        &x.p.ngo_staff,
        &referral,
        "GAD7",
        json!([0, 0, 0, 0, 0, 0, 0]),
    )
    .await;
    r.expect_code("CONFLICT");
}

#[tokio::test]
async fn a_session_note_is_read_by_the_practitioner_alone_and_every_read_is_audited() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    accept_and_plan(&app, &x, &referral).await;
    let session = schedule(&app, &x, &[&referral], "2026-03-01T10:00:00Z").await;
    const SECRET: &str = "Talked about his brother's death; feels responsible";
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "addConfidentialNote",
        json!({"referralId": referral, "sessionId": s(&session, "id"), "body": SECRET}),
        "id body",
    )
    .await;
    let note = s(r.ok(), "psychSupport.addConfidentialNote.id").to_owned();
    // Another provider of the module, with its own practitioners.
    set_module(&app, &x.p.employment_admin, true).await;

    let notes = "query($r: ID!) { psychSupport { confidentialNotes(referralId: $r) { totalCount edges { node { id body } } } } }";
    // Every path the API offers, for everyone but the practitioner.
    let paths = [
        (notes, json!({"r": referral})),
        ("query($n: ID!) { node(id: $n) { id } }", json!({"n": note})),
        ("query($n: ID!) { nodes(ids: [$n]) { id } }", json!({"n": note})),
        (
            "query($r: ID!) { psychSupport { support(referralId: $r) { id sharedSummary closingSummary goals { description } } } }",
            json!({"r": referral}),
        ),
        (
            "query($r: ID!) { node(id: $r) { ... on Referral { id summary payload transitions { note } } } }",
            json!({"r": referral}),
        ),
        (
            "{ events(first: 100) { edges { node { type payload } } } }",
            json!({}),
        ),
        (
            "{ auditEvents(first: 100) { edges { node { action detail } } } }",
            json!({}),
        ),
        (
            "query($r: ID!) { psychSupport { sessions(filter: {referralId: $r}) { edges { node { id participants { attendanceReason } } } } } }",
            json!({"r": referral}),
        ),
    ];
    let others = [
        ("probation officer", &x.w.officer),
        ("prevention inspector", &x.w.inspector),
        ("mahalla member", &x.w.member_a),
        ("provider admin", &x.p.ngo_admin),
        ("other partner", &x.w.partner),
        ("auditor", &x.w.auditor),
    ];
    for (who, token) in others {
        for (q, vars) in &paths {
            let r = app.gql(Some(token), q, vars.clone()).await;
            let text = r.body.to_string();
            assert!(
                !text.contains("brother"),
                "{who} read the note through {q}: {text}"
            );
        }
        let r = app.gql(Some(token), notes, json!({"r": referral})).await;
        assert!(
            matches!(r.code(), Some("FORBIDDEN" | "NOT_FOUND" | "MODULE_DISABLED")),
            "{who}: {:?}",
            r.body
        );
    }
    // The note's event goes to the provider alone.
    let added = ["psych_support.note_added"];
    assert_eq!(event_types(&app, &x.p.ngo_staff, &added).await, added);
    for token in [&x.w.officer, &x.w.inspector, &x.w.member_a, &x.w.partner] {
        assert!(event_types(&app, token, &added).await.is_empty());
    }
    // Another provider's practitioner is told the referral does not exist.
    app.gql(Some(&x.w.partner), notes, json!({"r": referral}))
        .await
        .expect_code("NOT_FOUND");
    // The mahalla member, with the module switched on, is refused by who they are.
    let r = app.gql(Some(&x.w.member_a), notes, json!({"r": referral})).await;
    r.expect_code("NOT_FOUND");
    let r = app.gql(Some(&x.w.officer), notes, json!({"r": referral})).await;
    r.expect_code("FORBIDDEN");

    // The practitioner reads it, and the audit log shows that read.
    let r = app.gql(Some(&x.p.ngo_staff), notes, json!({"r": referral})).await;
    assert_eq!(
        r.ok()["psychSupport"]["confidentialNotes"]["edges"][0]["node"]["body"],
        SECRET
    );
    let r = app
        .gql(
            Some(&x.w.auditor),
            "{ auditEvents(filter: {action: \"psych_support.note.read\"}) { totalCount edges { node { targetId actor { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["auditEvents"]["totalCount"], 1);
    assert_eq!(r.ok()["auditEvents"]["edges"][0]["node"]["targetId"], json!(note));
}

#[tokio::test]
async fn a_phq9_item_nine_answer_raises_an_urgent_flag_whatever_the_total() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    accept_and_plan(&app, &x, &referral).await;
    let r = screen(
        &app,
        &x.p.ngo_staff,
        &referral,
        "PHQ9",
        json!([1, 1, 1, 0, 0, 0, 0, 0, 1]),
    )
    .await;
    let sc = &r.ok()["psychSupport"]["recordScreening"];
    assert_eq!(
        (sc["total"].clone(), sc["band"].clone(), sc["safetyFlag"].clone()),
        (json!(4), json!("MINIMAL"), json!(true))
    );
    assert_eq!(sc["planReviewSuggested"], false);

    let flag = ["psych_support.safety_flag_raised"];
    assert_eq!(event_types(&app, &x.w.officer, &flag).await, flag);
    assert_eq!(event_types(&app, &x.p.ngo_staff, &flag).await, flag);
    assert!(event_types(&app, &x.w.member_a, &flag).await.is_empty());
    assert!(event_types(&app, &x.w.partner, &flag).await.is_empty());
    // The officer hears of the flag, never of the score.
    assert!(
        event_types(&app, &x.w.officer, &["psych_support.screening_recorded"])
            .await
            .is_empty()
    );
    let r = app
        .gql(
            Some(&x.w.officer),
            "query($r: ID!) { psychSupport { support(referralId: $r) { urgentFlagRaisedAt planReviewSuggested } } }",
            json!({"r": referral}),
        )
        .await;
    assert!(r.ok()["psychSupport"]["support"]["urgentFlagRaisedAt"].is_string());
    assert_eq!(r.ok()["psychSupport"]["support"]["planReviewSuggested"], false);

    // A total of 10 or more suggests a plan review, without a flag.
    let r = screen(
        &app,
        &x.p.ngo_staff,
        &referral,
        "PHQ9",
        json!([2, 2, 2, 2, 2, 0, 0, 0, 0]),
    )
    .await;
    assert_eq!(r.ok()["psychSupport"]["recordScreening"]["safetyFlag"], false);
    assert_eq!(
        r.ok()["psychSupport"]["recordScreening"]["planReviewSuggested"],
        true
    );
    assert_eq!(
        event_types(&app, &x.w.officer, &["psych_support.plan_review_suggested"])
            .await
            .len(),
        1
    );
    assert_eq!(event_types(&app, &x.w.officer, &flag).await.len(), 1);
}

#[tokio::test]
async fn screenings_are_scored_at_every_band_boundary_and_kept_with_their_trend() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    accept_and_plan(&app, &x, &referral).await;
    // Totals spread over the items (item 9 left at 0).
    let phq = |total: i64| -> Value {
        let mut items = vec![0; 9];
        let mut left = total;
        for item in items.iter_mut().take(8) {
            *item = left.min(3);
            left -= *item;
        }
        json!(items)
    };
    let gad = |total: i64| -> Value {
        let mut items = vec![0; 7];
        let mut left = total;
        for item in &mut items {
            *item = left.min(3);
            left -= *item;
        }
        json!(items)
    };
    for (total, band) in [
        (4, "MINIMAL"),
        (5, "MILD"),
        (9, "MILD"),
        (10, "MODERATE"),
        (14, "MODERATE"),
        (15, "MODERATELY_SEVERE"),
        (19, "MODERATELY_SEVERE"),
        (20, "SEVERE"),
        (0, "MINIMAL"),
    ] {
        let r = screen(&app, &x.p.ngo_staff, &referral, "PHQ9", phq(total)).await;
        let sc = &r.ok()["psychSupport"]["recordScreening"];
        assert_eq!(
            (sc["total"].clone(), sc["band"].clone()),
            (json!(total), json!(band)),
            "PHQ-9 {total}"
        );
    }
    for (total, band) in [
        (4, "MINIMAL"),
        (5, "MILD"),
        (10, "MODERATE"),
        (14, "MODERATE"),
        (15, "SEVERE"),
        (21, "SEVERE"),
    ] {
        let r = screen(&app, &x.p.ngo_staff, &referral, "GAD7", gad(total)).await;
        let sc = &r.ok()["psychSupport"]["recordScreening"];
        assert_eq!(
            (sc["total"].clone(), sc["band"].clone()),
            (json!(total), json!(band)),
            "GAD-7 {total}"
        );
    }
    // Invalid answers name the offending field, and nothing is written.
    for (instrument, items, field) in [
        ("PHQ9", json!([0, 0, 0, 0, 0, 0, 0]), "input.items"),
        ("GAD7", json!([0, 0, 0, 0, 0, 0, 0, 0, 0]), "input.items"),
        ("PHQ9", json!([0, 0, 4, 0, 0, 0, 0, 0, 0]), "input.items[2]"),
        ("GAD7", json!([0, 0, 0, 0, 0, 0, -1]), "input.items[6]"),
    ] {
        let r = screen(&app, &x.p.ngo_staff, &referral, instrument, items).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some(field));
    }
    // History per person, newest first, with the trend (PHQ-9: 20 then 0).
    let q = "query($r: ID!, $i: ScreeningInstrument!) { psychSupport { screeningHistory(referralId: $r, instrument: $i, first: 3) {
        trend latest { total } screenings { totalCount edges { node { total } } } } } }";
    let r = app
        .gql(Some(&x.p.ngo_staff), q, json!({"r": referral, "i": "PHQ9"}))
        .await;
    let h = &r.ok()["psychSupport"]["screeningHistory"];
    assert_eq!(h["trend"], "IMPROVING");
    assert_eq!(h["latest"]["total"], 0);
    assert_eq!(h["screenings"]["totalCount"], 9);
    assert_eq!(h["screenings"]["edges"][1]["node"]["total"], 20);
    let r = app
        .gql(Some(&x.p.ngo_staff), q, json!({"r": referral, "i": "GAD7"}))
        .await;
    assert_eq!(
        r.ok()["psychSupport"]["screeningHistory"]["trend"],
        "WORSENING",
        "15 then 21"
    );
    // The officer may see the case, not its scores.
    app.gql(Some(&x.w.officer), q, json!({"r": referral, "i": "PHQ9"}))
        .await
        .expect_code("FORBIDDEN");
}

#[tokio::test]
async fn attendance_is_recorded_per_person_in_a_group_session_and_can_be_corrected() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let person = create_person(&app, &x.w.officer, &x.w.mahalla_a, "31505901234568").await;
    let case_b = create_case(&app, &x.w.officer, &person, json!({})).await;
    set_status(&app, &x.w.officer, &case_b, "ACTIVE", None).await.ok();
    let a = send_referral(&app, &x, &x.w.case).await;
    let b = send_referral(&app, &x, &case_b).await;
    for r in [&a, &b] {
        accept_and_plan(&app, &x, r).await;
    }
    // An individual session has one person, a group session several.
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "scheduleSession",
        json!({"referralIds": [a, b], "format": "INDIVIDUAL", "kind": "GROUP", "mode": "VIDEO", "startsAt": "2026-03-01T10:00:00Z"}),
        "id",
    )
    .await;
    assert_eq!(r.field(), Some("input.referralIds"));
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "scheduleSession",
        json!({"referralIds": [a, b], "format": "GROUP", "kind": "GROUP", "mode": "IN_PERSON", "startsAt": "2026-03-01T10:00:00Z"}),
        "id",
    )
    .await;
    assert_eq!(r.field(), Some("input.place"));

    let group = schedule(&app, &x, &[&a, &b], "2026-03-01T10:00:00Z").await;
    let id = s(&group, "id").to_owned();
    assert_eq!(group["format"], "GROUP");
    assert_eq!(group["participants"].as_array().map(Vec::len), Some(2));

    // Rescheduled with a reason, before anyone's attendance is recorded.
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "rescheduleSession",
        json!({"sessionId": id, "startsAt": "2026-03-02T10:00:00Z", "reason": " "}),
        "id",
    )
    .await;
    assert_eq!(r.field(), Some("input.reason"));
    let r = psych(
        &app,
        &x.p.ngo_staff,
        "rescheduleSession",
        json!({"sessionId": id, "startsAt": "2026-03-02T10:00:00Z", "reason": "Room flooded"}),
        SCHEDULE_FIELDS,
    )
    .await;
    let moved = &r.ok()["psychSupport"]["rescheduleSession"];
    assert_eq!(moved["startsAt"], "2026-03-02T10:00:00+00:00");
    assert_eq!(moved["reschedules"][0]["reason"], "Room flooded");

    // Each person their own attendance; lateness and absence need a reason.
    attendance(&app, &x, &id, &a, "ATTENDED", None).await.ok();
    let r = attendance(&app, &x, &id, &b, "DID_NOT_ATTEND", None).await;
    assert_eq!(r.field(), Some("input.reason"));
    attendance(&app, &x, &id, &b, "DID_NOT_ATTEND", Some("Sick"))
        .await
        .ok();
    let r = attendance(&app, &x, &id, &b, "LATE", Some("Bus was late")).await;
    assert_eq!(r.ok()["psychSupport"]["recordAttendance"]["attendance"], "LATE");
    psych(
        &app,
        &x.p.ngo_staff,
        "rescheduleSession",
        json!({"sessionId": id, "startsAt": "2026-03-03T10:00:00Z", "reason": "Again"}),
        "id",
    )
    .await
    .expect_code("CONFLICT");
    // A future session has no attendance yet.
    let later = schedule(&app, &x, &[&a], "2099-01-01T10:00:00Z").await;
    attendance(&app, &x, s(&later, "id"), &a, "ATTENDED", None)
        .await
        .expect_code("CONFLICT");

    // The officer sees both people's attendance; each change was an event.
    let r = app
        .gql(
            Some(&x.w.officer),
            "query($id: ID!) { psychSupport { session(id: $id) { participants { attendance attendanceReason } } } }",
            json!({"id": id}),
        )
        .await;
    let people = &r.ok()["psychSupport"]["session"]["participants"];
    assert_eq!(people[0]["attendance"], "ATTENDED");
    assert_eq!(people[1]["attendanceReason"], "Bus was late");
    assert_eq!(
        event_types(&app, &x.w.officer, &["psych_support.attendance_recorded"])
            .await
            .len(),
        3
    );
    // Someone who supervises neither case sees no session.
    let r = app
        .gql(
            Some(&x.w.officer_other),
            "query($id: ID!) { psychSupport { session(id: $id) { id } } }",
            json!({"id": id}),
        )
        .await;
    if r.code().is_none() {
        assert!(r.ok()["psychSupport"]["session"].is_null());
    }
}

#[tokio::test]
async fn practitioners_are_kept_by_the_provider_and_found_by_specialism_and_language() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let q = "query($f: PractitionerFilterInput) { psychSupport { practitioners(filter: $f) { totalCount edges { node { id specialisms languages } } } } }";
    let count = |token: String, f: Value| {
        let app = &app;
        async move {
            app.gql(Some(&token), q, json!({"f": f})).await.ok()["psychSupport"]["practitioners"]["totalCount"].clone()
        }
    };
    assert_eq!(
        count(x.p.ngo_staff.clone(), json!({"specialism": "CBT"})).await,
        1
    );
    assert_eq!(
        count(x.p.ngo_staff.clone(), json!({"specialism": "TRAUMA"})).await,
        0
    );
    assert_eq!(count(x.p.ngo_staff.clone(), json!({"language": "ru"})).await, 1);
    assert_eq!(count(x.p.ngo_staff.clone(), json!({"language": "kaa"})).await, 0);
    // Where to refer: organisations with the module on and an active practitioner (the
    // probation service follows the module but has none).
    let providers = "query($f: PsychProviderFilterInput) { psychSupport { providers(filter: $f) {
        totalCount edges { node { organisation { id } practitionerCount specialisms languages } } } } }";
    let r = app.gql(Some(&x.w.officer), providers, json!({})).await;
    let list = &r.ok()["psychSupport"]["providers"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(
        list["edges"][0]["node"],
        json!({"organisation": {"id": x.p.ngo}, "practitionerCount": 1,
            "specialisms": ["CBT", "MOTIVATIONAL_INTERVIEWING"], "languages": ["ru", "uz"]})
    );
    let r = app
        .gql(
            Some(&x.w.officer),
            providers,
            json!({"f": {"specialism": "TRAUMA"}}),
        )
        .await;
    assert_eq!(r.ok()["psychSupport"]["providers"]["totalCount"], 0);
    // Only the provider's people see them; a bad language code names the field.
    app.gql(Some(&x.w.officer), q, json!({}))
        .await
        .expect_code("FORBIDDEN");
    let staff_id = my_id(&app, &x.p.ngo_staff).await;
    let r = app
        .gql(
            Some(&x.p.ngo_admin),
            SAVE_PRACTITIONER,
            json!({"i": {"userId": staff_id, "specialisms": [], "languages": ["uzbek"]}}),
        )
        .await;
    assert_eq!(r.field(), Some("input.languages[0]"));
    // An admin is not a practitioner; another organisation's user is not found.
    let admin_id = my_id(&app, &x.p.ngo_admin).await;
    let r = app
        .gql(
            Some(&x.p.ngo_admin),
            SAVE_PRACTITIONER,
            json!({"i": {"userId": admin_id, "specialisms": [], "languages": []}}),
        )
        .await;
    assert_eq!(r.field(), Some("input.userId"));
    app.gql(
        Some(&x.p.ngo_admin),
        SAVE_PRACTITIONER,
        json!({"i": {"userId": x.w.officer_id, "specialisms": [], "languages": []}}),
    )
    .await
    .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn an_organisation_with_the_module_off_gets_module_disabled() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let q = "{ psychSupport { practitioners { totalCount } } }";
    app.gql(Some(&x.w.partner), q, json!({}))
        .await
        .expect_code("MODULE_DISABLED");
    set_module(&app, &x.p.ngo_admin, false).await;
    app.gql(Some(&x.p.ngo_staff), q, json!({}))
        .await
        .expect_code("MODULE_DISABLED");
    psych(
        &app,
        &x.p.ngo_staff,
        "recordScreening",
        json!({"referralId": x.w.case, "instrument": "PHQ9", "items": [0]}),
        "id",
    )
    .await
    .expect_code("MODULE_DISABLED");
    let r = app
        .gql(
            Some(&x.p.ngo_staff),
            "{ __schema { queryType { fields { name } } } t: __type(name: \"PsychSession\") { name } }",
            json!({}),
        )
        .await;
    assert!(r.body.to_string().contains("\"t\":null"), "{:?}", r.body);
    assert!(!r.body.to_string().contains("psychSupport"));
}

#[tokio::test]
async fn only_the_provider_accepts_and_a_practitioner_must_be_its_own_and_active() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    let accept = |token: String, practitioner: String| {
        let app = &app;
        let referral = referral.clone();
        async move {
            psych(
                app,
                &token,
                "acceptReferral",
                json!({"referralId": referral, "practitionerId": practitioner}),
                "id",
            )
            .await
        }
    };
    accept(x.w.officer.clone(), x.practitioner.clone())
        .await
        .expect_code("FORBIDDEN");
    let r = accept(x.p.ngo_staff.clone(), x.w.case.clone()).await;
    assert_eq!(r.field(), Some("input.practitionerId"));
    // Nothing was half written: the referral is still waiting.
    let r = app
        .gql(
            Some(&x.p.ngo_staff),
            "query($id: ID!) { node(id: $id) { ... on Referral { status } } }",
            json!({"id": referral}),
        )
        .await;
    assert_eq!(r.ok()["node"]["status"], "SENT");
    let r = accept(x.p.ngo_admin.clone(), x.practitioner.clone()).await;
    assert!(r.ok()["psychSupport"]["acceptReferral"]["id"].is_string());
    // Work needs a plan's referral to be under way, and a practitioner of the provider.
    let r = screen(
        &app,
        &x.p.ngo_admin,
        &referral,
        "GAD7",
        json!([0, 0, 0, 0, 0, 0, 0]),
    )
    .await;
    r.expect_code("FORBIDDEN");
}

#[tokio::test]
async fn agencies_see_only_their_own_peoples_attendance_in_a_group_session() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    // A second probation service, in the other district, refers its own person.
    let other_org = s(
        app.gql(
            Some(&x.w.officer_other),
            "{ me { organisation { id } } }",
            json!({}),
        )
        .await
        .ok(),
        "me.organisation.id",
    )
    .to_owned();
    let (_, other_admin) =
        create_user(&app, &x.w.admin, &other_org, "urgut.admin", &["ORG_ADMIN"], &[]).await;
    set_module(&app, &other_admin, true).await;
    let person = create_person(&app, &x.w.officer_other, &x.w.mahalla_c, "31505901234569").await;
    let case_c = create_case(&app, &x.w.officer_other, &person, json!({})).await;
    set_status(&app, &x.w.officer_other, &case_c, "ACTIVE", None)
        .await
        .ok();
    let r = app
        .gql(
            Some(&x.w.officer_other),
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
            json!({"i": {"caseId": case_c, "kind": KIND, "toOrganisationId": x.p.ngo, "summary": "Grief",
                "payload": {"reason": "Bereavement", "urgency": "ROUTINE"}}}),
        )
        .await;
    let c = s(r.ok(), "createReferral.referral.id").to_owned();
    app.gql(
        Some(&x.w.officer_other),
        "mutation($i: SendReferralInput!) { sendReferral(input: $i) { referral { id } } }",
        json!({"i": {"id": c, "legalBasis": "COURT_ORDER", "legalBasisReason": "Court order"}}),
    )
    .await
    .ok();
    let a = send_referral(&app, &x, &x.w.case).await;
    // The core's own accept works too; the practitioner is assigned afterwards.
    let r = app
        .gql(
            Some(&x.p.ngo_staff),
            "mutation($i: AcceptReferralInput!) { acceptReferral(input: $i) { referral { status } } }",
            json!({"i": {"id": c}}),
        )
        .await;
    assert_eq!(r.ok()["acceptReferral"]["referral"]["status"], "ACCEPTED");
    psych(
        &app,
        &x.p.ngo_staff,
        "setSupportPlan",
        json!({"referralId": c, "sessions": [{"kind": "GROUP", "count": 4}], "goals": ["Grieve"]}),
        "id",
    )
    .await
    .expect_code("CONFLICT");
    psych(
        &app,
        &x.p.ngo_admin,
        "assignPractitioner",
        json!({"referralId": c, "practitionerId": x.practitioner}),
        "id",
    )
    .await
    .ok();
    for r in [&a, &c] {
        accept_and_plan_or_plan(&app, &x, r).await;
    }
    let group = schedule(&app, &x, &[&a, &c], "2026-03-01T10:00:00Z").await;
    let id = s(&group, "id").to_owned();
    attendance(&app, &x, &id, &a, "ATTENDED", None).await.ok();
    attendance(&app, &x, &id, &c, "DID_NOT_ATTEND", Some("At the funeral"))
        .await
        .ok();

    let q = "query($id: ID!) { psychSupport { session(id: $id) { participants { referral { id } attendance attendanceReason } } } }";
    let seen = |token: String| {
        let app = &app;
        let id = id.clone();
        async move {
            app.gql(Some(&token), q, json!({"id": id})).await.ok()["psychSupport"]["session"]["participants"]
                .clone()
        }
    };
    assert_eq!(
        seen(x.p.ngo_staff.clone()).await.as_array().map(Vec::len),
        Some(2)
    );
    let mine = seen(x.w.officer.clone()).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["referral"]["id"], json!(a));
    let theirs = seen(x.w.officer_other.clone()).await;
    assert_eq!(theirs.as_array().map(Vec::len), Some(1));
    assert_eq!(theirs[0]["attendanceReason"], "At the funeral");
    assert!(!seen(x.w.inspector.clone()).await.to_string().contains("funeral"));
}

/// Accept (unless already accepted) and draw up the plan.
async fn accept_and_plan_or_plan(app: &TestApp, x: &Psych, referral: &str) {
    let r = app
        .gql(
            Some(&x.p.ngo_staff),
            "query($id: ID!) { node(id: $id) { ... on Referral { status } } }",
            json!({"id": referral}),
        )
        .await;
    if r.ok()["node"]["status"] == "SENT" {
        accept_and_plan(app, x, referral).await;
    } else {
        let r = psych(
            app,
            &x.p.ngo_staff,
            "setSupportPlan",
            json!({"referralId": referral, "sessions": [{"kind": "GROUP", "count": 4}], "goals": ["Grieve"]}),
            "referral { status }",
        )
        .await;
        assert_eq!(
            r.ok()["psychSupport"]["setSupportPlan"]["referral"]["status"],
            "IN_PROGRESS"
        );
    }
}

#[tokio::test]
async fn a_page_of_sessions_costs_the_same_queries_whatever_its_length() {
    // No outbox polling in the background: only the request's own statements count.
    let app = spawn_app_with(|s| s.event_poll_interval_ms = 600_000).await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    accept_and_plan(&app, &x, &referral).await;
    let q = "{ psychSupport {
        sessions(first: 50) { edges { node { id practitioner { specialisms user { displayName } }
            participants { attendance referral { id status } } reschedules { reason } } } }
        supports(first: 50) { edges { node { goals { description } plannedSessions { count } practitioner { languages } } } } } }";
    let cost = || async {
        let before = app.query_count();
        let r = app.gql(Some(&x.p.ngo_staff), q, json!({})).await;
        r.ok();
        app.query_count() - before
    };
    schedule(&app, &x, &[&referral], "2026-03-01T10:00:00Z").await;
    let one = cost().await;
    for day in 2..=6 {
        schedule(&app, &x, &[&referral], &format!("2026-03-0{day}T10:00:00Z")).await;
    }
    assert_eq!(cost().await, one, "six sessions cost what one does");
}

#[tokio::test]
async fn the_urgent_flag_reaches_the_officer_and_the_practitioner_live() {
    use std::time::Duration;

    use crate::events::WsClient;

    let app = spawn_app().await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    accept_and_plan(&app, &x, &referral).await;
    let feed = "subscription { referralEvents { type aggregateId payload } }";
    let mut officer = WsClient::authenticated(&app, &x.w.officer).await;
    officer.subscribe("o", feed, json!({})).await;
    let mut practitioner = WsClient::authenticated(&app, &x.p.ngo_staff).await;
    practitioner.subscribe("p", feed, json!({})).await;

    // Subscriptions start asynchronously: raise flags until the officer's stream is live.
    let mut seen = None;
    for _ in 0..20 {
        screen(
            &app,
            &x.p.ngo_staff,
            &referral,
            "PHQ9",
            json!([0, 0, 0, 0, 0, 0, 0, 0, 2]),
        )
        .await
        .ok();
        // Events committed just before the stream started may still arrive first.
        while let Some(e) = officer.next_data("o", Duration::from_millis(500)).await {
            if e["referralEvents"]["type"] == "psych_support.safety_flag_raised" {
                seen = Some(e);
                break;
            }
        }
        if seen.is_some() {
            break;
        }
    }
    let e = &seen.expect("the officer's feed never received the flag")["referralEvents"];
    assert_eq!(e["type"], "psych_support.safety_flag_raised");
    assert_eq!(e["aggregateId"], json!(referral));
    assert_eq!(e["payload"]["urgency"], "URGENT");
    assert!(
        e["payload"].get("total").is_none(),
        "no score leaves the provider"
    );
    let mut types = Vec::new();
    while let Some(m) = practitioner.next_data("p", Duration::from_millis(500)).await {
        types.push(
            m["referralEvents"]["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert!(
        types.iter().any(|t| t == "psych_support.safety_flag_raised"),
        "{types:?}"
    );
}

#[tokio::test]
async fn a_provider_keeps_its_own_reference_on_a_session_and_finds_it_by_it() {
    let app = spawn_app().await;
    let x = setup(&app).await;
    let referral = send_referral(&app, &x, &x.w.case).await;
    accept_and_plan(&app, &x, &referral).await;
    let first = s(
        &schedule(&app, &x, &[&referral], "2026-03-01T10:00:00Z").await,
        "id",
    )
    .to_owned();
    let second = s(
        &schedule(&app, &x, &[&referral], "2026-03-08T10:00:00Z").await,
        "id",
    )
    .to_owned();
    const SET_REF: &str = "mutation($id: ID!, $x: String) { psychSupport {
        setSessionExternalId(id: $id, externalId: $x) { id externalId } } }";
    const BY_REF: &str =
        "query($x: String!) { psychSupport { sessionByExternalId(externalId: $x) { id externalId } } }";

    let r = app
        .gql(
            Some(&x.p.ngo_staff),
            SET_REF,
            json!({"id": first, "x": "SES-0301"}),
        )
        .await;
    assert_eq!(
        r.ok()["psychSupport"]["setSessionExternalId"]["externalId"],
        "SES-0301"
    );
    let r = app
        .gql(Some(&x.p.ngo_admin), BY_REF, json!({"x": "SES-0301"}))
        .await;
    assert_eq!(
        r.ok()["psychSupport"]["sessionByExternalId"]["id"],
        first.as_str()
    );
    // The supervising officer sees the session, but the reference is the provider's.
    let r = app
        .gql(Some(&x.w.officer), BY_REF, json!({"x": "SES-0301"}))
        .await;
    assert!(r.ok()["psychSupport"]["sessionByExternalId"].is_null());
    app.gql(Some(&x.w.officer), SET_REF, json!({"id": first, "x": "P-1"}))
        .await
        .expect_code("FORBIDDEN");
    app.gql(
        Some(&x.p.ngo_staff),
        SET_REF,
        json!({"id": second, "x": "SES-0301"}),
    )
    .await
    .expect_code("CONFLICT");
    // Staff of another provider cannot even tell the session exists.
    let other = create_org(&app, &x.w.admin, "Other NGO", "NGO", Some(&x.w.district)).await;
    let (_, other_admin) = create_user(&app, &x.w.admin, &other, "other.admin", &["ORG_ADMIN"], &[]).await;
    set_module(&app, &other_admin, true).await;
    app.gql(Some(&other_admin), SET_REF, json!({"id": first, "x": "X-1"}))
        .await
        .expect_code("NOT_FOUND");
    let r = app
        .gql(
            Some(&x.w.officer),
            "query($id: ID!) { psychSupport { session(id: $id) { externalId } } }",
            json!({"id": first}),
        )
        .await;
    assert_eq!(r.ok()["psychSupport"]["session"]["externalId"], "SES-0301");
}
