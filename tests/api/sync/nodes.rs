//! `node(id)` refetches a sync device and a conflict for whom may read them (as the
//! `sync` lists show them), and null for everyone else, like any other node.

use serde_json::json;

use super::{PUSH, check_in, device, pull_all};
use crate::helpers::{TestApp, s, spawn_app};
use crate::world::world;

const NODE: &str = "query($id: ID!) { node(id: $id) { id __typename
    ... on SyncDevice { model user { id } }
    ... on SyncConflict { field phoneValue } } }";

async fn node(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    app.gql(Some(token), NODE, json!({"id": id})).await.ok()["node"].clone()
}

#[tokio::test]
async fn a_device_and_a_conflict_resolve_as_nodes_only_for_whom_may_read_them() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let appointment = check_in(&app, &w.officer, &w.case, "first note").await;
    let phone = device(&app, &w.inspector, "inspector-phone").await;
    pull_all(&app, &w.inspector, &phone, None).await;
    app.gql(
        Some(&w.officer),
        "mutation($id: ID!, $i: UpdateAppointmentInput!) { updateAppointment(id: $id, input: $i) { version } }",
        json!({"id": appointment, "i": {"outcomeNote": "officer's note"}}),
    )
    .await
    .ok();
    let r = app
        .gql(
            Some(&w.inspector),
            PUSH,
            json!({"d": phone, "c": [{"changeId": "c1", "kind": "APPOINTMENT", "id": appointment, "baseVersion": 1,
                "base": {"outcomeNote": "first note"}, "values": {"outcomeNote": "phone's note"}}]}),
        )
        .await;
    let conflict = s(&r.ok()["sync"]["push"][0]["conflicts"][0], "id").to_owned();

    // The device: its user and the platform admin; not another user, not an admin of
    // another organisation.
    let d = node(&app, &w.inspector, &phone).await;
    assert_eq!(d["__typename"], "SyncDevice");
    assert_eq!(d["model"], "Samsung A14");
    assert_eq!(node(&app, &w.admin, &phone).await["id"], json!(phone));
    for token in [&w.officer, &w.org_admin, &w.partner, &w.member_a] {
        assert!(node(&app, token, &phone).await.is_null(), "{token}");
    }

    // The conflict: whose change it was, and the officer in full charge of the case.
    for token in [&w.inspector, &w.officer] {
        let c = node(&app, token, &conflict).await;
        assert_eq!(c["__typename"], "SyncConflict");
        assert_eq!(c["phoneValue"], "phone's note");
    }
    for token in [&w.officer_other, &w.partner, &w.member_a, &w.org_admin] {
        assert!(node(&app, token, &conflict).await.is_null(), "{token}");
    }
    // `nodes` answers alike.
    let r = app
        .gql(
            Some(&w.partner),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": [phone, conflict]}),
        )
        .await;
    assert_eq!(r.ok()["nodes"], json!([null, null]));
}
