//! GraphQL subscriptions over WebSocket on `/graphql` (`graphql-transport-ws`, and the
//! legacy `graphql-ws`). The client authenticates in `connection_init`:
//! `{"type":"connection_init","payload":{"authorization":"Bearer <JWT>"}}`; a
//! connection without a valid token is closed (4403), one that sends no
//! `connection_init` within [`INIT_TIMEOUT`] is dropped, and an authenticated one is
//! closed when its access token expires (the client reconnects with a fresh token).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::{Data, Executor};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{FromRequestParts, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use futures::stream::BoxStream;
use http::request::Parts;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::HttpState;
use super::auth::{Caller, Credentials, Refusal, authenticate, reload};
use crate::auth::principal::{Principal, RequestMeta};
use crate::error::ApiError;
use crate::loaders::Loaders;
use crate::state::AppState;

/// Whether the request asks to switch to WebSocket.
pub fn is_upgrade(parts: &Parts) -> bool {
    parts
        .headers
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Accept the WebSocket and serve GraphQL operations over it.
pub async fn upgrade<E: Executor>(st: HttpState<E>, mut parts: Parts, meta: RequestMeta) -> Response {
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws,
        Err(e) => return e.into_response(),
    };
    let app = st.app.clone();
    let caller = Arc::new(OnceLock::new());
    let executor = PerOperation {
        inner: st.executor.clone(),
        app: st.app.clone(),
        caller: caller.clone(),
        active: Arc::new(AtomicUsize::new(0)),
    };
    ws.protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let (expiry_tx, expiry_rx) = oneshot::channel();
            let serve = GraphQLWebSocket::new(socket, executor, protocol)
                .on_connection_init(move |payload| connection_data(app, payload, meta, expiry_tx, caller))
                .serve();
            tokio::select! {
                () = serve => {}
                () = watchdog(expiry_rx) => tracing::info!("websocket closed: not authenticated in time, or token expired"),
            }
        })
        .into_response()
}

/// Time a client has to send `connection_init` after the upgrade.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Resolves when the connection must end: no successful `connection_init` within
/// [`INIT_TIMEOUT`], or the access token it authenticated with has expired.
async fn watchdog(expiry: oneshot::Receiver<Instant>) {
    match tokio::time::timeout(INIT_TIMEOUT, expiry).await {
        Ok(Ok(expires)) => tokio::time::sleep_until(expires).await,
        // Refused: async-graphql closes the connection itself (4403); leave it the time to.
        Ok(Err(_)) => tokio::time::sleep(Duration::from_secs(1)).await,
        // Never sent in time.
        Err(_) => {}
    }
}

/// Authenticate the connection (`http::auth`) and build the data its operations see.
async fn connection_data(
    app: AppState,
    payload: Value,
    meta: RequestMeta,
    expiry: oneshot::Sender<Instant>,
    caller: Arc<OnceLock<Principal>>,
) -> async_graphql::Result<Data> {
    let credentials = Credentials::from_init_payload(&payload);
    let Credentials::Bearer(token) = credentials else {
        return Err(ApiError::unauthenticated().into());
    };
    let expires_in = app
        .jwt
        .verify(token)
        .map(|claims| claims.exp - chrono::Utc::now().timestamp())
        .unwrap_or(0);
    let Caller { principal, modules } = match authenticate(&app, credentials, meta.clone()).await {
        Ok(Some(c)) => c,
        Ok(None) | Err(Refusal::Malformed) => return Err(ApiError::unauthenticated().into()),
        Err(Refusal::Rejected) => {
            return Err(ApiError::Unauthenticated("invalid or expired access token".into()).into());
        }
        Err(Refusal::Internal(e)) => return Err(ApiError::Internal(e).into()),
    };
    let _ = expiry.send(Instant::now() + Duration::from_secs(u64::try_from(expires_in).unwrap_or(0)));
    let _ = caller.set(principal.clone());
    let mut data = Data::default();
    data.insert(meta);
    data.insert(modules);
    data.insert(principal);
    Ok(data)
}

/// The executor of one WebSocket connection: each operation reloads the caller
/// authenticated in `connection_init` (roles, scope, and whether the account and session
/// are still active) and gets its own loaders (a request-long cache) and the modules
/// enabled for the caller's organisation as they are when it starts, like an HTTP request.
#[derive(Clone)]
struct PerOperation<E> {
    inner: E,
    app: AppState,
    caller: Arc<OnceLock<Principal>>,
    /// Operations running on this connection.
    active: Arc<AtomicUsize>,
}

/// Most operations (subscriptions, mostly) one connection may run at once.
pub const MAX_OPERATIONS: usize = 32;

/// Counts one running operation until dropped with its stream.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<E: Executor> PerOperation<E> {
    async fn prepare(
        &self,
        request: async_graphql::Request,
    ) -> Result<async_graphql::Request, async_graphql::Response> {
        let refuse = |e: ApiError| {
            async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(e).into_server_error(Default::default()),
            ])
        };
        let request = request.data(Loaders::new(&self.app.db));
        let Some(first) = self.caller.get() else {
            return Ok(request);
        };
        match reload(&self.app, first).await {
            Ok(Caller { principal, modules }) => Ok(request.data(modules).data(principal)),
            Err(Refusal::Internal(e)) => Err(refuse(ApiError::Internal(e))),
            Err(_) => Err(refuse(ApiError::Unauthenticated(
                "the account or session is no longer active".into(),
            ))),
        }
    }
}

impl<E: Executor> Executor for PerOperation<E> {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        match self.prepare(request).await {
            Ok(request) => self.inner.execute(request).await,
            Err(response) => response,
        }
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        if self.active.fetch_add(1, Ordering::SeqCst) >= MAX_OPERATIONS {
            self.active.fetch_sub(1, Ordering::SeqCst);
            let refused = async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(ApiError::bad_input(
                    "subscribe",
                    format!("at most {MAX_OPERATIONS} operations at once on one connection"),
                ))
                .into_server_error(Default::default()),
            ]);
            return futures::stream::once(async move { refused }).boxed();
        }
        let running = Running(self.active.clone());
        let this = self.clone();
        futures::stream::once(async move {
            match this.prepare(request).await {
                Ok(request) => this.inner.execute_stream(request, session_data),
                Err(response) => futures::stream::once(async move { response }).boxed(),
            }
        })
        .flatten()
        .map(move |response| {
            let _running = &running;
            response
        })
        .boxed()
    }
}
