//! Relay connections: cursors, page sizes, totals.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::world::{create_mahalla, world};

const Q: &str =
    "query($d: ID!, $first: Int, $after: String) { mahallas(districtId: $d, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { name } } } }";

#[tokio::test]
async fn pages_follow_cursors_to_the_end_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for i in 0..23 {
        create_mahalla(&app, &w.admin, &w.district, &format!("M{i:02}")).await;
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(
                Some(&w.officer),
                Q,
                json!({"d": w.district, "first": 10, "after": after}),
            )
            .await;
        let conn = &r.ok()["mahallas"];
        assert_eq!(conn["totalCount"], 25);
        for e in conn["edges"].as_array().into_iter().flatten() {
            seen.push(e["node"]["name"].as_str().unwrap_or_default().to_owned());
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], !seen.len().eq(&10));
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 25);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 25);
}

#[tokio::test]
async fn the_default_page_is_twenty() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for i in 0..25 {
        create_mahalla(&app, &w.admin, &w.district, &format!("M{i:02}")).await;
    }
    let r = app.gql(Some(&w.officer), Q, json!({"d": w.district})).await;
    assert_eq!(r.ok()["mahallas"]["edges"].as_array().map(Vec::len), Some(20));
    assert_eq!(r.ok()["mahallas"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn page_arguments_are_validated() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for (first, after, field) in [
        (Some(101), None, "first"),
        (Some(-1), None, "first"),
        (Some(5), Some("bogus"), "after"),
    ] {
        let r = app
            .gql(
                Some(&w.officer),
                Q,
                json!({"d": w.district, "first": first, "after": after}),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some(field));
    }
}

#[tokio::test]
async fn an_empty_page_is_still_a_connection() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(Some(&w.officer), Q, json!({"d": w.other_district, "first": 0}))
        .await;
    let conn = &r.ok()["mahallas"];
    assert_eq!(conn["edges"], json!([]));
    assert_eq!(conn["totalCount"], 1);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
}
