//! Reads of sentence details, risk and PINFL are audited on every path: one record per
//! request and kind of content, listing the ids read.

use std::time::Duration;

use serde_json::json;

use crate::audit::audit;
use crate::events::WsClient;
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

const CASE_EVENTS: &str = "subscription($c: ID!) { caseEvents(caseId: $c) { type payload } }";

/// How many risk-level reads `actor` (a user id) is on record for.
async fn risk_reads_by(app: &crate::helpers::TestApp, auditor: &str, actor: &str) -> usize {
    let log = audit(app, auditor, json!({"action": "case.risk_level.read"})).await;
    log["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["node"]["actor"]["id"] == json!(actor))
        .count()
}

#[tokio::test]
async fn a_risk_level_in_an_event_payload_is_audited_in_lists_and_subscriptions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let officer_id = w.officer_id.clone();
    let mut ws = WsClient::authenticated(&app, &w.officer).await;
    ws.subscribe("c", CASE_EVENTS, json!({"c": w.case})).await;
    // The subscription starts asynchronously: change the case until an update arrives.
    let mut seen = None;
    for level in [
        "HIGH", "MEDIUM", "HIGH", "MEDIUM", "HIGH", "MEDIUM", "HIGH", "MEDIUM",
    ] {
        app.gql(
            Some(&w.officer),
            "mutation($id: ID!, $l: RiskLevel!) { updateCase(id: $id, input: {riskLevel: $l}) { id } }",
            json!({"id": w.case, "l": level}),
        )
        .await
        .ok();
        // Earlier events of the case may come first; wait for the update itself.
        while let Some(m) = ws.next_data("c", Duration::from_millis(700)).await {
            if m["caseEvents"]["type"] == "case.updated" {
                seen = Some(m);
                break;
            }
        }
        if seen.is_some() {
            break;
        }
    }
    let seen = seen.expect("the subscription delivered a case update");
    assert!(seen["caseEvents"]["payload"]["riskLevel"].is_string(), "{seen}");
    // Delivered means audited: the record is written before the event goes out.
    let after_subscription = risk_reads_by(&app, &w.auditor, &officer_id).await;
    assert!(after_subscription >= 1, "the subscription's read is on record");

    app.gql(
        Some(&w.officer),
        "query($c: ID!) { events(first: 20, filter: {caseId: $c, types: [\"case.updated\"]}) { edges { node { payload } } } }",
        json!({"c": w.case}),
    )
    .await
    .ok();
    let after_list = risk_reads_by(&app, &w.auditor, &officer_id).await;
    assert!(
        after_list > after_subscription,
        "the list's read is on record too"
    );

    // A mahalla member receives the update without the risk level: nothing read, nothing recorded.
    let me = app
        .gql(Some(&w.member_a), "{ me { user { id } } }", json!({}))
        .await;
    let member_id = crate::helpers::s(me.ok(), "me.user.id").to_owned();
    let r = app
        .gql(
            Some(&w.member_a),
            "query($c: ID!) { events(first: 20, filter: {caseId: $c, types: [\"case.updated\"]}) { edges { node { payload } } } }",
            json!({"c": w.case}),
        )
        .await;
    for e in r.ok()["events"]["edges"].as_array().expect("edges") {
        assert!(e["node"]["payload"].get("riskLevel").is_none(), "{e}");
    }
    assert_eq!(risk_reads_by(&app, &w.auditor, &member_id).await, 0);
}
