//! Offline field sync: devices, pulls within the caller's sight (compared with what
//! their reads show), pushes merged field by field, conflicts and their resolution.

mod activities;
mod nodes;
mod paging;
mod scenario;
mod scope;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, s};
use crate::world::{World, create_user};

pub const REGISTER: &str =
    "mutation($i: RegisterDeviceInput!) { sync { registerDevice(input: $i) { id model revokedAt } } }";
pub const PULL: &str = "mutation($d: ID!, $a: String, $f: Int) { sync { pull(deviceId: $d, after: $a, first: $f) { wipe cursor hasMore records { kind moduleKind id data } tombstones { kind moduleKind id } } } }";
pub const PUSH: &str = "mutation($d: ID!, $c: [SyncChangeInput!]!) { sync { push(deviceId: $d, changes: $c) { changeId kind moduleKind status id clientId record replayed error { code message field } conflicts { id field baseValue phoneValue serverValue } } } }";
pub const CONFLICTS: &str = "{ sync { conflicts { totalCount edges { node { id field baseValue phoneValue serverValue user { id } resolvedAt } } } } }";
pub const RESOLVE: &str = "mutation($c: ID!, $ch: SyncResolution!, $v: JSON) { sync { resolve(conflictId: $c, choice: $ch, value: $v) { id resolution resolvedValue resolvedAt } } }";

/// Register a device for the token's user.
pub async fn device(app: &TestApp, token: &str, key: &str) -> String {
    let r = app
        .gql(
            Some(token),
            REGISTER,
            json!({"i": {"deviceKey": key, "model": "Samsung A14", "appVersion": "1.0.0"}}),
        )
        .await;
    s(r.ok(), "sync.registerDevice.id").to_owned()
}

/// Every page of a pull, from `after` until nothing more waits: (records, tombstones,
/// last cursor).
pub async fn pull_all(
    app: &TestApp,
    token: &str,
    device: &str,
    mut after: Option<String>,
) -> (Vec<Value>, Vec<Value>, String) {
    let mut records = Vec::new();
    let mut tombstones = Vec::new();
    loop {
        let r = app
            .gql(Some(token), PULL, json!({"d": device, "a": after, "f": 2}))
            .await;
        let page = r.ok()["sync"]["pull"].clone();
        assert_eq!(page["wipe"], false);
        records.extend(page["records"].as_array().expect("records").iter().cloned());
        tombstones.extend(page["tombstones"].as_array().expect("tombstones").iter().cloned());
        after = Some(page["cursor"].as_str().expect("cursor").to_owned());
        if page["hasMore"] == false {
            return (records, tombstones, after.expect("cursor"));
        }
    }
}

/// The ids of `kind` among pulled records or tombstones.
pub fn ids_of(items: &[Value], kind: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter(|r| r["kind"] == kind)
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A past time (a contact that happened).
pub fn hours_ago(h: i64) -> String {
    (Utc::now() - Duration::hours(h)).to_rfc3339()
}

/// A member of mahalla A's seven with a login: (member id, token).
pub async fn seated_member(app: &TestApp, w: &World) -> (String, String) {
    let (_, committee) = create_user(app, &w.admin, &w.mfy_a, "mfy.admin", &["ORG_ADMIN"], &[]).await;
    let (user, token) = create_user(
        app,
        &w.admin,
        &w.mfy_a,
        "seven.women",
        &["MAHALLA_MEMBER"],
        &[&w.mahalla_a],
    )
    .await;
    let r = app
        .gql(
            Some(&committee),
            "mutation($i: AppointMahallaMemberInput!) { appointMahallaMember(input: $i) { id } }",
            json!({"i": {"mahallaId": w.mahalla_a, "subRole": "WOMENS_ACTIVIST", "fullName": "Women's activist",
                "userId": user, "startsOn": (Utc::now().date_naive() - Duration::days(30)).to_string()}}),
        )
        .await;
    (s(r.ok(), "appointMahallaMember.id").to_owned(), token)
}

/// A check-in the officer records on the world's case: the appointment's id.
pub async fn check_in(app: &TestApp, token: &str, case: &str, note: &str) -> String {
    let r = app
        .gql(
            Some(token),
            "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id version } }",
            json!({"i": {"caseId": case, "kind": "HOME_VISIT", "at": hours_ago(3), "note": note}}),
        )
        .await;
    assert_eq!(r.ok()["recordCheckIn"]["version"], 1);
    s(r.ok(), "recordCheckIn.id").to_owned()
}
