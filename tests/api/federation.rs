//! Hamkor as an Apollo Federation v2 subgraph: `_service` publishes the SDL with the
//! entity keys, and `_entities` resolves each representation with exactly the access
//! rule of `node(id)`.

use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};
use crate::world::world;

const ENTITIES: &str = "query($r: [_Any!]!) { _entities(representations: $r) {
    __typename
    ... on Region { id } ... on District { id } ... on Mahalla { id }
    ... on Organisation { id } ... on Person { id } ... on Case { id }
} }";

#[tokio::test]
async fn the_subgraph_keys_six_types_by_id() {
    let app = spawn_app_with(|s| s.federation = true).await;
    let r = app.gql(None, "{ _service { sdl } }", json!({})).await;
    let sdl = r.ok()["_service"]["sdl"].as_str().expect("the SDL");
    assert!(
        sdl.contains("specs.apollo.dev/federation/v2"),
        "a Federation 2 schema"
    );
    let keyed: Vec<&str> = sdl
        .lines()
        .filter(|l| l.starts_with("type ") && l.contains("@key(fields: \"id\")"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    // Only the six: a record below a case is reached through the case.
    assert_eq!(
        keyed,
        ["Case", "District", "Mahalla", "Organisation", "Person", "Region"],
        "the entities"
    );
    // `export-schema --federation` prints the same keys (without the tests' probe module).
    let exported = hamkor::subgraph_sdl();
    assert!(exported.contains("implements Node @key(fields: \"id\")") && exported.contains("_entities"));
}

#[tokio::test]
async fn entities_resolve_for_each_role_exactly_as_node_does() {
    let app = spawn_app_with(|s| s.federation = true).await;
    let w = world(&app).await;
    let ids = [
        ("Region", w.region.clone()),
        ("District", w.district.clone()),
        ("Mahalla", w.mahalla_a.clone()),
        ("Organisation", w.employment.clone()),
        ("Person", w.person.clone()),
        ("Case", w.case.clone()),
        // An id of another type than the representation names is no entity.
        ("Case", w.person.clone()),
    ];
    let representations: Vec<Value> = ids
        .iter()
        .map(|(t, id)| json!({"__typename": t, "id": id}))
        .collect();
    let roles = [
        ("officer", &w.officer),
        ("officer of another district", &w.officer_other),
        ("inspector", &w.inspector),
        ("member of the case's mahalla", &w.member_a),
        ("member of another mahalla", &w.member_b),
        ("partner without consent", &w.partner),
        ("organisation admin", &w.org_admin),
        ("auditor", &w.auditor),
    ];
    let mut refused = 0;
    for (role, token) in roles {
        let r = app
            .gql(Some(token), ENTITIES, json!({"r": representations}))
            .await;
        let entities = r.ok()["_entities"].as_array().expect("a list").clone();
        assert_eq!(entities.len(), ids.len());
        for ((ty, id), entity) in ids.iter().zip(&entities) {
            let node = app
                .gql(
                    Some(token),
                    "query($id: ID!) { node(id: $id) { __typename id } }",
                    json!({"id": id}),
                )
                .await;
            let node = &node.ok()["node"];
            let node_as_entity = if node["__typename"] == json!(ty) {
                node.clone()
            } else {
                Value::Null
            };
            assert_eq!(entity, &node_as_entity, "{role}: {ty} {id}");
            if entity.is_null() {
                refused += 1;
            }
        }
        assert!(entities[6].is_null(), "{role}: a person's id is no case");
    }
    // Not everyone sees everything: the rule did refuse some.
    assert!(refused > roles.len(), "only the mistyped ids were refused");
    let officer = app
        .gql(Some(&w.officer), ENTITIES, json!({"r": representations}))
        .await;
    assert_eq!(
        officer.ok()["_entities"][5]["id"],
        json!(w.case),
        "the officer's own case"
    );

    app.gql(None, ENTITIES, json!({"r": representations}))
        .await
        .expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn without_federation_there_is_no_entities_field() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let r = app.gql(Some(&token), "{ _service { sdl } }", json!({})).await;
    assert!(r.body.get("errors").is_some(), "{:?}", r.body);
    let sdl = hamkor::sdl();
    assert!(!sdl.contains("_entities") && !sdl.contains("@key"));
}
