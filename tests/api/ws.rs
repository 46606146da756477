//! The server side of `graphql-transport-ws`: each way a connection can go wrong closes
//! it with the code the protocol document gives; the legacy `graphql-ws` still works.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SUBSCRIPTION: &str = "subscription { referralEvents { id } }";

async fn open(app: &TestApp, protocol: &str) -> Socket {
    open_at(app.addr, protocol).await
}

pub(crate) async fn open_at(addr: std::net::SocketAddr, protocol: &str) -> Socket {
    let mut req = format!("ws://{addr}/graphql")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().expect("header"));
    let (socket, resp) = tokio_tungstenite::connect_async(req).await.expect("connect");
    assert_eq!(
        resp.headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some(protocol)
    );
    socket
}

pub(crate) async fn send(socket: &mut Socket, message: Value) {
    send_text(socket, &message.to_string()).await;
}

async fn send_text(socket: &mut Socket, text: &str) {
    socket
        .send(Message::Text(text.to_owned().into()))
        .await
        .expect("send");
}

/// The next text message, or `{"close": code}` for a close frame; panics on silence.
pub(crate) async fn next(socket: &mut Socket, wait: Duration) -> Value {
    loop {
        let msg = tokio::time::timeout(wait, socket.next())
            .await
            .expect("an answer in time")
            .expect("an open stream")
            .expect("a frame");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).expect("json"),
            Message::Close(frame) => return json!({"close": frame.map(|f| u16::from(f.code))}),
            _ => continue,
        }
    }
}

async fn close_code(socket: &mut Socket) -> Value {
    next(socket, Duration::from_secs(5)).await["close"].clone()
}

pub(crate) async fn acknowledged(app: &TestApp) -> Socket {
    let token = app.admin_token().await;
    let mut socket = open(app, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await["type"],
        "connection_ack"
    );
    socket
}

#[tokio::test]
async fn a_refused_connection_init_closes_with_4403() {
    let app = spawn_app().await;
    for payload in [json!({}), json!({"authorization": "Bearer not-a-jwt"})] {
        let mut socket = open(&app, "graphql-transport-ws").await;
        send(
            &mut socket,
            json!({"type": "connection_init", "payload": payload}),
        )
        .await;
        assert_eq!(close_code(&mut socket).await, 4403, "{payload}");
    }
}

#[tokio::test]
async fn subscribing_before_connection_init_closes_with_4401() {
    let app = spawn_app().await;
    let mut socket = open(&app, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}),
    )
    .await;
    assert_eq!(close_code(&mut socket).await, 4401);
}

#[tokio::test]
async fn no_connection_init_in_time_closes_with_4408() {
    let app = spawn_app_with(|s| s.websocket_init_timeout_secs = 1).await;
    let mut socket = open(&app, "graphql-transport-ws").await;
    let started = std::time::Instant::now();
    assert_eq!(close_code(&mut socket).await, 4408);
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_second_connection_init_closes_with_4429() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app).await;
    send(&mut socket, json!({"type": "connection_init", "payload": {}})).await;
    assert_eq!(close_code(&mut socket).await, 4429);
}

#[tokio::test]
async fn reusing_the_id_of_a_running_subscription_closes_with_4409() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app).await;
    let subscribe = json!({"id": "a", "type": "subscribe", "payload": {"query": SUBSCRIPTION}});
    send(&mut socket, subscribe.clone()).await;
    send(&mut socket, subscribe).await;
    assert_eq!(close_code(&mut socket).await, 4409);
}

#[tokio::test]
async fn an_id_may_be_used_again_once_its_operation_completed() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app).await;
    for _ in 0..2 {
        send(
            &mut socket,
            json!({"id": "q", "type": "subscribe", "payload": {"query": "{ me { roles } }"}}),
        )
        .await;
        let answer = next(&mut socket, Duration::from_secs(5)).await;
        assert_eq!(answer["type"], "next", "{answer}");
        assert_eq!(
            answer["payload"]["data"]["me"]["roles"],
            json!(["PLATFORM_ADMIN"])
        );
        assert_eq!(
            next(&mut socket, Duration::from_secs(5)).await,
            json!({"type": "complete", "id": "q"})
        );
    }
}

#[tokio::test]
async fn a_malformed_message_closes_with_4400() {
    let app = spawn_app().await;
    for (acked, text) in [
        (false, "not json"),
        (true, "not json"),
        (
            true,
            r#"{"type": "subscribe", "payload": {"query": "{ me { roles } }"}}"#,
        ),
        (true, r#"{"type": "launch_missiles"}"#),
    ] {
        let mut socket = if acked {
            acknowledged(&app).await
        } else {
            open(&app, "graphql-transport-ws").await
        };
        send_text(&mut socket, text).await;
        assert_eq!(close_code(&mut socket).await, 4400, "{text}");
    }
}

#[tokio::test]
async fn an_invalid_subscription_is_answered_with_an_error_message() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app).await;
    send(
        &mut socket,
        json!({"id": "bad", "type": "subscribe", "payload": {"query": "subscription { nothingHere }"}}),
    )
    .await;
    let answer = next(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(
        answer["payload"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    // The connection stays open: a ping is answered.
    send(&mut socket, json!({"type": "ping"})).await;
    assert_eq!(next(&mut socket, Duration::from_secs(5)).await["type"], "pong");
}

#[tokio::test]
async fn the_connection_closes_with_4403_when_its_token_expires() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = 2).await;
    let mut socket = acknowledged(&app).await;
    send(
        &mut socket,
        json!({"id": "a", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}),
    )
    .await;
    assert_eq!(next(&mut socket, Duration::from_secs(8)).await["close"], 4403);
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_still_works() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let mut socket = open(&app, "graphql-ws").await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "start", "payload": {"query": "{ me { roles } }"}}),
    )
    .await;
    let data = next(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["payload"]["data"]["me"]["roles"], json!(["PLATFORM_ADMIN"]));
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await["type"],
        "complete"
    );

    let mut refused = open(&app, "graphql-ws").await;
    send(&mut refused, json!({"type": "connection_init", "payload": {}})).await;
    assert_eq!(
        next(&mut refused, Duration::from_secs(5)).await["type"],
        "connection_error"
    );
    assert_eq!(close_code(&mut refused).await, 4403);
}
