//! Traces as a collector receives them: the `hamkor` binary with `HAMKOR_OTLP_ENDPOINT`
//! pointing at a local OTLP/HTTP endpoint, driven over HTTP with W3C `traceparent`
//! headers, then stopped with SIGTERM (which must send the spans still buffered).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use prost::Message;
use serde_json::json;

use crate::process::{DEMO_PASSWORD, Server, run};

/// A span as received: ids in hex, attributes as strings.
#[derive(Debug, Clone)]
struct Span {
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
    attributes: HashMap<String, String>,
}

type Received = Arc<Mutex<Vec<Span>>>;

/// An OTLP/HTTP (protobuf) traces endpoint on a free port; its base URL.
async fn collector() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route("/v1/traces", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), received)
}

async fn receive(State(received): State<Received>, body: Bytes) -> &'static str {
    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
    let mut spans = received.lock().expect("lock");
    for rs in request.resource_spans {
        let service = rs
            .resource
            .iter()
            .flat_map(|r| &r.attributes)
            .find(|a| a.key == "service.name")
            .and_then(|a| a.value.as_ref())
            .and_then(|v| v.value.as_ref())
            .map(text);
        assert_eq!(
            service.as_deref(),
            Some("hamkor"),
            "the resource names the service"
        );
        for ss in rs.scope_spans {
            for s in ss.spans {
                spans.push(Span {
                    trace_id: hex(&s.trace_id),
                    span_id: hex(&s.span_id),
                    parent_span_id: hex(&s.parent_span_id),
                    name: s.name,
                    attributes: s
                        .attributes
                        .into_iter()
                        .map(|kv| {
                            let v = kv
                                .value
                                .and_then(|v| v.value)
                                .map(|v| text(&v))
                                .unwrap_or_default();
                            (kv.key, v)
                        })
                        .collect(),
                });
            }
        }
    }
    ""
}

fn text(v: &AnyValue) -> String {
    match v {
        AnyValue::StringValue(s) => s.clone(),
        AnyValue::IntValue(i) => i.to_string(),
        AnyValue::BoolValue(b) => b.to_string(),
        AnyValue::DoubleValue(d) => d.to_string(),
        other => format!("{other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Wait until a span matching `pred` has arrived.
async fn arrived(received: &Received, what: &str, pred: impl Fn(&Span) -> bool) -> Span {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = received.lock().expect("lock").iter().find(|s| pred(s)) {
            return s.clone();
        }
        assert!(Instant::now() < deadline, "no span {what} arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn spans_reach_the_collector_as_children_of_the_callers_trace() {
    let (endpoint, received) = collector().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("hamkor.db").display());
    let env = [
        ("HAMKOR_DATABASE_URL", db),
        ("HAMKOR_OTLP_ENDPOINT", endpoint),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
    ];
    run(dir.path(), &env, &["seed", "--demo"]);
    let mut server = Server::start(dir.path(), &env).await;
    let token = server.login("officer.samarqand", DEMO_PASSWORD).await;

    // A query inside the caller's trace.
    let (trace1, caller1) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let r = server
        .gql(
            Some(&token),
            "query OfficerCaseload($n: Int!) { cases(first: $n, filter: {statuses: [ACTIVE]}) { edges { node { id } } } }",
            json!({"n": 3}),
            &[("traceparent", &format!("00-{trace1}-{caller1}-01"))],
        )
        .await;
    let case_id = r["data"]["cases"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a case: {r}"))
        .to_owned();

    // A change inside another: its event is handled later, by the outbox's consumers.
    let (trace2, caller2) = ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331");
    let note = "at home, working on the family plot";
    let r = server
        .gql(
            Some(&token),
            "mutation RecordVisit($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
            json!({"i": {"caseId": case_id, "kind": "HOME_VISIT", "at": "2026-11-25T09:00:00Z",
                         "outcome": "ATTENDED", "note": note}}),
            &[("traceparent", &format!("00-{trace2}-{caller2}-01"))],
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");

    let consumer = arrived(
        &received,
        "of the early-warning consumer in the mutation's trace",
        |s| s.trace_id == trace2 && s.name.starts_with("early_warning "),
    )
    .await;
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(30)).await;
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
    let spans = received.lock().expect("lock").clone();
    let by_id: HashMap<&str, &Span> = spans.iter().map(|s| (s.span_id.as_str(), s)).collect();
    let child_of = |parent: &Span, name: &str| {
        spans
            .iter()
            .find(|s| s.parent_span_id == parent.span_id && s.name == name)
            .unwrap_or_else(|| panic!("no {name:?} under {:?}: {spans:#?}", parent.name))
    };

    // The request's span continues the caller's trace.
    let http = spans
        .iter()
        .find(|s| s.trace_id == trace1 && s.parent_span_id == caller1)
        .unwrap_or_else(|| panic!("no span with the caller's parent: {spans:#?}"));
    assert_eq!(http.name, "POST /graphql");
    assert_eq!(http.attributes["http.route"], "/graphql");
    assert_eq!(http.attributes["http.response.status_code"], "200");
    // The operation, by name and type.
    let op = child_of(http, "query OfficerCaseload");
    assert_eq!(op.attributes["graphql.operation.name"], "OfficerCaseload");
    assert_eq!(op.attributes["graphql.operation.type"], "query");
    // Its statements: every one in the request's trace descends from the request's
    // span (a DataLoader's batch too), and the operation's own are below the operation.
    let statements: Vec<&Span> = spans
        .iter()
        .filter(|s| s.trace_id == trace1 && s.attributes.contains_key("db.system"))
        .collect();
    let descends = |s: &Span, from: &Span| {
        let mut at = s;
        loop {
            if at.span_id == from.span_id {
                return true;
            }
            match by_id.get(at.parent_span_id.as_str()) {
                Some(parent) => at = parent,
                None => return false,
            }
        }
    };
    assert!(!statements.is_empty(), "no database spans: {spans:#?}");
    for s in &statements {
        assert_eq!(s.attributes["db.system"], "sqlite");
        assert!(descends(s, http), "{:?} is outside the request", s.name);
    }
    assert!(
        statements
            .iter()
            .any(|s| descends(s, op) && s.name == "sea_orm.query_all"),
        "the caseload's statements are not under the operation: {statements:#?}"
    );

    // The outbox consumer joined the mutation's trace through the stored event.
    assert_eq!(consumer.attributes["consumer"], "early_warning");
    let mutation = spans
        .iter()
        .find(|s| s.trace_id == trace2 && s.name == "mutation RecordVisit")
        .unwrap_or_else(|| panic!("no mutation span: {spans:#?}"));
    assert_eq!(by_id[mutation.parent_span_id.as_str()].name, "POST /graphql");

    // Polling the outbox is not a trace of its own: every database span has a parent.
    assert!(
        spans
            .iter()
            .filter(|s| s.attributes.contains_key("db.system"))
            .all(|s| !s.parent_span_id.is_empty()),
        "a root database span"
    );
    // Never variables, passwords or the document.
    for s in &spans {
        for v in s.attributes.values() {
            assert!(
                !v.contains(note) && !v.contains(DEMO_PASSWORD) && !v.contains("recordCheckIn"),
                "{:?} carries a value it must not: {v}",
                s.name
            );
        }
    }
}
