//! Every event type the platform emits has a declared audience, and every reader gets
//! through `events`, `node(id)` and `caseEvents` exactly the events (and payload keys)
//! that the fields of `Case` show them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use hamkor_api::access::CaseField;
use hamkor_api::access::events::{Audiences, EventAudience, Reveals};
use hamkor_api::alert::entity::{ActingRole, AlertAudience, AlertSeverity, AlertStatus, alert};
use hamkor_api::events::service::{NewEvent, emit};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

use crate::events::WsClient;
use crate::helpers::{TestApp, spawn_app};
use crate::world::world;

/// String literals inside the first argument of each `NewEvent::new(` call, and inside
/// each `event_type(` call, of one source file. A `NewEvent::new(` whose first argument
/// holds no literal is reported as `None` (its type must come from `event_type("…")`).
fn emitted_in(src: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for marker in ["NewEvent::new(", "event_type("] {
        for (at, _) in src.match_indices(marker) {
            if marker == "event_type(" && src[..at].ends_with("fn ") {
                continue;
            }
            let rest = &src[at + marker.len()..];
            let (mut depth, mut end) = (0i32, rest.len());
            for (i, c) in rest.char_indices() {
                match c {
                    '(' | '{' | '[' => depth += 1,
                    ')' | '}' | ']' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' | '}' | ']' => depth -= 1,
                    ',' if depth == 0 => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let literals: Vec<String> = rest[..end]
                .split('"')
                .skip(1)
                .step_by(2)
                .filter(|l| l.contains('.'))
                .map(str::to_owned)
                .collect();
            if literals.is_empty() {
                out.push(None);
            }
            out.extend(literals.into_iter().map(Some));
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The event types emitted by the core (`api/src`) and every compiled-in module
/// (`modules/<id>/src`, the folder named as the id with `-` for `_`), read from the source.
fn emitted_event_types() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let compiled: BTreeSet<String> = crate::probe::registry()
        .all()
        .map(|m| m.id().replace('_', "-"))
        .collect();
    let mut crates = vec![root.join("api/src")];
    for m in std::fs::read_dir(root.join("modules")).expect("modules") {
        let dir = m.expect("module").path();
        let src = dir.join("src");
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if src.is_dir() && compiled.contains(&name) {
            crates.push(src);
        }
    }
    let mut types = BTreeSet::new();
    for dir in crates {
        let mut files = Vec::new();
        walk(&dir, &mut files);
        let named_elsewhere = files.iter().any(|f| {
            std::fs::read_to_string(f)
                .expect("read")
                .contains("event_type(\"")
        });
        for f in &files {
            let src = std::fs::read_to_string(f).expect("read");
            if f.ends_with("events/service.rs") {
                continue; // the definitions themselves
            }
            for t in emitted_in(&src) {
                match t {
                    Some(t) => {
                        types.insert(t);
                    }
                    None => assert!(
                        named_elsewhere,
                        "{}: an event type passed to NewEvent::new must be a literal or come from event_type(\"…\")",
                        f.display()
                    ),
                }
            }
        }
    }
    types
}

#[test]
fn every_emitted_event_type_has_a_declared_audience() {
    let audiences = Audiences::new(crate::probe::registry().all().flat_map(|m| m.event_audiences()));
    let emitted = emitted_event_types();
    // The core alone emits over fifty types: fewer means the scan missed a way of emitting.
    assert!(emitted.len() > 50, "found only {emitted:?}");
    let missing: Vec<_> = emitted.iter().filter(|t| audiences.get(t).is_none()).collect();
    assert!(missing.is_empty(), "event types without an audience: {missing:?}");
}

/// What one reader gets from the fields of `Case`.
struct Shown {
    sees_case: bool,
    fields: BTreeSet<&'static str>,
    notes: BTreeSet<String>,
}

const FIELDS: [(CaseField, &str, &str); 10] = [
    (CaseField::CourtName, "courtName", "courtName"),
    (CaseField::RiskLevel, "riskLevel", "riskLevel"),
    (
        CaseField::StatusHistory,
        "statusHistory",
        "statusHistory(first: 1) { totalCount }",
    ),
    (
        CaseField::Appointments,
        "appointments",
        "appointments(first: 1) { totalCount }",
    ),
    (
        CaseField::Violations,
        "violations",
        "violations(first: 1) { totalCount }",
    ),
    (
        CaseField::Referrals,
        "referrals",
        "referrals(first: 1) { totalCount }",
    ),
    (
        CaseField::RiskAssessments,
        "riskAssessments",
        "riskAssessments(first: 1) { totalCount }",
    ),
    (CaseField::Alerts, "alerts", "alerts(first: 1) { totalCount }"),
    // Monitoring is read through a module's namespace, not a field of `Case`; it needs
    // the supervising access that violations need, which this alias probes.
    (
        CaseField::Monitoring,
        "monitoring",
        "monitoring: violations(first: 1) { totalCount }",
    ),
    // What the person reports through their own app (remote check-ins) is read in a
    // module's namespace by the lead officer alone: the caller's access to the case
    // says whether they are that reader (see `shown`).
    (CaseField::SelfReports, "selfReports", "selfReports: viewerAccess"),
];

async fn shown(app: &TestApp, token: &str, case: &str) -> Shown {
    let selection: Vec<&str> = FIELDS.iter().map(|f| f.2).collect();
    let q = format!(
        "query($id: ID!) {{ case(id: $id) {{ id {} notes(first: 100) {{ nodes {{ id }} }} }} }}",
        selection.join(" ")
    );
    let r = app.gql(Some(token), &q, json!({"id": case})).await;
    let data = &r.body["data"]["case"];
    let refused: BTreeSet<String> = r.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["path"].get(1).and_then(Value::as_str).map(str::to_owned))
        .collect();
    let sees_case = data.is_object();
    let full = data["selfReports"] == "FULL";
    let fields = FIELDS
        .iter()
        .filter(|f| sees_case && !refused.contains(f.1))
        .filter(|f| f.0 != CaseField::SelfReports || full)
        .map(|f| f.1)
        .collect();
    let notes = data["notes"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect();
    Shown {
        sees_case,
        fields,
        notes,
    }
}

fn field_name(f: CaseField) -> &'static str {
    FIELDS.iter().find(|x| x.0 == f).map_or("?", |x| x.1)
}

/// Whether `shown` lets its reader receive an event of `a` (about note `note`, if any).
fn expected(a: &EventAudience, shown: &Shown, note: Option<&str>) -> bool {
    shown.sees_case
        && match a.reveals {
            Reveals::Case => true,
            Reveals::Field(f) => shown.fields.contains(field_name(f)),
            Reveals::Note => note.is_some_and(|n| shown.notes.contains(n)),
            // Alerts are walked apart, one of each audience (`alert_shown`).
            Reveals::Alert | Reveals::Administration => false,
        }
}

fn event_types(events: &[Value]) -> BTreeMap<String, Value> {
    events
        .iter()
        .map(|e| (e["aggregateId"].as_str().unwrap_or("").to_owned(), e.clone()))
        .collect()
}

/// The live events of subscription "1" up to the end marker.
async fn until_marker(ws: &mut WsClient) -> Vec<Value> {
    let marker = hamkor_api::ids::encode("Probe", MARKER).to_string();
    let mut out = Vec::new();
    loop {
        let data = ws
            .next_data("1", Duration::from_secs(10))
            .await
            .expect("the end marker arrives");
        let e = data["caseEvents"].clone();
        let end = e["aggregateId"] == marker.as_str();
        out.push(e);
        if end {
            return out;
        }
    }
}

const MARKER: i64 = 999_999;
const EVENT_FIELDS: &str = "id type aggregateId payload";

#[tokio::test]
async fn every_reader_receives_the_events_the_case_fields_show_them() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let audiences = Audiences::new(crate::probe::registry().all().flat_map(|m| m.event_audiences()));
    let case_id = hamkor_api::ids::decode(&w.case).expect("case id").1;
    let readers = [
        ("officer", &w.officer),
        ("officer of another district", &w.officer_other),
        ("inspector", &w.inspector),
        ("mahalla member", &w.member_a),
        ("member of another mahalla", &w.member_b),
        ("partner", &w.partner),
        ("organisation admin", &w.org_admin),
        ("auditor", &w.auditor),
        ("platform admin", &w.admin),
    ];
    let mut sockets = Vec::new();
    for (name, token) in readers {
        let shown = shown(&app, token, &w.case).await;
        let mut ws = WsClient::authenticated(&app, token).await;
        ws.subscribe(
            "1",
            &format!("subscription($c: ID!) {{ caseEvents(caseId: $c) {{ {EVENT_FIELDS} }} }}"),
            json!({"c": w.case}),
        )
        .await;
        sockets.push((name, token, shown, ws));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // One event of every case event type (aggregate id = its position), then a note of
    // each visibility through the API, then an end marker everyone who sees the case gets.
    let case_types: Vec<&EventAudience> = {
        let mut v: Vec<_> = audiences
            .all()
            .filter(|a| {
                !matches!(
                    a.reveals,
                    Reveals::Administration | Reveals::Note | Reveals::Alert
                )
            })
            .collect();
        v.sort_by_key(|a| a.event_type);
        v
    };
    for (i, a) in case_types.iter().enumerate() {
        let mut payload = serde_json::Map::new();
        payload.insert("n".into(), json!(i));
        for (key, _) in a.restricted_keys {
            payload.insert((*key).into(), json!("HIGH"));
        }
        emit(
            app.db(),
            None,
            NewEvent::new(a.event_type, "Probe", 1_000 + i as i64)
                .case(case_id)
                .payload(Value::Object(payload)),
        )
        .await
        .expect("emit");
    }
    let mut notes = Vec::new();
    for visibility in ["MAHALLA", "AGENCIES", "PROBATION"] {
        let r = app
            .gql(
                Some(&w.officer),
                "mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }",
                json!({"i": {"caseId": w.case, "body": "note", "visibility": visibility}}),
            )
            .await;
        notes.push(r.ok()["addCaseNote"]["id"].as_str().expect("note id").to_owned());
    }
    // An alert of each audience, and every alert event type about each.
    let case_row = hamkor_api::case::entity::case::Entity::find_by_id(case_id)
        .one(app.db())
        .await
        .expect("case")
        .expect("the case");
    let mut alerts = Vec::new();
    for audience in [AlertAudience::Supervise, AlertAudience::Full] {
        let row = alert::ActiveModel {
            case_id: Set(case_id),
            organisation_id: Set(case_row.organisation_id),
            rule: Set(format!("probe_{audience:?}")),
            dedup_key: Set(format!("probe:{audience:?}")),
            severity: Set(AlertSeverity::High),
            status: Set(AlertStatus::Open),
            reason: Set("what the rule saw".into()),
            acting_role: Set(ActingRole::ProbationOfficer),
            audience: Set(audience),
            raised_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .expect("alert");
        for a in audiences.all().filter(|a| a.reveals == Reveals::Alert) {
            emit(
                app.db(),
                None,
                NewEvent::new(a.event_type, "Alert", row.id).case(case_id),
            )
            .await
            .expect("emit");
        }
        alerts.push((audience, hamkor_api::ids::encode("Alert", row.id).to_string()));
    }
    emit(
        app.db(),
        None,
        NewEvent::new("case.opened", "Probe", MARKER).case(case_id),
    )
    .await
    .expect("emit");

    for (name, token, before, mut ws) in sockets {
        // The fields of `Case` again, now that the notes exist.
        let shown = shown(&app, token, &w.case).await;
        assert_eq!(before.fields, shown.fields, "{name}");
        let r = app
            .gql(
                Some(token),
                &format!("query($c: ID!) {{ events(first: 100, filter: {{caseId: $c}}) {{ totalCount nodes {{ {EVENT_FIELDS} }} }} }}"),
                json!({"c": w.case}),
            )
            .await;
        let listed: Vec<Value> = r.body["data"]["events"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let by_id: Vec<String> = listed
            .iter()
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect();
        let refetched = app
            .gql(
                Some(token),
                &format!(
                    "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on DomainEvent {{ {EVENT_FIELDS} }} }} }}"
                ),
                json!({"ids": by_id}),
            )
            .await;
        let live = if shown.sees_case {
            until_marker(&mut ws).await
        } else {
            Vec::new()
        };
        let total = r.body["data"]["events"]["totalCount"].as_u64();
        assert_eq!(total, Some(listed.len() as u64), "{name}");
        let refetched: Vec<Value> = refetched.body["data"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let alert_events = |all: &[Value]| -> Vec<(String, String)> {
            all.iter()
                .filter(|e| alerts.iter().any(|(_, k)| e["aggregateId"] == k.as_str()))
                .map(|e| {
                    (
                        e["aggregateId"].as_str().unwrap_or("").to_owned(),
                        e["type"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        };
        let alert_seen = [
            alert_events(&listed),
            alert_events(&refetched),
            alert_events(&live),
        ];
        let listed = event_types(&listed);
        let refetched = event_types(&refetched);
        let live = event_types(&live);
        for ((how, got), seen) in [("events", &listed), ("node", &refetched), ("caseEvents", &live)]
            .into_iter()
            .zip(&alert_seen)
        {
            for (i, a) in case_types.iter().enumerate() {
                let key = hamkor_api::ids::encode("Probe", 1_000 + i as i64).to_string();
                let want = expected(a, &shown, None);
                assert_eq!(got.contains_key(&key), want, "{name} {how} {}", a.event_type);
                if let Some(e) = got.get(&key) {
                    for (k, f) in a.restricted_keys {
                        assert_eq!(
                            e["payload"].get(*k).is_some(),
                            shown.fields.contains(field_name(*f)),
                            "{name} {how} {} {k}",
                            a.event_type
                        );
                    }
                }
            }
            // An alert's events reach those who see the case's alerts and, for one over
            // what the person reported, only the lead officer who reads those reports.
            let alert_types: BTreeSet<&str> = audiences
                .all()
                .filter(|a| a.reveals == Reveals::Alert)
                .map(|a| a.event_type)
                .collect();
            for (audience, key) in &alerts {
                let want = shown.fields.contains("alerts")
                    && (*audience == AlertAudience::Supervise || shown.fields.contains("selfReports"));
                let types: BTreeSet<&str> = seen
                    .iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, t)| t.as_str())
                    .collect();
                let expected_types = if want {
                    alert_types.clone()
                } else {
                    BTreeSet::new()
                };
                assert_eq!(types, expected_types, "{name} {how} alert {audience:?}");
            }
            let note_audience = audiences.get("case.note_added").expect("declared");
            for note in &notes {
                assert_eq!(
                    got.contains_key(note),
                    expected(note_audience, &shown, Some(note)),
                    "{name} {how} note {note}"
                );
            }
        }
    }
}
