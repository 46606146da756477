//! A small world built through the API, as a client would: one region with two
//! districts, mahallas, an organisation of each kind, a user of each role, a person and
//! an active case in mahalla A.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, s};

pub struct World {
    pub admin: String,
    pub region: String,
    pub district: String,
    pub other_district: String,
    pub mahalla_a: String,
    pub mahalla_b: String,
    pub mahalla_c: String,
    pub probation: String,
    pub police: String,
    pub mfy_a: String,
    pub employment: String,
    pub officer: String,
    pub officer_id: String,
    pub officer_other: String,
    pub inspector: String,
    pub inspector_id: String,
    pub member_a: String,
    pub member_b: String,
    pub partner: String,
    pub org_admin: String,
    pub auditor: String,
    pub person: String,
    pub case: String,
}

pub async fn create_region(app: &TestApp, admin: &str, soato: &str) -> String {
    let r = app
        .gql(
            Some(admin),
            "mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }",
            json!({"i": {"soato": soato, "nameUz": format!("Viloyat {soato}")}}),
        )
        .await;
    s(r.ok(), "createRegion.id").to_owned()
}

pub async fn create_district(app: &TestApp, admin: &str, region: &str, soato: &str) -> String {
    let r = app
        .gql(
            Some(admin),
            "mutation($i: CreateDistrictInput!) { createDistrict(input: $i) { id } }",
            json!({"i": {"regionId": region, "soato": soato, "kind": "DISTRICT", "nameUz": format!("Tuman {soato}")}}),
        )
        .await;
    s(r.ok(), "createDistrict.id").to_owned()
}

pub async fn create_mahalla(app: &TestApp, admin: &str, district: &str, name: &str) -> String {
    let r = app
        .gql(
            Some(admin),
            "mutation($i: CreateMahallaInput!) { createMahalla(input: $i) { id } }",
            json!({"i": {"districtId": district, "name": name}}),
        )
        .await;
    s(r.ok(), "createMahalla.id").to_owned()
}

pub async fn create_org(
    app: &TestApp,
    admin: &str,
    name: &str,
    kind: &str,
    territory: Option<&str>,
) -> String {
    let r = app
        .gql(
            Some(admin),
            "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"i": {"name": name, "kind": kind, "territoryId": territory}}),
        )
        .await;
    s(r.ok(), "createOrganisation.id").to_owned()
}

/// Create a user and return (id, token).
pub async fn create_user(
    app: &TestApp,
    admin: &str,
    org: &str,
    username: &str,
    roles: &[&str],
    territories: &[&str],
) -> (String, String) {
    let r = app
        .gql(
            Some(admin),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {
                "organisationId": org, "username": username, "displayName": username,
                "password": PASSWORD, "roles": roles, "territoryIds": territories
            }}),
        )
        .await;
    let id = s(r.ok(), "createUser.id").to_owned();
    let token = app.login(username, PASSWORD).await;
    (id, token)
}

pub async fn create_person(app: &TestApp, officer: &str, mahalla: &str, pinfl: &str) -> String {
    let r = app
        .gql(
            Some(officer),
            "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }",
            json!({"i": {
                "pinfl": pinfl, "lastName": "Qodirov", "firstName": "Anvar", "patronymic": "Baxtiyorovich",
                "birthDate": "1990-05-15", "mahallaId": mahalla, "phone": "+998901234567", "languages": ["uz", "ru"]
            }}),
        )
        .await;
    s(r.ok(), "createPerson.id").to_owned()
}

/// The standard input of a case for `person`, merged with `extra`.
pub fn case_input(person: &str, extra: Value) -> Value {
    let mut input = json!({
        "personId": person,
        "kind": "RESTRICTION_OF_LIBERTY",
        "courtName": "Samarqand shahar sudi",
        "courtDecisionDate": "2026-01-10",
        "criminalCodeArticle": "169-modda",
        "sentenceStart": "2026-02-01",
        "sentenceEnd": "2028-02-01",
        "conditions": [
            {"kind": "CURFEW", "curfewStart": "22:00:00", "curfewEnd": "06:00:00"},
            {"kind": "REPORTING", "reportEveryDays": 14}
        ]
    });
    if let (Some(base), Value::Object(more)) = (input.as_object_mut(), extra) {
        base.extend(more);
    }
    input
}

pub async fn create_case(app: &TestApp, officer: &str, person: &str, extra: Value) -> String {
    let r = app
        .gql(
            Some(officer),
            "mutation($i: CreateCaseInput!) { createCase(input: $i) { id status } }",
            json!({"i": case_input(person, extra)}),
        )
        .await;
    s(r.ok(), "createCase.id").to_owned()
}

pub async fn set_status(
    app: &TestApp,
    officer: &str,
    case: &str,
    status: &str,
    reason: Option<&str>,
) -> crate::helpers::Resp {
    app.gql(
        Some(officer),
        "mutation($id: ID!, $s: CaseStatus!, $r: String) { changeCaseStatus(id: $id, status: $s, reason: $r) { id status statusReason } }",
        json!({"id": case, "s": status, "r": reason}),
    )
    .await
}

pub async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let region = create_region(app, &admin, "1718").await;
    let district = create_district(app, &admin, &region, "1718401").await;
    let other_district = create_district(app, &admin, &region, "1718236").await;
    let mahalla_a = create_mahalla(app, &admin, &district, "Registon").await;
    let mahalla_b = create_mahalla(app, &admin, &district, "Siyob").await;
    let mahalla_c = create_mahalla(app, &admin, &other_district, "Urgut markaz").await;

    let probation = create_org(
        app,
        &admin,
        "Probation Samarqand",
        "PROBATION_SERVICE",
        Some(&district),
    )
    .await;
    let police = create_org(
        app,
        &admin,
        "Police Samarqand",
        "INTERNAL_AFFAIRS",
        Some(&district),
    )
    .await;
    let mfy_a = create_org(app, &admin, "Registon MFY", "MAHALLA_COMMITTEE", Some(&mahalla_a)).await;
    let mfy_b = create_org(app, &admin, "Siyob MFY", "MAHALLA_COMMITTEE", Some(&mahalla_b)).await;
    let employment = create_org(
        app,
        &admin,
        "Employment centre",
        "EMPLOYMENT_CENTRE",
        Some(&district),
    )
    .await;
    let other_probation = create_org(
        app,
        &admin,
        "Probation Urgut",
        "PROBATION_SERVICE",
        Some(&other_district),
    )
    .await;
    let platform = s(
        app.gql(Some(&admin), "{ me { organisation { id } } }", json!({}))
            .await
            .ok(),
        "me.organisation.id",
    )
    .to_owned();

    let (officer_id, officer) =
        create_user(app, &admin, &probation, "officer", &["PROBATION_OFFICER"], &[]).await;
    let (_, officer_other) = create_user(
        app,
        &admin,
        &other_probation,
        "officer.urgut",
        &["PROBATION_OFFICER"],
        &[],
    )
    .await;
    let (inspector_id, inspector) = create_user(
        app,
        &admin,
        &police,
        "inspector",
        &["PREVENTION_INSPECTOR"],
        &[&mahalla_a],
    )
    .await;
    let (_, member_a) = create_user(
        app,
        &admin,
        &mfy_a,
        "member.a",
        &["MAHALLA_MEMBER"],
        &[&mahalla_a],
    )
    .await;
    let (_, member_b) = create_user(
        app,
        &admin,
        &mfy_b,
        "member.b",
        &["MAHALLA_MEMBER"],
        &[&mahalla_b],
    )
    .await;
    let (_, partner) = create_user(app, &admin, &employment, "partner", &["PARTNER_STAFF"], &[]).await;
    let (_, org_admin) = create_user(app, &admin, &probation, "probation.admin", &["ORG_ADMIN"], &[]).await;
    let (_, auditor) = create_user(app, &admin, &platform, "auditor", &["AUDITOR"], &[]).await;

    let person = create_person(app, &officer, &mahalla_a, "31505901234567").await;
    let case = create_case(app, &officer, &person, json!({"inspectorId": inspector_id})).await;
    set_status(app, &officer, &case, "ACTIVE", None).await.ok();

    World {
        admin,
        region,
        district,
        other_district,
        mahalla_a,
        mahalla_b,
        mahalla_c,
        probation,
        police,
        mfy_a,
        employment,
        officer,
        officer_id,
        officer_other,
        inspector,
        inspector_id,
        member_a,
        member_b,
        partner,
        org_admin,
        auditor,
        person,
        case,
    }
}
