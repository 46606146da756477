//! Domain events: written with their change (and only then), caught up with
//! `events(after:)`, delivered live over `graphql-transport-ws`, and handed to module hooks.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hamkor_api::events::service::{NewEvent, emit};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, s, spawn_app};
use crate::referrals::{act, draft, record_consent, setup};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` client.
pub(crate) struct WsClient {
    socket: Socket,
}

impl WsClient {
    /// Connect and send `connection_init` with `payload`; the server's first answer.
    async fn connect(app: &TestApp, payload: Value) -> (Self, Option<Value>) {
        let mut req = format!("ws://{}/graphql", app.addr)
            .into_client_request()
            .expect("request");
        req.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        let (socket, resp) = tokio_tungstenite::connect_async(req).await.expect("connect");
        assert_eq!(
            resp.headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        let mut c = Self { socket };
        c.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        let first = c.next(Duration::from_secs(5)).await;
        (c, first)
    }

    pub(crate) async fn authenticated(app: &TestApp, token: &str) -> Self {
        let (c, ack) = Self::connect(app, json!({"authorization": format!("Bearer {token}")})).await;
        assert_eq!(ack.map(|a| a["type"].clone()), Some(json!("connection_ack")));
        c
    }

    async fn send(&mut self, msg: Value) {
        self.socket
            .send(Message::Text(msg.to_string().into()))
            .await
            .expect("send");
    }

    pub(crate) async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(
            json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}),
        )
        .await;
    }

    /// The next protocol message, `None` on timeout or close (a close frame is returned
    /// as `{"type": "close", "code": n}`).
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(wait, self.socket.next()).await.ok()??;
            match msg.ok()? {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(&t).expect("json message");
                    if v["type"] == "ping" {
                        self.send(json!({"type": "pong"})).await;
                        continue;
                    }
                    return Some(v);
                }
                Message::Close(frame) => {
                    return Some(json!({"type": "close", "code": frame.map(|f| u16::from(f.code))}));
                }
                _ => continue,
            }
        }
    }

    /// The payload data of the next `next` message of subscription `id`.
    pub(crate) async fn next_data(&mut self, id: &str, wait: Duration) -> Option<Value> {
        loop {
            let msg = self.next(wait).await?;
            if msg["id"] == id && msg["type"] == "next" {
                assert!(msg["payload"]["errors"].is_null(), "subscription error: {msg}");
                return Some(msg["payload"]["data"].clone());
            }
            if msg["type"] == "error" || msg["type"] == "complete" || msg["type"] == "close" {
                panic!("subscription {id} ended: {msg}");
            }
        }
    }
}

const REFERRAL_EVENTS: &str = "subscription { referralEvents { id cursor type aggregateId payload caseId } }";

/// The `n` of a `SELECT COUNT(*) AS n …` statement.
async fn count_rows(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db()
        .query_one_raw(Statement::from_string(app.db().get_database_backend(), sql))
        .await
        .expect("count")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

async fn event_count(app: &TestApp) -> i64 {
    count_rows(app, "SELECT COUNT(*) AS n FROM domain_events").await
}

/// The error code of a refused operation's message (`error`, or `next` with errors).
fn refusal_code_of(m: &Value) -> Value {
    match m["type"].as_str() {
        Some("error") => m["payload"][0]["extensions"]["code"].clone(),
        _ => m["payload"]["errors"][0]["extensions"]["code"].clone(),
    }
}

#[tokio::test]
async fn a_websocket_client_sees_each_transition_as_it_happens() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let w = &st.w;
    record_consent(&app, w, json!({"organisationKind": "EMPLOYMENT_CENTRE"})).await;

    let mut partner = WsClient::authenticated(&app, &w.partner).await;
    partner.subscribe("r", REFERRAL_EVENTS, json!({})).await;
    let mut officer = WsClient::authenticated(&app, &w.officer).await;
    officer
        .subscribe(
            "c",
            "subscription($c: ID!) { caseEvents(caseId: $c) { type payload } }",
            json!({"c": w.case}),
        )
        .await;

    // The subscriptions start asynchronously: send referrals until one is seen, so that
    // both streams are known to be live before the referral under test moves.
    let mut live = false;
    for _ in 0..20 {
        let warm = draft(&app, w).await;
        act(&app, &w.officer, "sendReferral", &warm, json!({})).await.ok();
        if partner.next_data("r", Duration::from_millis(500)).await.is_some() {
            live = true;
            break;
        }
    }
    assert!(live, "the partner's subscription never received an event");
    while officer.next_data("c", Duration::from_millis(300)).await.is_some() {}
    while partner.next_data("r", Duration::from_millis(300)).await.is_some() {}

    let id = draft(&app, w).await;
    // The referring side sees the draft being made; the partner does not.
    let seen = officer
        .next_data("c", Duration::from_secs(5))
        .await
        .expect("officer event");
    assert_eq!(seen["caseEvents"]["type"], "referral.created");
    let steps = [
        (&w.officer, "sendReferral", json!({}), "SENT"),
        (&w.partner, "acceptReferral", json!({}), "ACCEPTED"),
        (&w.partner, "startReferral", json!({}), "IN_PROGRESS"),
        (&w.partner, "completeReferral", json!({}), "COMPLETED"),
    ];
    for (who, name, extra, status) in steps {
        act(&app, who, name, &id, extra).await.ok();
        let seen = partner
            .next_data("r", Duration::from_secs(5))
            .await
            .expect("partner event");
        let e = &seen["referralEvents"];
        assert_eq!(e["type"], "referral.status_changed");
        assert_eq!(e["aggregateId"], json!(id));
        assert_eq!(e["payload"]["status"], status, "{e}");
        assert_eq!(e["caseId"], json!(w.case));

        let seen = officer
            .next_data("c", Duration::from_secs(5))
            .await
            .expect("officer event");
        assert_eq!(seen["caseEvents"]["payload"]["status"], status);
    }
}

#[tokio::test]
async fn a_websocket_without_a_valid_token_is_refused() {
    let app = spawn_app().await;
    let (mut c, first) = WsClient::connect(&app, json!({})).await;
    assert_ne!(
        first.as_ref().map(|f| f["type"].clone()),
        Some(json!("connection_ack"))
    );
    assert!(
        c.next(Duration::from_secs(2))
            .await
            .is_none_or(|m| m["type"] == "close")
    );
    let (_, first) = WsClient::connect(&app, json!({"authorization": "Bearer not-a-jwt"})).await;
    assert_ne!(first.map(|f| f["type"].clone()), Some(json!("connection_ack")));
}

#[tokio::test]
async fn case_events_are_refused_for_a_case_the_caller_cannot_see() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let mut c = WsClient::authenticated(&app, &st.w.officer_other).await;
    c.subscribe(
        "x",
        "subscription($c: ID!) { caseEvents(caseId: $c) { type } }",
        json!({"c": st.w.case}),
    )
    .await;
    let msg = c.next(Duration::from_secs(5)).await.expect("an answer");
    assert_eq!(refusal_code_of(&msg), "NOT_FOUND", "{msg}");
}

#[tokio::test]
async fn events_are_committed_with_their_change_and_caught_up_in_order() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let w = &st.w;
    record_consent(&app, w, json!({"organisationId": w.employment})).await;
    let id = draft(&app, w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();
    act(&app, &w.partner, "acceptReferral", &id, json!({})).await.ok();

    let q = "query($after: String, $c: ID) { events(first: 2, after: $after, filter: {caseId: $c, types: [\"referral.created\", \"referral.status_changed\"]}) {
        edges { cursor node { cursor type payload occurredAt actor { username } } } pageInfo { hasNextPage endCursor } } }";
    let r = app.gql(Some(&w.officer), q, json!({"c": w.case})).await;
    let page = &r.ok()["events"];
    assert_eq!(page["edges"][0]["node"]["type"], "referral.created");
    assert_eq!(page["edges"][1]["node"]["payload"]["status"], "SENT");
    assert_eq!(page["edges"][1]["node"]["actor"]["username"], "officer");
    assert_eq!(page["edges"][1]["cursor"], page["edges"][1]["node"]["cursor"]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let after = s(page, "pageInfo.endCursor").to_owned();
    let r = app
        .gql(Some(&w.officer), q, json!({"c": w.case, "after": after}))
        .await;
    assert_eq!(
        r.ok()["events"]["edges"][0]["node"]["payload"]["status"],
        "ACCEPTED"
    );

    // The partner sees the events of the referral sent to it, not the case's others.
    let r = app
        .gql(
            Some(&w.partner),
            "{ events { edges { node { type payload } } } }",
            json!({}),
        )
        .await;
    let statuses: Vec<Value> = r.ok()["events"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| x["node"]["payload"]["status"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [json!("SENT"), json!("ACCEPTED")]);
    let r = app
        .gql(Some(&w.officer_other), "{ events { totalCount } }", json!({}))
        .await;
    assert_eq!(r.ok()["events"]["totalCount"], 0);
}

#[tokio::test]
async fn a_refused_change_writes_no_event() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let w = &st.w;
    let id = draft(&app, w).await;
    let before = event_count(&app).await;
    act(&app, &w.officer, "sendReferral", &id, json!({}))
        .await
        .expect_code("CONFLICT");
    act(&app, &w.partner, "acceptReferral", &id, json!({}))
        .await
        .expect_code("NOT_FOUND");
    assert_eq!(event_count(&app).await, before);
}

#[tokio::test]
async fn an_event_emitted_in_a_transaction_that_rolls_back_is_never_written() {
    let app = spawn_app().await;
    let before = event_count(&app).await;
    let txn = app.db().begin().await.expect("begin");
    emit(&txn, None, NewEvent::new("test.rolled_back", "Test", 1))
        .await
        .expect("emit");
    txn.rollback().await.expect("rollback");
    assert_eq!(event_count(&app).await, before);

    let txn = app.db().begin().await.expect("begin");
    emit(&txn, None, NewEvent::new("test.committed", "Test", 1))
        .await
        .expect("emit");
    txn.commit().await.expect("commit");
    assert_eq!(event_count(&app).await, before + 1);
}

#[tokio::test]
async fn module_hooks_receive_the_events_they_subscribe_to() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let w = &st.w;
    record_consent(&app, w, json!({"organisationId": w.employment})).await;
    let id = draft(&app, w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();

    // The hook runs after the commit, on the poller's next tick.
    let count = || {
        count_rows(
            &app,
            "SELECT COUNT(*) AS n FROM probe_seen_events WHERE event_type = 'referral.status_changed'",
        )
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while count().await < 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count().await, 1, "the probe saw the SENT transition, and only it");
}

#[tokio::test]
async fn a_websocket_is_closed_when_its_access_token_expires() {
    let app = crate::helpers::spawn_app_with(|s| s.access_token_ttl_secs = 2).await;
    let token = app.admin_token().await;
    let mut c = WsClient::authenticated(&app, &token).await;
    c.subscribe("r", REFERRAL_EVENTS, json!({})).await;
    // Nothing arrives on the subscription; the connection ends with the token.
    let ended = tokio::time::timeout(Duration::from_secs(8), async {
        loop {
            match c.socket.next().await {
                None | Some(Err(_) | Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the connection outlived its token");
}

#[tokio::test]
async fn referral_events_reach_only_those_who_handle_or_supervise_them() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let w = &st.w;
    record_consent(&app, w, json!({"organisationKind": "EMPLOYMENT_CENTRE"})).await;
    // The referring organisation's admin supervises no case; the inspector does.
    let mut admin = WsClient::authenticated(&app, &w.org_admin).await;
    admin.subscribe("a", REFERRAL_EVENTS, json!({})).await;
    let mut inspector = WsClient::authenticated(&app, &w.inspector).await;
    inspector.subscribe("i", REFERRAL_EVENTS, json!({})).await;
    let mut live = false;
    for _ in 0..20 {
        let warm = draft(&app, w).await;
        act(&app, &w.officer, "sendReferral", &warm, json!({})).await.ok();
        if inspector
            .next_data("i", Duration::from_millis(500))
            .await
            .is_some()
        {
            live = true;
            break;
        }
    }
    assert!(live, "the inspector's subscription never received an event");
    // Both subscriptions were opened before the inspector's first event; the admin's got
    // none of the same events.
    assert!(admin.next_data("a", Duration::from_millis(500)).await.is_none());
}

#[tokio::test]
async fn a_partner_follows_a_case_through_its_referral_until_consent_is_withdrawn() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let w = &st.w;
    let consent = record_consent(&app, w, json!({"organisationId": w.employment})).await;
    let id = draft(&app, w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();
    act(&app, &w.partner, "acceptReferral", &id, json!({})).await.ok();

    let mut partner = WsClient::authenticated(&app, &w.partner).await;
    partner
        .subscribe(
            "c",
            "subscription($c: ID!) { caseEvents(caseId: $c) { type payload } }",
            json!({"c": w.case}),
        )
        .await;
    let set =
        "mutation($i: SetReferralExternalIdInput!) { setReferralExternalId(input: $i) { referral { id } } }";
    let mut live = false;
    for n in 0..20 {
        app.gql(
            Some(&w.partner),
            set,
            json!({"i": {"id": id, "externalId": format!("W-{n}")}}),
        )
        .await
        .ok();
        if partner.next_data("c", Duration::from_millis(500)).await.is_some() {
            live = true;
            break;
        }
    }
    assert!(live, "the partner's case subscription never received an event");
    while partner.next_data("c", Duration::from_millis(300)).await.is_some() {}

    // The case's other events are not the partner's, and do not end its stream.
    app.gql(
        Some(&w.officer),
        "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
        json!({"i": {"caseId": w.case, "kind": "PHONE", "at": "2026-11-01T10:00:00Z"}}),
    )
    .await
    .ok();
    act(&app, &w.partner, "startReferral", &id, json!({})).await.ok();
    let seen = partner
        .next_data("c", Duration::from_secs(5))
        .await
        .expect("the start");
    assert_eq!(seen["caseEvents"]["payload"]["status"], "IN_PROGRESS");

    // Withdrawal: the cancellation is delivered, then the stream ends.
    app.gql(
        Some(&w.officer),
        "mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { live } }",
        json!({"i": {"id": consent, "reason": "PERSON_REQUEST"}}),
    )
    .await
    .ok();
    let seen = partner
        .next_data("c", Duration::from_secs(5))
        .await
        .expect("the cancellation");
    assert_eq!(seen["caseEvents"]["payload"]["status"], "CANCELLED");
    let end = partner
        .next(Duration::from_secs(5))
        .await
        .expect("the end of the stream");
    assert_eq!(end["type"], "complete", "{end}");
}

#[tokio::test]
async fn one_connection_runs_a_bounded_number_of_subscriptions() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let mut c = WsClient::authenticated(&app, &st.w.partner).await;
    let max = hamkor_api::http::ws::MAX_OPERATIONS;
    for n in 0..max {
        c.subscribe(&format!("s{n}"), REFERRAL_EVENTS, json!({})).await;
    }
    c.subscribe("over", REFERRAL_EVENTS, json!({})).await;
    let msg = loop {
        let m = c
            .next(Duration::from_secs(5))
            .await
            .expect("an answer to the extra subscription");
        if m["id"] == "over" {
            break m;
        }
    };
    assert_eq!(refusal_code_of(&msg), "BAD_USER_INPUT", "{msg}");

    // Ending one makes room for another.
    c.send(json!({"id": "s0", "type": "complete"})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.subscribe("again", REFERRAL_EVENTS, json!({})).await;
    while let Some(m) = c.next(Duration::from_millis(700)).await {
        assert_ne!(
            m["id"], "again",
            "the new subscription is accepted and waits for events: {m}"
        );
    }
}

/// The error code of the answer to subscription `id`.
async fn refusal_code(c: &mut WsClient, id: &str) -> Value {
    loop {
        let m = c.next(Duration::from_secs(5)).await.expect("an answer");
        if m["id"] != id {
            continue;
        }
        return refusal_code_of(&m);
    }
}

#[tokio::test]
async fn a_subscription_selects_exactly_one_root_field() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let mut c = WsClient::authenticated(&app, &st.w.partner).await;
    c.subscribe(
        "two",
        "subscription { referralEvents { id } referralEvents { id } }",
        json!({}),
    )
    .await;
    assert_eq!(refusal_code(&mut c, "two").await, "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn a_signed_out_session_starts_no_new_operation_on_an_open_socket() {
    let app = spawn_app().await;
    let st = setup(&app).await;
    let mut c = WsClient::authenticated(&app, &st.w.partner).await;
    app.gql(Some(&st.w.partner), "mutation { logout }", json!({}))
        .await
        .ok();
    c.subscribe("after", REFERRAL_EVENTS, json!({})).await;
    assert_eq!(refusal_code(&mut c, "after").await, "UNAUTHENTICATED");
}
