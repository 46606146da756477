//! Reads of sentence details, risk and PINFL are audited on every path: one record per
//! request and kind of content, listing the ids read.

use serde_json::json;

use crate::audit::audit;
use crate::helpers::spawn_app;
use crate::world::{create_case, create_person, world};

fn raw(id: &str) -> i64 {
    hamkor_api::ids::decode(id).map(|(_, n)| n).expect("global id")
}

#[tokio::test]
async fn sentence_details_read_through_a_list_are_audited_once_with_every_case_id() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = create_person(&app, &w.officer, &w.mahalla_a, "31505901234568").await;
    let second = create_case(&app, &w.officer, &person, json!({})).await;
    app.gql(
        Some(&w.officer),
        "{ cases(first: 10) { nodes { courtName courtDecisionDate criminalCodeArticle } } }",
        json!({}),
    )
    .await
    .ok();
    let log = audit(&app, &w.auditor, json!({"action": "case.sentence.read"})).await;
    assert_eq!(log["totalCount"], 1, "{log}");
    let mut ids = vec![raw(&w.case), raw(&second)];
    ids.sort_unstable();
    assert_eq!(log["edges"][0]["node"]["detail"]["ids"], json!(ids));
}

#[tokio::test]
async fn a_pinfl_read_through_person_and_nested_fields_is_audited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.inspector),
        "query($p: ID!, $c: ID!) { person(id: $p) { pinfl } node(id: $c) { ... on Case { riskLevel person { pinfl } } } }",
        json!({"p": w.person, "c": w.case}),
    )
    .await
    .ok();
    let pinfl = audit(&app, &w.auditor, json!({"action": "person.pinfl.read"})).await;
    assert_eq!(pinfl["totalCount"], 1, "{pinfl}");
    let row = &pinfl["edges"][0]["node"];
    assert_eq!(row["detail"]["ids"], json!([raw(&w.person)]));
    assert_eq!(row["targetId"], json!(w.person));
    let risk = audit(&app, &w.auditor, json!({"action": "case.risk_level.read"})).await;
    assert_eq!(risk["totalCount"], 1, "{risk}");
    assert_eq!(risk["edges"][0]["node"]["caseId"], json!(w.case));
}

#[tokio::test]
async fn a_list_without_sensitive_fields_leaves_no_read_record() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.gql(
        Some(&w.officer),
        "{ cases(first: 10) { nodes { id status person { lastName } } } }",
        json!({}),
    )
    .await
    .ok();
    for action in ["case.sentence.read", "case.risk_level.read", "person.pinfl.read"] {
        let log = audit(&app, &w.auditor, json!({"action": action})).await;
        assert_eq!(log["totalCount"], 0, "{action}: {log}");
    }
}

#[tokio::test]
async fn a_refused_field_is_not_recorded_as_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.member_a),
            "query($c: ID!) { case(id: $c) { courtName } }",
            json!({"c": w.case}),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let log = audit(&app, &w.auditor, json!({"action": "case.sentence.read"})).await;
    assert_eq!(log["totalCount"], 0, "{log}");
}
