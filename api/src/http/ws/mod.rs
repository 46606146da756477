//! GraphQL over WebSocket on `/graphql`: `graphql-transport-ws`, and the legacy
//! `graphql-ws`. The client authenticates in `connection_init`:
//! `{"type":"connection_init","payload":{"authorization":"Bearer <JWT>"}}`.
//!
//! The server side of the protocol is written here over axum's WebSocket (async-graphql's
//! own closes with codes the protocol does not define) so that every failure closes with
//! the protocol's code: a refused `connection_init` 4403, `subscribe` before the
//! acknowledgement 4401, no `connection_init` within
//! `websocket_init_timeout_secs` 4408, a second
//! `connection_init` 4429, a `subscribe` with the id of a running operation 4409, a
//! malformed message 4400. An authenticated connection is closed (4403) when its access
//! token expires; the client reconnects with a fresh one.

mod connection;
mod operation;
mod protocol;

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock};

use async_graphql::Executor;
use axum::extract::{FromRequestParts, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use self::connection::Connection;
pub use self::operation::MAX_OPERATIONS;
use self::operation::PerOperation;
pub use self::protocol::Protocol;
use super::HttpState;
use crate::auth::principal::RequestMeta;

/// Whether the request asks to switch to WebSocket.
pub fn is_upgrade(parts: &Parts) -> bool {
    parts
        .headers
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Accept the WebSocket and serve GraphQL operations over it. A request that offers
/// neither subprotocol is refused with 400.
pub async fn upgrade<E: Executor>(st: HttpState<E>, mut parts: Parts, meta: RequestMeta) -> Response {
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws.protocols(Protocol::NAMES),
        Err(e) => return e.into_response(),
    };
    let Some(protocol) = ws
        .selected_protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(Protocol::from_name)
    else {
        return (
            StatusCode::BAD_REQUEST,
            "Sec-WebSocket-Protocol must offer graphql-transport-ws or graphql-ws",
        )
            .into_response();
    };
    let caller = Arc::new(OnceLock::new());
    let connection = Connection {
        protocol,
        app: st.app.clone(),
        meta,
        executor: PerOperation {
            inner: st.executor.clone(),
            app: st.app.clone(),
            caller: caller.clone(),
            active: Arc::new(AtomicUsize::new(0)),
        },
        caller,
    };
    ws.on_upgrade(move |socket| connection.serve(socket))
        .into_response()
}
