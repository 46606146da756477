//! Users: roles that fit the organisation, territorial scope, and who may grant what.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::world::world;

const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id username roles
    territories { __typename ... on Mahalla { id } ... on District { id } } } }";

fn input(org: &str, username: &str, roles: &[&str], territories: &[&str]) -> serde_json::Value {
    json!({"i": {"organisationId": org, "username": username, "displayName": "Test user",
                 "password": "long enough password", "roles": roles, "territoryIds": territories}})
}

#[tokio::test]
async fn a_role_must_fit_the_kind_of_organisation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.admin),
            CREATE,
            input(&w.employment, "fake.officer", &["PROBATION_OFFICER"], &[]),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.roles"));
    let r = app
        .gql(
            Some(&w.admin),
            CREATE,
            input(&w.probation, "fake.member", &["MAHALLA_MEMBER"], &[&w.mahalla_a]),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn a_mahalla_member_belongs_to_exactly_one_mahalla() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for territories in [
        vec![],
        vec![w.mahalla_a.as_str(), w.mahalla_b.as_str()],
        vec![w.district.as_str()],
    ] {
        let r = app
            .gql(
                Some(&w.admin),
                CREATE,
                input(&w.mfy_a, "m.two", &["MAHALLA_MEMBER"], &territories),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
    }
    let r = app
        .gql(
            Some(&w.admin),
            CREATE,
            input(&w.mfy_a, "m.one", &["MAHALLA_MEMBER"], &[&w.mahalla_a]),
        )
        .await;
    assert_eq!(r.ok()["createUser"]["territories"][0]["id"], w.mahalla_a);
}

#[tokio::test]
async fn a_users_territory_lies_inside_their_organisations() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.admin),
            CREATE,
            input(&w.police, "cop.far", &["PREVENTION_INSPECTOR"], &[&w.mahalla_c]),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.territoryIds[0]"));
}

#[tokio::test]
async fn an_inspector_needs_a_territory() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.admin),
            CREATE,
            input(&w.police, "cop.nowhere", &["PREVENTION_INSPECTOR"], &[]),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn usernames_are_unique_case_insensitively() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.admin),
            CREATE,
            input(&w.probation, "OFFICER", &["PROBATION_OFFICER"], &[]),
        )
        .await;
    r.expect_code("CONFLICT");
}

#[tokio::test]
async fn a_weak_password_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut i = input(&w.probation, "weak", &["PROBATION_OFFICER"], &[]);
    i["i"]["password"] = json!("short");
    let r = app.gql(Some(&w.admin), CREATE, i).await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.password"));
}

#[tokio::test]
async fn only_the_platform_admin_grants_platform_wide_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for role in ["AUDITOR", "PLATFORM_ADMIN"] {
        let r = app
            .gql(
                Some(&w.org_admin),
                CREATE,
                input(&w.probation, "climber", &[role], &[]),
            )
            .await;
        r.expect_code("FORBIDDEN");
    }
    app.gql(
        Some(&w.admin),
        CREATE,
        input(&w.probation, "inner.auditor", &["AUDITOR"], &[]),
    )
    .await
    .ok();
}

#[tokio::test]
async fn role_changes_take_effect_on_the_next_request() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.admin),
            "{ users(filter: {role: PROBATION_OFFICER}) { edges { node { id username } } } }",
            json!({}),
        )
        .await;
    let officer = r.ok()["users"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["node"]["username"] == "officer")
        .map(|e| e["node"]["id"].clone())
        .expect("officer listed");
    app.gql(
        Some(&w.admin),
        "mutation($id: ID!) { updateUser(id: $id, input: {roles: [ORG_ADMIN]}) { roles } }",
        json!({"id": officer}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.officer),
            "{ me { roles } cases { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["me"]["roles"], json!(["ORG_ADMIN"]));
    assert_eq!(r.ok()["cases"]["totalCount"], 0);
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let me = app
        .gql(Some(&w.org_admin), "{ me { user { id } } }", json!({}))
        .await;
    let id = me.ok()["me"]["user"]["id"].clone();
    let r = app
        .gql(
            Some(&w.org_admin),
            "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }",
            json!({"id": id}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn admin_only_user_fields_are_hidden_from_colleagues() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "query($id: ID!) { case(id: $id) { officer { displayName username lastLoginAt } } }";
    let r = app.gql(Some(&w.inspector), q, json!({"id": w.case})).await;
    let officer = &r.ok()["case"]["officer"];
    assert_eq!(officer["displayName"], "officer");
    assert!(officer["username"].is_null());
    let r = app.gql(Some(&w.officer), q, json!({"id": w.case})).await;
    assert_eq!(r.ok()["case"]["officer"]["username"], "officer");
}

#[tokio::test]
async fn a_user_is_fetched_by_id_only_by_colleagues_and_their_admins() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "query($id: ID!) { user(id: $id) { displayName } }";
    for (token, visible) in [
        (&w.officer, true),
        (&w.org_admin, true),
        (&w.admin, true),
        (&w.inspector, false),
        (&w.partner, false),
    ] {
        let r = app.gql(Some(token), q, json!({"id": w.officer_id})).await;
        assert_eq!(!r.ok()["user"].is_null(), visible);
    }
}
