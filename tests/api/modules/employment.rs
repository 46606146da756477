//! The employment module through GraphQL alone: matching that respects the sentence and
//! explains itself, the reverse ranking for a counsellor, applications to hiring and
//! retention, outcomes, what partners may see, and an organisation without the module.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, s, spawn_app};
use crate::modules::{Partners, partners};
use crate::world::{World, world};

struct Emp {
    w: World,
    p: Partners,
}

const CONFIGURE: &str = "mutation($i: ConfigureModuleInput!) {
    configureModule(input: $i) { id enabled config } }";

async fn enable(app: &TestApp, org_admin: &str, config: Option<Value>) -> Resp {
    let mut input = json!({"moduleId": "employment", "enabled": true});
    if let Some(c) = config {
        input["config"] = c;
    }
    app.gql(Some(org_admin), CONFIGURE, json!({"i": input})).await
}

/// The world's case (curfew 22:00–06:00) made to stay within its district; the
/// employment centre and the probation service with the module on.
async fn setup(app: &TestApp) -> Emp {
    let w = world(app).await;
    let p = partners(app, &w).await;
    enable(app, &p.employment_admin, None).await.ok();
    enable(app, &w.org_admin, None).await.ok();
    app.gql(
        Some(&w.officer),
        "mutation($c: ID!, $i: CaseConditionInput!) { addCaseCondition(caseId: $c, input: $i) { id } }",
        json!({"c": w.case, "i": {"kind": "STAY_WITHIN_AREA", "territoryId": w.district}}),
    )
    .await
    .ok();
    Emp { w, p }
}

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

async fn employer(app: &TestApp, token: &str, territory: &str, openness: &str, name: &str) -> String {
    let r = app
        .gql(
            Some(token),
            "mutation($i: EmployerInput!) { employment { createEmployer(input: $i) { id } } }",
            json!({"i": {"name": name, "territoryId": territory, "openness": openness, "phone": "+998 66 233 00 11"}}),
        )
        .await;
    s(r.ok(), "employment.createEmployer.id").to_owned()
}

async fn vacancy(app: &TestApp, token: &str, employer: &str, territory: &str, extra: Value) -> Resp {
    let mut input = json!({
        "employerId": employer, "title": "Welder", "occupationCode": "7212", "territoryId": territory,
        "shiftStart": "08:00:00", "shiftEnd": "17:00:00",
        "workDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
        "wageMinUzs": 3000000, "wageMaxUzs": 4500000, "seats": 2,
        "requiredSkills": ["welding"], "preferredSkills": ["grinding"], "minEducation": "BASIC_SECONDARY"
    });
    if let (Some(base), Value::Object(more)) = (input.as_object_mut(), extra) {
        base.extend(more);
    }
    app.gql(
        Some(token),
        "mutation($i: VacancyInput!) { employment { createVacancy(input: $i) { id title status seats seatsFilled } } }",
        json!({"i": input}),
    )
    .await
}

async fn vacancy_id(app: &TestApp, token: &str, employer: &str, territory: &str, extra: Value) -> String {
    let r = vacancy(app, token, employer, territory, extra).await;
    s(r.ok(), "employment.createVacancy.id").to_owned()
}

async fn profile(app: &TestApp, token: &str, case: &str) -> Resp {
    app.gql(
        Some(token),
        "mutation($c: ID!, $i: JobSeekerProfileInput!) { employment { saveJobSeekerProfile(caseId: $c, input: $i) {
            id readiness skills { name level } desiredOccupations barriers } } }",
        json!({"c": case, "i": {
            "education": "SECONDARY", "readiness": "READY",
            "skills": [{"name": "Welding", "level": 3}, {"name": "driving", "level": 2}],
            "desiredOccupations": ["7212"], "languages": ["uz", "ru"], "barriers": ["DOCUMENTS"],
            "workHistory": [{"employer": "Samarqand avtozavod", "title": "Welder's helper", "from": "2018-03-01", "until": "2020-06-30"}]
        }}),
    )
    .await
}

const MATCHES: &str =
    "query($c: ID!, $f: EmploymentMatchFilter) { employment { matches(caseId: $c, first: 20, filter: $f) {
    totalCount edges { node { score maxScore fits conflicts vacancy { title }
    factors { factor weight value points explanation } } } } } }";

fn nodes(r: &Resp) -> Vec<Value> {
    r.ok()["employment"]["matches"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| x["node"].clone()).collect())
        .unwrap_or_default()
}

/// Vacancies around the world's case: two that fit, five that the sentence or the
/// employer rules out.
async fn market(app: &TestApp, e: &Emp) {
    let w = &e.w;
    let open = employer(app, &w.partner, &w.district, "YES", "Samarqand metal works").await;
    let careful = employer(app, &w.partner, &w.district, "CASE_BY_CASE", "Registon bakery").await;
    let closed = employer(app, &w.partner, &w.district, "NO", "Bank branch").await;
    let away = employer(app, &w.partner, &w.other_district, "YES", "Urgut quarry").await;
    vacancy_id(
        app,
        &w.partner,
        &open,
        &w.mahalla_a,
        json!({"title": "Day welder"}),
    )
    .await;
    vacancy_id(
        app,
        &w.partner,
        &careful,
        &w.district,
        json!({"title": "Baker's assistant", "occupationCode": "7512", "shiftStart": null, "shiftEnd": null,
               "requiredSkills": [], "preferredSkills": [], "minEducation": null}),
    )
    .await;
    vacancy_id(app, &w.partner, &open, &w.district, json!({"title": "Night guard", "occupationCode": "5414", "shiftStart": "22:00:00", "shiftEnd": "06:00:00"})).await;
    vacancy_id(
        app,
        &w.partner,
        &open,
        &w.district,
        json!({"title": "Evening welder", "shiftStart": "14:00:00", "shiftEnd": "23:00:00"}),
    )
    .await;
    vacancy_id(app, &w.partner, &open, &w.district, json!({"title": "Early loader", "occupationCode": "9333", "shiftStart": "05:00:00", "shiftEnd": "13:00:00"})).await;
    vacancy_id(
        app,
        &w.partner,
        &away,
        &w.other_district,
        json!({"title": "Quarry welder"}),
    )
    .await;
    vacancy_id(
        app,
        &w.partner,
        &closed,
        &w.district,
        json!({"title": "Cash clerk", "occupationCode": "4211"}),
    )
    .await;
}

#[tokio::test]
async fn matches_never_rank_a_night_shift_or_an_out_of_area_job_as_a_fit() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    market(&app, &e).await;
    profile(&app, &w.officer, &w.case).await.ok();

    let r = app.gql(Some(&w.officer), MATCHES, json!({"c": w.case})).await;
    let found = nodes(&r);
    let titles: Vec<&str> = found.iter().map(|n| s(n, "vacancy.title")).collect();
    assert_eq!(titles, ["Day welder", "Baker's assistant"], "{found:#?}");
    assert_eq!(r.ok()["employment"]["matches"]["totalCount"], 2);
    for n in &found {
        assert_eq!(n["fits"], true);
        assert_eq!(n["maxScore"], 100);
        let factors = n["factors"].as_array().expect("factors");
        assert_eq!(factors.len(), 7);
        let sum: f64 = factors.iter().map(|f| f["points"].as_f64().unwrap_or(-1.0)).sum();
        let score = n["score"].as_f64().expect("score");
        assert!(
            (sum - score).abs() < 1e-6,
            "the explanation sums to the score: {sum} vs {score}"
        );
        for f in factors {
            assert!(!s(f, "explanation").is_empty());
        }
    }
    // Welding skills, wanted occupation, own mahalla, open employer: 35 + 10 + 15 + 10 +
    // 10 + 10 + 10 minus the missing preferred skill (35 × 1/3).
    let best = &found[0];
    assert!(
        (best["score"].as_f64().unwrap_or_default() - 88.33).abs() < 1e-6,
        "{best}"
    );

    // Asked for, the ruled-out ones come last, flagged, each with its reason.
    let r = app
        .gql(
            Some(&w.officer),
            MATCHES,
            json!({"c": w.case, "f": {"includeConflicting": true}}),
        )
        .await;
    let all = nodes(&r);
    assert_eq!(all.len(), 7);
    let fits: Vec<bool> = all.iter().map(|n| n["fits"] == true).collect();
    assert_eq!(fits, [true, true, false, false, false, false, false]);
    let reason = |title: &str| -> String {
        all.iter()
            .find(|n| n["vacancy"]["title"] == title)
            .map(|n| n["conflicts"].to_string())
            .expect(title)
    };
    assert!(
        reason("Night guard").contains("curfew"),
        "{}",
        reason("Night guard")
    );
    assert!(reason("Evening welder").contains("curfew"));
    assert!(reason("Early loader").contains("curfew"));
    assert!(reason("Quarry welder").contains("district"));
    assert!(reason("Cash clerk").contains("does not hire"));

    // The weights are the organisation's: without the skills factor the maximum drops.
    enable(&app, &w.org_admin, Some(json!({"weights": {"skills": 0}})))
        .await
        .ok();
    let r = app.gql(Some(&w.officer), MATCHES, json!({"c": w.case})).await;
    assert_eq!(nodes(&r)[0]["maxScore"], 65);
    let r = enable(&app, &w.org_admin, Some(json!({"weights": {"skills": 500}}))).await;
    r.expect_code("BAD_USER_INPUT");
}

async fn refer(app: &TestApp, e: &Emp, to: &str, scope: &[&str]) -> String {
    let w = &e.w;
    app.gql(
        Some(&w.officer),
        "mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id } }",
        json!({"i": {"personId": w.person, "purpose": "employment", "organisationId": to,
                     "dataScope": scope, "evidence": "Form 7/2026"}}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
            json!({"i": {"caseId": w.case, "kind": "employment", "toOrganisationId": to, "summary": "Needs steady work"}}),
        )
        .await;
    let id = s(r.ok(), "createReferral.referral.id").to_owned();
    app.gql(
        Some(&w.officer),
        "mutation($i: SendReferralInput!) { sendReferral(input: $i) { referral { status } } }",
        json!({"i": {"id": id}}),
    )
    .await
    .ok();
    id
}

const APPLICATION: &str = "id status startDate referral { status } vacancy { status seatsFilled }
    retentionChecks { id day dueOn outcome } history { fromStatus toStatus }";

async fn move_app(app: &TestApp, token: &str, id: &str, status: &str, start: Option<String>) -> Resp {
    app.gql(
        Some(token),
        &format!("mutation($i: MoveJobApplicationInput!) {{ employment {{ moveJobApplication(input: $i) {{ {APPLICATION} }} }} }}"),
        json!({"i": {"applicationId": id, "status": status, "startDate": start}}),
    )
    .await
}

#[tokio::test]
async fn an_employment_referral_goes_from_application_to_a_retention_check() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let works = employer(&app, &w.partner, &w.district, "YES", "Samarqand metal works").await;
    let welder = vacancy_id(&app, &w.partner, &works, &w.district, json!({"seats": 1})).await;
    let night = vacancy_id(
        &app,
        &w.partner,
        &works,
        &w.district,
        json!({"title": "Night welder", "shiftStart": "21:00:00", "shiftEnd": "05:00:00"}),
    )
    .await;
    profile(&app, &w.officer, &w.case).await.ok();

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
            "mutation($i: AddPlanGoalInput!) { addPlanGoal(input: $i) { id } }",
            json!({"i": {"planId": plan, "domain": "EMPLOYMENT", "description": "Find and keep a job"}}),
        )
        .await;
    let goal = s(r.ok(), "addPlanGoal.id").to_owned();
    app.gql(
        Some(&w.officer),
        "mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id } }",
        json!({"i": {"personId": w.person, "purpose": "employment", "organisationId": w.employment,
                     "dataScope": ["IDENTITY", "SENTENCE_CONDITIONS"], "evidence": "Form 7/2026"}}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
            json!({"i": {"caseId": w.case, "kind": "employment", "toOrganisationId": w.employment,
                         "summary": "Needs steady work", "planGoalId": goal}}),
        )
        .await;
    let referral = s(r.ok(), "createReferral.referral.id").to_owned();
    app.gql(
        Some(&w.officer),
        "mutation($i: SendReferralInput!) { sendReferral(input: $i) { referral { status } } }",
        json!({"i": {"id": referral}}),
    )
    .await
    .ok();

    let apply = |token: String, vacancy: String| {
        let referral = referral.clone();
        let app = &app;
        async move {
            app.gql(
                Some(&token),
                &format!("mutation($i: ApplyForVacancyInput!) {{ employment {{ applyForVacancy(input: $i) {{ {APPLICATION} }} }} }}"),
                json!({"i": {"referralId": referral, "vacancyId": vacancy}}),
            )
            .await
        }
    };
    // Only the partner applies, and never for a shift into the curfew.
    apply(w.officer.clone(), welder.clone())
        .await
        .expect_code("FORBIDDEN");
    let r = apply(w.partner.clone(), night.clone()).await;
    r.expect_code("CONFLICT");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("curfew")
    );

    let r = apply(w.partner.clone(), welder.clone()).await;
    let a = &r.ok()["employment"]["applyForVacancy"];
    assert_eq!(a["status"], "APPLIED");
    assert_eq!(a["referral"]["status"], "ACCEPTED");
    let id = s(a, "id").to_owned();
    apply(w.partner.clone(), welder.clone())
        .await
        .expect_code("CONFLICT");

    // The centre files the application under its own reference and finds it by it.
    const SET_REF: &str = "mutation($id: ID!, $x: String) { employment {
        setJobApplicationExternalId(id: $id, externalId: $x) { id externalId } } }";
    let r = app
        .gql(Some(&w.partner), SET_REF, json!({"id": id, "x": "APP-2026-17"}))
        .await;
    assert_eq!(
        r.ok()["employment"]["setJobApplicationExternalId"]["externalId"],
        "APP-2026-17"
    );
    app.gql(Some(&w.officer), SET_REF, json!({"id": id, "x": "P-1"}))
        .await
        .expect_code("FORBIDDEN");
    const BY_REF: &str =
        "query($x: String!) { employment { applicationByExternalId(externalId: $x) { id } } }";
    let r = app
        .gql(Some(&w.partner), BY_REF, json!({"x": "APP-2026-17"}))
        .await;
    assert_eq!(r.ok()["employment"]["applicationByExternalId"]["id"], id.as_str());
    // The reference is the centre's: the officer's organisation has no such application.
    let r = app
        .gql(Some(&w.officer), BY_REF, json!({"x": "APP-2026-17"}))
        .await;
    assert!(r.ok()["employment"]["applicationByExternalId"].is_null());

    move_app(&app, &w.partner, &id, "HIRED", Some(day(0)))
        .await
        .expect_code("INVALID_TRANSITION");
    move_app(&app, &w.partner, &id, "INTERVIEW", None).await.ok();
    move_app(&app, &w.partner, &id, "OFFERED", None).await.ok();
    let r = move_app(&app, &w.partner, &id, "HIRED", None).await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.startDate"));
    let r = move_app(&app, &w.partner, &id, "HIRED", Some(day(-400))).await;
    assert_eq!(r.field(), Some("input.startDate"));
    // Placed half a year ago: every check is due.
    let r = move_app(&app, &w.partner, &id, "HIRED", Some(day(-185))).await;
    let a = &r.ok()["employment"]["moveJobApplication"];
    assert_eq!(a["status"], "HIRED");
    assert_eq!(a["referral"]["status"], "IN_PROGRESS");
    assert_eq!(a["vacancy"]["seatsFilled"], 1);
    assert_eq!(a["vacancy"]["status"], "FILLED");
    let checks = a["retentionChecks"].as_array().expect("checks").clone();
    let days: Vec<i64> = checks
        .iter()
        .map(|c| c["day"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(days, [30, 90, 180]);
    assert_eq!(checks[0]["dueOn"], json!(day(-155)));
    move_app(&app, &w.partner, &id, "WITHDRAWN", None)
        .await
        .expect_code("INVALID_TRANSITION");
    let states: Vec<&str> = a["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| s(h, "toStatus"))
        .collect();
    assert_eq!(states, ["APPLIED", "INTERVIEW", "OFFERED", "HIRED"]);

    let check = |cid: String, outcome: &'static str| {
        let app = &app;
        let token = w.partner.clone();
        async move {
            app.gql(
                Some(&token),
                "mutation($i: RecordRetentionCheckInput!) { employment { recordRetentionCheck(input: $i) { day outcome checkedOn } } }",
                json!({"i": {"checkId": cid, "outcome": outcome}}),
            )
            .await
        }
    };
    let r = check(s(&checks[0], "id").to_owned(), "EMPLOYED").await;
    assert_eq!(
        r.ok()["employment"]["recordRetentionCheck"]["outcome"],
        "EMPLOYED"
    );
    check(s(&checks[0], "id").to_owned(), "NOT_EMPLOYED")
        .await
        .expect_code("CONFLICT");
    check(s(&checks[1], "id").to_owned(), "EMPLOYED").await.ok();

    // The officer sees the placement on the case; outcomes count it.
    let r = app
        .gql(
            Some(&w.officer),
            "query($c: ID!) { employment { applications(filter: {caseId: $c}) { totalCount edges { node { status startDate } } } } }",
            json!({"c": w.case}),
        )
        .await;
    assert_eq!(r.ok()["employment"]["applications"]["totalCount"], 1);
    let q = "query($f: NaiveDate!, $u: NaiveDate!) { employment { outcomes(from: $f, until: $u, groupBy: DISTRICT) {
        district { id } referred matched hired employedAt90Days } } }";
    let r = app
        .gql(Some(&w.officer), q, json!({"f": day(-1), "u": day(0)}))
        .await;
    let row = &r.ok()["employment"]["outcomes"][0];
    assert_eq!(row["district"]["id"], json!(w.district));
    let counts: Vec<i64> = ["referred", "matched", "hired", "employedAt90Days"]
        .iter()
        .map(|k| row[*k].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(counts, [1, 1, 1, 1]);
    // Partners outside the referral see none of it.
    let r = app
        .gql(Some(&e.p.ngo_admin), q, json!({"f": day(-1), "u": day(0)}))
        .await;
    assert!(r.code() == Some("MODULE_DISABLED") || r.ok()["employment"]["outcomes"] == json!([]));

    // Still employed at 180 days: the referral completes and the goal is achieved.
    check(s(&checks[2], "id").to_owned(), "EMPLOYED").await.ok();
    let r = app
        .gql(
            Some(&w.officer),
            "query($c: ID!) { case(id: $c) { referrals { edges { node { status } } }
                rehabilitationPlan { goals { status actions { description ownerOrganisation { id } } } } } }",
            json!({"c": w.case}),
        )
        .await;
    let c = &r.ok()["case"];
    assert_eq!(c["referrals"]["edges"][0]["node"]["status"], "COMPLETED");
    let g = &c["rehabilitationPlan"]["goals"][0];
    assert_eq!(g["status"], "ACHIEVED");
    assert_eq!(g["actions"][0]["ownerOrganisation"]["id"], json!(w.employment));
    assert!(s(&g["actions"][0], "description").contains("180 days"));
}

#[tokio::test]
async fn a_publisher_keeps_its_own_references_on_its_vacancies() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    let works = employer(&app, &w.partner, &w.district, "YES", "Samarqand metal works").await;
    let first = vacancy_id(&app, &w.partner, &works, &w.district, json!({})).await;
    let second = vacancy_id(&app, &w.partner, &works, &w.district, json!({})).await;
    const SET_REF: &str = "mutation($id: ID!, $x: String) { employment {
        setVacancyExternalId(id: $id, externalId: $x) { id externalId } } }";
    const BY_REF: &str =
        "query($x: String!) { employment { vacancyByExternalId(externalId: $x) { id externalId } } }";
    let set = |token: String, id: String, x: Value| {
        let app = &app;
        async move { app.gql(Some(&token), SET_REF, json!({"id": id, "x": x})).await }
    };

    let r = set(w.partner.clone(), first.clone(), json!("  HR-77 ")).await;
    assert_eq!(
        r.ok()["employment"]["setVacancyExternalId"]["externalId"],
        "HR-77"
    );
    // Anyone of the publisher finds it by the reference; nobody else does.
    let r = app
        .gql(Some(&e.p.employment_admin), BY_REF, json!({"x": "HR-77"}))
        .await;
    assert_eq!(r.ok()["employment"]["vacancyByExternalId"]["id"], first.as_str());
    let r = app.gql(Some(&w.officer), BY_REF, json!({"x": "HR-77"})).await;
    assert!(r.ok()["employment"]["vacancyByExternalId"].is_null());

    // Unique within the publisher; only its staff set it; bounded.
    set(w.partner.clone(), second.clone(), json!("HR-77"))
        .await
        .expect_code("CONFLICT");
    set(w.officer.clone(), second.clone(), json!("HR-78"))
        .await
        .expect_code("FORBIDDEN");
    set(w.partner.clone(), second.clone(), json!("x".repeat(129)))
        .await
        .expect_code("BAD_USER_INPUT");
    app.gql(Some(&w.partner), BY_REF, json!({"x": " "}))
        .await
        .expect_code("BAD_USER_INPUT");

    // Another organisation uses the same reference for its own vacancy; each finds its own.
    enable(&app, &e.p.ngo_admin, None).await.ok();
    let shop = employer(&app, &e.p.ngo_staff, &w.district, "YES", "Oila sewing shop").await;
    let theirs = vacancy_id(&app, &e.p.ngo_staff, &shop, &w.district, json!({})).await;
    set(e.p.ngo_staff.clone(), theirs.clone(), json!("HR-77"))
        .await
        .ok();
    let r = app.gql(Some(&e.p.ngo_staff), BY_REF, json!({"x": "HR-77"})).await;
    assert_eq!(r.ok()["employment"]["vacancyByExternalId"]["id"], theirs.as_str());
    let r = app.gql(Some(&w.partner), BY_REF, json!({"x": "HR-77"})).await;
    assert_eq!(r.ok()["employment"]["vacancyByExternalId"]["id"], first.as_str());
    set(e.p.ngo_staff.clone(), first.clone(), json!("N-1"))
        .await
        .expect_code("FORBIDDEN");

    // Cleared, the reference is free for another vacancy.
    let r = set(w.partner.clone(), first.clone(), Value::Null).await;
    assert!(r.ok()["employment"]["setVacancyExternalId"]["externalId"].is_null());
    set(w.partner.clone(), second.clone(), json!("HR-77")).await.ok();
    let r = app.gql(Some(&w.partner), BY_REF, json!({"x": "HR-77"})).await;
    assert_eq!(r.ok()["employment"]["vacancyByExternalId"]["id"], second.as_str());
}

#[tokio::test]
async fn partners_see_only_what_their_referral_allows() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let w = &e.w;
    enable(&app, &e.p.ngo_admin, None).await.ok();
    profile(&app, &w.officer, &w.case).await.ok();
    let works = employer(&app, &e.p.ngo_staff, &w.district, "YES", "Oila sewing shop").await;
    let job = vacancy_id(
        &app,
        &e.p.ngo_staff,
        &works,
        &w.district,
        json!({"title": "Seamstress", "occupationCode": "7533"}),
    )
    .await;

    let profile_q = "query($c: ID!) { employment { profile(caseId: $c) { readiness skills { name } } } }";
    let candidates_q =
        "query($v: ID!) { employment { vacancy(id: $v) { candidates { totalCount edges { node {
        fits score referral { id } profile { readiness } } } } } } }";

    // No referral: nothing about the person.
    app.gql(Some(&e.p.ngo_staff), profile_q, json!({"c": w.case}))
        .await
        .expect_code("NOT_FOUND");
    app.gql(Some(&e.p.ngo_staff), MATCHES, json!({"c": w.case}))
        .await
        .expect_code("NOT_FOUND");
    let r = app
        .gql(Some(&e.p.ngo_staff), candidates_q, json!({"v": job}))
        .await;
    assert_eq!(r.ok()["employment"]["vacancy"]["candidates"]["totalCount"], 0);

    // A referral whose consent covers identity only: the profile, not the conditions.
    let referral = refer(&app, &e, &e.p.ngo, &["IDENTITY"]).await;
    app.gql(
        Some(&e.p.ngo_staff),
        "mutation($i: AcceptReferralInput!) { acceptReferral(input: $i) { referral { status } } }",
        json!({"i": {"id": referral}}),
    )
    .await
    .ok();
    let r = app
        .gql(Some(&e.p.ngo_staff), profile_q, json!({"c": w.case}))
        .await;
    assert_eq!(r.ok()["employment"]["profile"]["readiness"], "READY");
    app.gql(Some(&e.p.ngo_staff), MATCHES, json!({"c": w.case}))
        .await
        .expect_code("NOT_FOUND");
    let r = app
        .gql(Some(&e.p.ngo_staff), candidates_q, json!({"v": job}))
        .await;
    assert_eq!(r.ok()["employment"]["vacancy"]["candidates"]["totalCount"], 0);

    // The employment centre, with the conditions in its consent, matches and ranks.
    let theirs = refer(&app, &e, &w.employment, &["IDENTITY", "SENTENCE_CONDITIONS"]).await;
    app.gql(
        Some(&w.partner),
        "mutation($i: AcceptReferralInput!) { acceptReferral(input: $i) { referral { status } } }",
        json!({"i": {"id": theirs}}),
    )
    .await
    .ok();
    let r = app.gql(Some(&w.partner), MATCHES, json!({"c": w.case})).await;
    assert_eq!(nodes(&r)[0]["vacancy"]["title"], "Seamstress");
    let r = app.gql(Some(&w.partner), candidates_q, json!({"v": job})).await;
    let c = &r.ok()["employment"]["vacancy"]["candidates"];
    assert_eq!(c["totalCount"], 1);
    assert_eq!(c["edges"][0]["node"]["referral"]["id"], json!(theirs));
    assert_eq!(c["edges"][0]["node"]["fits"], true);
    // A mahalla member supervises no employment: the profile is not theirs to read.
    let r = app.gql(Some(&w.member_a), profile_q, json!({"c": w.case})).await;
    assert!(
        matches!(r.code(), Some("MODULE_DISABLED" | "NOT_FOUND")),
        "{:?}",
        r.body
    );

    // Someone else's vacancy is not theirs to change.
    let r = app
        .gql(
            Some(&w.partner),
            "mutation($v: ID!) { employment { setVacancyStatus(id: $v, status: CLOSED) { status } } }",
            json!({"v": job}),
        )
        .await;
    r.expect_code("FORBIDDEN");
}

#[tokio::test]
async fn an_organisation_without_the_module_gets_module_disabled() {
    let app = spawn_app().await;
    let e = setup(&app).await;
    let r = app
        .gql(
            Some(&e.p.ngo_staff),
            "{ employment { vacancies { totalCount } } }",
            json!({}),
        )
        .await;
    r.expect_code("MODULE_DISABLED");
    let r = app
        .gql(
            Some(&e.p.ngo_staff),
            "mutation { employment { setVacancyStatus(id: \"x\", status: OPEN) { id } } }",
            json!({}),
        )
        .await;
    r.expect_code("MODULE_DISABLED");
    let r = app
        .gql(
            Some(&e.p.ngo_staff),
            "{ __type(name: \"VacancyMatch\") { name } }",
            json!({}),
        )
        .await;
    assert!(r.ok()["__type"].is_null());
    // Bad input names its field.
    let w = &e.w;
    let works = employer(&app, &w.partner, &w.district, "YES", "Works").await;
    let r = vacancy(
        &app,
        &w.partner,
        &works,
        &w.district,
        json!({"occupationCode": "72"}),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.occupationCode"));
    let r = vacancy(&app, &w.partner, &works, &w.district, json!({"shiftEnd": null})).await;
    assert_eq!(r.field(), Some("input.shiftEnd"));
}

#[tokio::test]
async fn the_external_id_migration_goes_down_and_up_again() {
    use hamkor_api::module::schema::AddExternalIds;
    use sea_orm_migration::{MigrationTrait, SchemaManager};

    let app = spawn_app().await;
    let migration = AddExternalIds {
        name: "m_test_external_ids",
        tables: &["employment_vacancies", "employment_applications"],
    };
    let manager = SchemaManager::new(app.db());
    migration.down(&manager).await.expect("down");
    for table in migration.tables {
        assert!(!manager.has_column(*table, "external_id").await.expect("schema"));
    }
    migration.up(&manager).await.expect("up again");
    for table in migration.tables {
        assert!(manager.has_column(*table, "external_id").await.expect("schema"));
        assert!(
            manager
                .has_index(*table, &format!("idx_{table}_organisation_id_external_id"))
                .await
                .expect("schema")
        );
    }
}
