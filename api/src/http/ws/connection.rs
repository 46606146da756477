//! One WebSocket connection: the handshake, its operations, and the close codes.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::{Data, Executor};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::operation::PerOperation;
use super::protocol::{self, ClientMessage, Close, Protocol};
use crate::auth::principal::{Principal, RequestMeta};
use crate::http::auth::{Caller, Credentials, Refusal, authenticate};
use crate::state::AppState;

/// What an operation's task hands to the connection, tagged with the operation's id
/// and generation (an id may be used again once its operation has ended).
enum Out {
    Message(String, u64, Value),
    /// The operation has ended; `true` when the client is owed a `complete`.
    Ended(String, u64, bool),
}

/// What the connection does after a message.
enum Flow {
    Continue,
    Close(Close),
    /// The client ended the connection (legacy `connection_terminate`).
    Stop,
}

/// The state of one connection.
pub(super) struct Connection<E> {
    pub protocol: Protocol,
    pub app: AppState,
    pub meta: RequestMeta,
    pub executor: PerOperation<E>,
    pub caller: Arc<OnceLock<Principal>>,
}

struct Live {
    /// Data every operation sees (the caller, their modules, the request's meta).
    session: Option<Arc<Data>>,
    /// When the access token expires (the connection closes then).
    expires: Option<Instant>,
    init_received: bool,
    operations: HashMap<String, (u64, AbortHandle)>,
    generation: u64,
    out: mpsc::Sender<Out>,
}

impl<E: Executor> Connection<E> {
    /// Serve the connection until either side closes it.
    pub async fn serve(self, mut socket: WebSocket) {
        let (out, mut results) = mpsc::channel(64);
        let mut live = Live {
            session: None,
            expires: None,
            init_received: false,
            operations: HashMap::new(),
            generation: 0,
            out,
        };
        let init_deadline =
            Instant::now() + Duration::from_secs(self.app.settings.websocket_init_timeout_secs);
        let lifecycle = self.app.lifecycle.clone();
        let stopping = lifecycle.stopping();
        tokio::pin!(stopping);
        let close = loop {
            let (timeout, timed_out) = match live.expires {
                Some(expires) => (expires, Close::EXPIRED),
                None => (init_deadline, Close::INIT_TIMEOUT),
            };
            tokio::select! {
                incoming = socket.recv() => {
                    let flow = match incoming {
                        None | Some(Err(_) | Ok(Message::Close(_))) => break None,
                        Some(Ok(Message::Text(text))) => self.on_message(&mut live, &mut socket, text.as_str()).await,
                        Some(Ok(Message::Binary(_))) => Flow::Close(Close::MALFORMED),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Continue,
                    };
                    match flow {
                        Flow::Continue => {}
                        Flow::Close(close) => break Some(close),
                        Flow::Stop => break None,
                    }
                }
                Some(result) = results.recv() => {
                    let message = match result {
                        Out::Message(id, generation, message) => live.is_current(&id, generation).then_some(message),
                        Out::Ended(id, generation, owed) => {
                            (live.end(&id, generation) && owed).then(|| protocol::complete(&id))
                        }
                    };
                    if let Some(message) = message && send(&mut socket, &message).await.is_err() {
                        break None;
                    }
                }
                () = &mut stopping => {
                    break Some(Close::GOING_AWAY);
                }
                () = tokio::time::sleep_until(timeout) => {
                    tracing::info!(code = timed_out.0, "websocket closed: {}", timed_out.1);
                    break Some(timed_out);
                }
            }
        };
        for (_, (_, task)) in live.operations.drain() {
            task.abort();
        }
        if let Some(Close(code, reason)) = close {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = socket.send(Message::Close(Some(frame))).await;
        }
    }

    async fn on_message(&self, live: &mut Live, socket: &mut WebSocket, text: &str) -> Flow {
        let Some(message) = ClientMessage::parse(text) else {
            return Flow::Close(Close::MALFORMED);
        };
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if live.init_received {
                    return Flow::Close(Close::DUPLICATE_INIT);
                }
                live.init_received = true;
                match self.connection_data(payload.unwrap_or_default()).await {
                    Ok((data, expires)) => {
                        live.session = Some(Arc::new(data));
                        live.expires = Some(expires);
                        reply(socket, &protocol::ack()).await
                    }
                    Err(close) => {
                        if self.protocol == Protocol::Legacy {
                            let _ = send(socket, &protocol::connection_error(close.1)).await;
                        }
                        Flow::Close(close)
                    }
                }
            }
            ClientMessage::Subscribe { id, payload } => {
                let Some(session) = live.session.clone() else {
                    return Flow::Close(Close::UNAUTHORIZED);
                };
                if live.operations.contains_key(&id) {
                    return Flow::Close(Close::DUPLICATE_ID);
                }
                live.generation += 1;
                let generation = live.generation;
                let task = self.run(id.clone(), generation, *payload, session, live.out.clone());
                live.operations.insert(id, (generation, task));
                Flow::Continue
            }
            ClientMessage::Complete { id } => {
                if let Some((_, task)) = live.operations.remove(&id) {
                    task.abort();
                    if self.protocol == Protocol::Legacy {
                        return reply(socket, &protocol::complete(&id)).await;
                    }
                }
                Flow::Continue
            }
            ClientMessage::ConnectionTerminate => Flow::Stop,
            ClientMessage::Ping { payload } => reply(socket, &protocol::pong(payload)).await,
            ClientMessage::Pong {} => Flow::Continue,
        }
    }

    /// Start operation `id` in a task of its own that hands its results to the connection.
    fn run(
        &self,
        id: String,
        generation: u64,
        request: async_graphql::Request,
        session: Arc<Data>,
        out: mpsc::Sender<Out>,
    ) -> AbortHandle {
        let mut stream = self.executor.execute_stream(request, session);
        let protocol = self.protocol;
        tokio::spawn(async move {
            let mut first = true;
            while let Some(response) = stream.next().await {
                let refused = first && response.data == async_graphql::Value::Null && response.is_err();
                first = false;
                if refused && let Some(error) = protocol::error(protocol, &id, &response) {
                    // `error` ends the operation: no `complete` follows it.
                    let _ = out.send(Out::Message(id.clone(), generation, error)).await;
                    let _ = out.send(Out::Ended(id, generation, false)).await;
                    return;
                }
                let message = protocol::next(protocol, &id, &response);
                if out
                    .send(Out::Message(id.clone(), generation, message))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            let _ = out.send(Out::Ended(id, generation, true)).await;
        })
        .abort_handle()
    }

    /// Authenticate the connection (`http::auth`): the data its operations see and when
    /// its access token expires, or the close code that refuses it.
    async fn connection_data(&self, payload: Value) -> Result<(Data, Instant), Close> {
        let credentials = Credentials::from_init_payload(&payload);
        let Credentials::Bearer(token) = credentials else {
            return Err(Close::FORBIDDEN);
        };
        let expires_in = self
            .app
            .jwt
            .verify(token)
            .map(|claims| claims.exp - chrono::Utc::now().timestamp())
            .unwrap_or(0);
        let Caller { principal, modules } =
            match authenticate(&self.app, credentials, self.meta.clone()).await {
                Ok(Some(c)) => c,
                Ok(None) | Err(Refusal::Malformed | Refusal::Rejected) => return Err(Close::FORBIDDEN),
                Err(Refusal::Internal(_)) => return Err(Close::INTERNAL),
            };
        let expires = Instant::now() + Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
        let _ = self.caller.set(principal.clone());
        let mut data = Data::default();
        data.insert(self.meta.clone());
        data.insert(modules);
        data.insert(principal);
        Ok((data, expires))
    }
}

impl Live {
    fn is_current(&self, id: &str, generation: u64) -> bool {
        self.operations.get(id).is_some_and(|(g, _)| *g == generation)
    }

    /// Forget operation `id` of `generation`; whether it was still running (a client
    /// that completed it itself is owed nothing).
    fn end(&mut self, id: &str, generation: u64) -> bool {
        if self.is_current(id, generation) {
            self.operations.remove(id);
            return true;
        }
        false
    }
}

async fn send(socket: &mut WebSocket, message: &Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(message.to_string().into())).await
}

async fn reply(socket: &mut WebSocket, message: &Value) -> Flow {
    match send(socket, message).await {
        Ok(()) => Flow::Continue,
        Err(_) => Flow::Stop,
    }
}
