//! Names that lie about themselves are refused; names are stored in NFC.

use serde_json::json;

use crate::helpers::{s, spawn_app};
use crate::world::world;

const CREATE_ORG: &str =
    "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { id name } }";

#[tokio::test]
async fn a_name_with_a_right_to_left_override_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for name in ["Probe\u{202e}gnp.exe", "Hamkor\u{200b} NGO", "\u{feff}Hamkor NGO"] {
        let r = app
            .gql(
                Some(&admin),
                CREATE_ORG,
                json!({"i": {"name": name, "kind": "NGO"}}),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("input.name"), "{name:?}");
    }
}

#[tokio::test]
async fn names_are_stored_in_nfc() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let r = app
        .gql(
            Some(&admin),
            CREATE_ORG,
            json!({"i": {"name": "O\u{0308}zbekiston yoshlari", "kind": "NGO"}}),
        )
        .await;
    assert_eq!(s(r.ok(), "createOrganisation.name"), "\u{00d6}zbekiston yoshlari");
}

#[tokio::test]
async fn a_persons_name_with_an_invisible_character_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }",
            json!({"i": {
                "pinfl": "31505901237777", "lastName": "Qodirov", "firstName": "An\u{2060}var",
                "birthDate": "1990-05-15", "mahallaId": w.mahalla_a
            }}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.firstName"));
}
