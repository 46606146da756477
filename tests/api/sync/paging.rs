//! Pages of a pull: a page the device never confirmed comes again, a confirmed one does
//! not, and after a change only the changed record comes.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{PULL, check_in, device, pull_all};
use crate::helpers::{TestApp, spawn_app};
use crate::world::world;

/// One page of at most two: (kind and id of each record, tombstones, cursor, has more).
async fn page(
    app: &TestApp,
    token: &str,
    device: &str,
    after: Option<&str>,
) -> (Vec<(String, String)>, usize, String, bool) {
    let r = app
        .gql(Some(token), PULL, json!({"d": device, "a": after, "f": 2}))
        .await;
    let p = r.ok()["sync"]["pull"].clone();
    let records = p["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| (r["kind"].to_string(), r["id"].to_string()))
        .collect();
    let tombstones = p["tombstones"].as_array().expect("tombstones").len();
    (
        records,
        tombstones,
        p["cursor"].as_str().expect("cursor").to_owned(),
        p["hasMore"] == true,
    )
}

fn keys(records: &[Value]) -> BTreeSet<(String, String)> {
    records
        .iter()
        .map(|r| (r["kind"].to_string(), r["id"].to_string()))
        .collect()
}

#[tokio::test]
async fn an_unconfirmed_page_comes_again_and_a_change_comes_alone() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut visits = Vec::new();
    for note in ["one", "two", "three"] {
        visits.push(check_in(&app, &w.officer, &w.case, note).await);
    }
    let phone = device(&app, &w.inspector, "paging-phone").await;

    let (first, _, c1, more) = page(&app, &w.inspector, &phone, None).await;
    assert_eq!(first.len(), 2);
    assert!(more);
    let (second, _, _, more) = page(&app, &w.inspector, &phone, Some(&c1)).await;
    assert!(more);
    assert!(!second.is_empty());
    // The phone lost the second page: asking again after the first sends it again.
    let (again, tombstones, c3, _) = page(&app, &w.inspector, &phone, Some(&c1)).await;
    assert_eq!(again, second);
    assert_eq!(tombstones, 0);

    let (rest, tombstones, last) = pull_all(&app, &w.inspector, &phone, Some(c3)).await;
    assert!(tombstones.is_empty());
    let mut seen: BTreeSet<_> = first.into_iter().chain(again).collect();
    for k in keys(&rest) {
        assert!(seen.insert(k), "a confirmed record came twice");
    }
    let (everything, _, _) = pull_all(
        &app,
        &w.inspector,
        &device(&app, &w.inspector, "fresh").await,
        None,
    )
    .await;
    assert_eq!(seen, keys(&everything));
    for v in &visits {
        assert!(seen.contains(&("\"APPOINTMENT\"".to_owned(), format!("\"{v}\""))));
    }

    // Nothing changed: nothing comes. One visit changed: it alone comes.
    let (records, tombstones, last) = pull_all(&app, &w.inspector, &phone, Some(last)).await;
    assert!(records.is_empty() && tombstones.is_empty());
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!, $i: UpdateAppointmentInput!) { updateAppointment(id: $id, input: $i) { version } }",
            json!({"id": visits[1], "i": {"location": "the workshop"}}),
        )
        .await;
    assert_eq!(r.ok()["updateAppointment"]["version"], 2);
    let (records, tombstones, _) = pull_all(&app, &w.inspector, &phone, Some(last)).await;
    assert!(tombstones.is_empty());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], json!(visits[1]));
    assert_eq!(records[0]["data"]["location"], "the workshop");
    assert_eq!(records[0]["data"]["version"], 2);
}
