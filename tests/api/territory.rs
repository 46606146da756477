//! Territories and organisations.

use serde_json::json;

use crate::helpers::{s, spawn_app};
use crate::world::{create_district, create_region, world};

#[tokio::test]
async fn the_admin_builds_the_territory_tree_with_soato_codes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let region = create_region(&app, &admin, "1703").await;
    let district = create_district(&app, &admin, &region, "1703202").await;
    let r = app
        .gql(
            Some(&admin),
            "mutation($d: ID!) { createMahalla(input: {districtId: $d, name: \"Navbahor\"}) { name district { soato region { soato } } } }",
            json!({"d": district}),
        )
        .await;
    let m = &r.ok()["createMahalla"];
    assert_eq!(m["district"]["soato"], "1703202");
    assert_eq!(m["district"]["region"]["soato"], "1703");
}

#[tokio::test]
async fn soato_codes_are_validated_and_unique() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let q = "mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }";
    for bad in ["17", "17034", "17a3"] {
        let r = app
            .gql(Some(&admin), q, json!({"i": {"soato": bad, "nameUz": "X"}}))
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("input.soato"));
    }
    let region = create_region(&app, &admin, "1703").await;
    app.gql(
        Some(&admin),
        q,
        json!({"i": {"soato": "1703", "nameUz": "Again"}}),
    )
    .await
    .expect_code("CONFLICT");
    let r = app
        .gql(
            Some(&admin),
            "mutation($i: CreateDistrictInput!) { createDistrict(input: $i) { id } }",
            json!({"i": {"regionId": region, "soato": "1706202", "kind": "DISTRICT", "nameUz": "Wrong region"}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn mahalla_names_are_unique_within_a_district() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "mutation($d: ID!) { createMahalla(input: {districtId: $d, name: \"Registon\"}) { id } }";
    app.gql(Some(&w.admin), q, json!({"d": w.district}))
        .await
        .expect_code("CONFLICT");
    app.gql(Some(&w.admin), q, json!({"d": w.other_district}))
        .await
        .ok();
}

#[tokio::test]
async fn territories_are_listed_and_filtered_for_any_signed_in_user() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.member_a),
            "query($r: ID!) { regions { totalCount } districts(regionId: $r) { totalCount } mahallas(search: \"reg\") { edges { node { name } } } }",
            json!({"r": w.region}),
        )
        .await;
    let d = r.ok();
    assert_eq!(d["regions"]["totalCount"], 1);
    assert_eq!(d["districts"]["totalCount"], 2);
    assert_eq!(d["mahallas"]["edges"][0]["node"]["name"], "Registon");
}

#[tokio::test]
async fn node_refetches_objects_by_global_id() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({"ids": [w.region, w.mahalla_a, w.probation, w.case, w.person]}),
        )
        .await;
    let types: Vec<&str> = r.ok()["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["__typename"].as_str())
        .collect();
    assert_eq!(types, ["Region", "Mahalla", "Organisation", "Case", "Person"]);
    let r = app
        .gql(Some(&w.officer), "{ node(id: \"garbage\") { id } }", json!({}))
        .await;
    assert!(r.ok()["node"].is_null());
}

#[tokio::test]
async fn organisations_are_filtered_by_kind_and_territory() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "query($f: OrganisationFilterInput) { organisations(filter: $f) { totalCount } }";
    let count = |f: serde_json::Value| {
        let app = &app;
        let t = w.officer.clone();
        async move { app.gql(Some(&t), q, json!({"f": f})).await.ok()["organisations"]["totalCount"].as_i64() }
    };
    assert_eq!(count(json!({"kinds": ["PROBATION_SERVICE"]})).await, Some(2));
    assert_eq!(count(json!({"districtId": w.other_district})).await, Some(1));
    assert_eq!(count(json!({"search": "mfy"})).await, Some(2));
}

#[tokio::test]
async fn a_deactivated_organisation_can_no_longer_sign_in() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.admin),
            "mutation($id: ID!) { updateOrganisation(id: $id, input: {active: false}) { active } }",
            json!({"id": w.employment}),
        )
        .await;
    assert_eq!(r.ok()["updateOrganisation"]["active"], false);
    let r = app.gql(Some(&w.partner), "{ me { roles } }", json!({})).await;
    assert_eq!(r.status, 401);
    let r = app
        .gql(
            None,
            "mutation { login(username: \"partner\", password: \"correct horse battery\") { accessToken } }",
            json!({}),
        )
        .await;
    r.expect_code("UNAUTHENTICATED");
    let _ = s;
}
