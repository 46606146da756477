//! Every role against every area: what each caller sees and may change, enforced on the
//! server. Denials answer FORBIDDEN, or NOT_FOUND / null where existence itself matters.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::world::{World, create_person, world};

const CASE_QUERY: &str = "query($id: ID!) { case(id: $id) { id viewerAccess status } }";

async fn sees_case(app: &TestApp, token: &str, w: &World) -> Option<String> {
    let r = app.gql(Some(token), CASE_QUERY, json!({"id": w.case})).await;
    r.ok()["case"]["viewerAccess"].as_str().map(str::to_owned)
}

async fn listed_cases(app: &TestApp, token: &str) -> i64 {
    let r = app.gql(Some(token), "{ cases { totalCount } }", json!({})).await;
    r.ok()["cases"]["totalCount"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn the_lead_officer_has_full_access_to_the_case() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(sees_case(&app, &w.officer, &w).await.as_deref(), Some("FULL"));
    assert_eq!(listed_cases(&app, &w.officer).await, 1);
}

#[tokio::test]
async fn an_officer_of_another_district_does_not_know_the_case_exists() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(sees_case(&app, &w.officer_other, &w).await, None);
    assert_eq!(listed_cases(&app, &w.officer_other).await, 0);
    let r = app
        .gql(
            Some(&w.officer_other),
            "mutation($id: ID!) { changeCaseStatus(id: $id, status: SUSPENDED, reason: \"x\") { id } }",
            json!({"id": w.case}),
        )
        .await;
    r.expect_code("NOT_FOUND");
}

#[tokio::test]
async fn the_prevention_inspector_of_the_mahalla_supervises_but_cannot_change_the_case() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(
        sees_case(&app, &w.inspector, &w).await.as_deref(),
        Some("SUPERVISE")
    );
    let r = app
        .gql(
            Some(&w.inspector),
            "mutation($id: ID!) { changeCaseStatus(id: $id, status: SUSPENDED, reason: \"x\") { id } }",
            json!({"id": w.case}),
        )
        .await;
    r.expect_code("FORBIDDEN");
    let r = app
        .gql(
            Some(&w.inspector),
            "query($id: ID!) { case(id: $id) { courtName riskLevel person { pinfl } appointments { totalCount } } }",
            json!({"id": w.case}),
        )
        .await;
    assert_eq!(r.ok()["case"]["person"]["pinfl"], "31505901234567");
}

#[tokio::test]
async fn a_mahalla_member_sees_their_mahallas_case_without_sentence_details() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(
        sees_case(&app, &w.member_a, &w).await.as_deref(),
        Some("COMMUNITY")
    );
    let r = app
        .gql(
            Some(&w.member_a),
            "query($id: ID!) { case(id: $id) { status person { fullName } conditions { kind } } }",
            json!({"id": w.case}),
        )
        .await;
    assert_eq!(r.ok()["case"]["conditions"].as_array().map(Vec::len), Some(2));
    for field in [
        "courtName",
        "riskLevel",
        "person { pinfl }",
        "appointments { totalCount }",
        "violations { totalCount }",
    ] {
        let q = format!("query($id: ID!) {{ case(id: $id) {{ {field} }} }}");
        let r = app.gql(Some(&w.member_a), &q, json!({"id": w.case})).await;
        r.expect_code("FORBIDDEN");
    }
}

#[tokio::test]
async fn a_mahalla_member_cannot_record_supervision() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.member_a),
            "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "kind": "CURFEW_BREACH", "severity": "MINOR",
                         "occurredAt": "2026-03-01T23:00:00Z", "description": "x"}}),
        )
        .await;
    r.expect_code("FORBIDDEN");
}

#[tokio::test]
async fn a_member_of_another_mahalla_does_not_see_the_case() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(sees_case(&app, &w.member_b, &w).await, None);
    assert_eq!(listed_cases(&app, &w.member_b).await, 0);
    let r = app
        .gql(
            Some(&w.member_b),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": w.case}),
        )
        .await;
    assert!(r.ok()["node"].is_null());
}

#[tokio::test]
async fn partner_staff_see_no_case_and_no_person_without_a_grant() {
    let app = spawn_app().await;
    let w = world(&app).await;
    assert_eq!(sees_case(&app, &w.partner, &w).await, None);
    assert_eq!(listed_cases(&app, &w.partner).await, 0);
    let r = app
        .gql(Some(&w.partner), "{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(r.ok()["people"]["totalCount"], 0);
    let r = app
        .gql(
            Some(&w.partner),
            "query($id: ID!) { person(id: $id) { id } }",
            json!({"id": w.person}),
        )
        .await;
    assert!(r.ok()["person"].is_null());
}

#[tokio::test]
async fn administrators_and_auditors_see_no_case_content() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for token in [&w.admin, &w.org_admin, &w.auditor] {
        assert_eq!(sees_case(&app, token, &w).await, None);
        assert_eq!(listed_cases(&app, token).await, 0);
    }
}

#[tokio::test]
async fn only_auditors_read_the_audit_log() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "{ auditEvents(first: 5) { totalCount } }";
    let r = app.gql(Some(&w.auditor), q, json!({})).await;
    assert!(r.ok()["auditEvents"]["totalCount"].as_i64().unwrap_or(0) > 0);
    for token in [
        &w.admin,
        &w.officer,
        &w.inspector,
        &w.member_a,
        &w.partner,
        &w.org_admin,
    ] {
        app.gql(Some(token), q, json!({})).await.expect_code("FORBIDDEN");
    }
}

#[tokio::test]
async fn only_the_platform_admin_manages_organisations_and_territories() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for token in [&w.officer, &w.org_admin, &w.auditor, &w.partner] {
        let r = app
            .gql(
                Some(token),
                "mutation { createOrganisation(input: {name: \"X\", kind: NGO}) { id } }",
                json!({}),
            )
            .await;
        r.expect_code("FORBIDDEN");
        let r = app
            .gql(
                Some(token),
                "mutation($d: ID!) { createMahalla(input: {districtId: $d, name: \"Yangi\"}) { id } }",
                json!({"d": w.district}),
            )
            .await;
        r.expect_code("FORBIDDEN");
    }
}

#[tokio::test]
async fn an_organisation_admin_manages_only_their_own_organisations_users() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.org_admin),
            "mutation($o: ID!) { createUser(input: {organisationId: $o, username: \"officer2\", displayName: \"O2\",
               password: \"long enough password\", roles: [PROBATION_OFFICER]}) { id } }",
            json!({"o": w.probation}),
        )
        .await;
    r.ok();
    let r = app
        .gql(
            Some(&w.org_admin),
            "mutation($o: ID!) { createUser(input: {organisationId: $o, username: \"cop2\", displayName: \"C2\",
               password: \"long enough password\", roles: [PREVENTION_INSPECTOR], territoryIds: []}) { id } }",
            json!({"o": w.police}),
        )
        .await;
    r.expect_code("FORBIDDEN");
    let r = app
        .gql(Some(&w.org_admin), "{ users { totalCount } }", json!({}))
        .await;
    // The officer, the organisation admin and the new officer.
    assert_eq!(r.ok()["users"]["totalCount"], 3);
    let r = app
        .gql(
            Some(&w.org_admin),
            "query($o: ID!) { users(filter: {organisationId: $o}) { totalCount } }",
            json!({"o": w.police}),
        )
        .await;
    r.expect_code("FORBIDDEN");
}

#[tokio::test]
async fn operational_staff_cannot_list_users() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for token in [&w.officer, &w.inspector, &w.member_a, &w.partner, &w.auditor] {
        app.gql(Some(token), "{ users { totalCount } }", json!({}))
            .await
            .expect_code("FORBIDDEN");
    }
}

#[tokio::test]
async fn an_anonymous_caller_reaches_nothing_but_login() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for q in [
        "{ me { roles } }",
        "{ cases { totalCount } }",
        "{ regions { totalCount } }",
        "{ organisations { totalCount } }",
    ] {
        app.gql(None, q, json!({})).await.expect_code("UNAUTHENTICATED");
    }
    app.gql(None, CASE_QUERY, json!({"id": w.case}))
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn an_officer_cannot_register_a_person_outside_their_territory() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($m: ID!) { createPerson(input: {pinfl: \"31505901230000\", lastName: \"A\", firstName: \"B\",
               birthDate: \"1990-01-01\", mahallaId: $m}) { id } }",
            json!({"m": w.mahalla_c}),
        )
        .await;
    r.expect_code("FORBIDDEN");
}

#[tokio::test]
async fn a_person_is_visible_exactly_to_those_who_see_one_of_their_cases() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "query($id: ID!) { person(id: $id) { id viewerAccess } }";
    let cases = [
        (&w.officer, Some("FULL")),
        (&w.inspector, Some("SUPERVISE")),
        (&w.member_a, Some("COMMUNITY")),
        (&w.member_b, None),
        (&w.officer_other, None),
        (&w.partner, None),
    ];
    for (token, expected) in cases {
        let r = app.gql(Some(token), q, json!({"id": w.person})).await;
        assert_eq!(r.ok()["person"]["viewerAccess"].as_str(), expected);
    }
    // A person registered by the officer but without a case yet stays with the registering service.
    let lone = create_person(&app, &w.officer, &w.mahalla_b, "31505901239999").await;
    let r = app.gql(Some(&w.officer), q, json!({"id": lone})).await;
    assert_eq!(r.ok()["person"]["viewerAccess"], "FULL");
    let r = app.gql(Some(&w.inspector), q, json!({"id": lone})).await;
    assert!(r.ok()["person"].is_null());
}

#[tokio::test]
async fn an_inspector_assigned_to_a_case_outside_their_mahallas_still_supervises_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = create_person(&app, &w.officer, &w.mahalla_b, "31505901231111").await;
    let case =
        crate::world::create_case(&app, &w.officer, &person, json!({"inspectorId": w.inspector_id})).await;
    let r = app.gql(Some(&w.inspector), CASE_QUERY, json!({"id": case})).await;
    assert_eq!(r.ok()["case"]["viewerAccess"], "SUPERVISE");
}

#[tokio::test]
async fn the_demo_seed_loads_and_each_role_sees_its_share() {
    let app = spawn_app().await;
    let loaded = hamkor_api::seed::demo::load(&app.state)
        .await
        .expect("demo loads");
    assert!(matches!(loaded, hamkor_api::seed::demo::DemoOutcome::Loaded(_)));
    let password = hamkor_api::seed::demo::DEMO_PASSWORD;
    for (user, cases) in [
        ("officer.samarqand", 6),
        ("inspector.registon", 6),
        ("rais.registon", 2),
        ("counsellor.bandlik", 0),
        ("auditor", 0),
    ] {
        let token = app.login(user, password).await;
        assert_eq!(listed_cases(&app, &token).await, cases, "{user}");
    }
    // Registon's seven sit, and its programme is planned.
    let chair = app.login("rais.registon", password).await;
    let r = app
        .gql(
            Some(&chair),
            "{ preventionProgrammes { edges { node { mahalla { id } progress { total { planned } } } } } }",
            json!({}),
        )
        .await;
    let programme = &r.ok()["preventionProgrammes"]["edges"][0]["node"];
    assert_eq!(programme["progress"]["total"]["planned"], 3);
    let r = app
        .gql(
            Some(&chair),
            "query($m: ID!) { mahallaMembers(mahallaId: $m) { totalCount } }",
            json!({"m": programme["mahalla"]["id"]}),
        )
        .await;
    assert_eq!(r.ok()["mahallaMembers"]["totalCount"], 7);
    let again = hamkor_api::seed::demo::load(&app.state)
        .await
        .expect("second load");
    assert!(matches!(
        again,
        hamkor_api::seed::demo::DemoOutcome::AlreadyLoaded
    ));
}
