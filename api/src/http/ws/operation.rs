//! The executor of one WebSocket connection's operations.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use async_graphql::{Data, Executor};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::http::auth::{Caller, Refusal, reload};
use crate::loaders::Loaders;
use crate::state::AppState;
use crate::trusted_documents::DocumentRefusal;

/// Most operations (subscriptions, mostly) one connection may run at once.
pub const MAX_OPERATIONS: usize = 32;

/// Each operation reloads the caller authenticated in `connection_init` (roles, scope,
/// and whether the account and session are still active) and gets its own loaders (a
/// request-long cache) and the modules enabled for the caller's organisation as they are
/// when it starts, like an HTTP request.
#[derive(Clone)]
pub(super) struct PerOperation<E> {
    pub inner: E,
    pub app: AppState,
    pub caller: Arc<OnceLock<Principal>>,
    /// Operations running on this connection.
    pub active: Arc<AtomicUsize>,
}

/// Counts one running operation until dropped with its stream.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A refusal of the trusted documents, with its code.
fn untrusted(r: DocumentRefusal) -> async_graphql::Response {
    let mut e = async_graphql::ServerError::new(r.message(), None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", r.code());
    async_graphql::Response::from_errors(vec![e])
}

fn refusal(e: ApiError) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![
        async_graphql::Error::from(e).into_server_error(Default::default()),
    ])
}

impl<E: Executor> PerOperation<E> {
    async fn prepare(
        &self,
        mut request: async_graphql::Request,
    ) -> Result<async_graphql::Request, async_graphql::Response> {
        let trusted = self.resolve_document(&mut request).map_err(untrusted)?;
        let request = request.data(Loaders::new(&self.app.db));
        let Some(first) = self.caller.get() else {
            self.admit(trusted, None).map_err(untrusted)?;
            return Ok(request);
        };
        match reload(&self.app, first).await {
            Ok(Caller { principal, modules }) => {
                self.admit(trusted, Some(&principal)).map_err(untrusted)?;
                Ok(request.data(modules).data(principal))
            }
            Err(Refusal::Internal(e)) => Err(refusal(ApiError::Internal(e))),
            Err(_) => Err(refusal(ApiError::Unauthenticated(
                "the account or session is no longer active".into(),
            ))),
        }
    }

    /// Look up a trusted document named by its id (`extensions.documentId` or
    /// `extensions.persistedQuery.sha256Hash`), as over HTTP; whether the document is
    /// trusted (true when there is no manifest).
    fn resolve_document(&self, request: &mut async_graphql::Request) -> Result<bool, DocumentRefusal> {
        let id = request
            .extensions
            .get("documentId")
            .or_else(|| match request.extensions.get("persistedQuery") {
                Some(async_graphql::Value::Object(p)) => p.get("sha256Hash"),
                _ => None,
            })
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            });
        match &self.app.trusted {
            Some(docs) => docs.resolve(&mut request.query, id.as_deref()),
            None if request.query.is_empty() && id.is_some() => Err(DocumentRefusal::NotFound),
            None => Ok(true),
        }
    }

    fn admit(&self, trusted: bool, caller: Option<&Principal>) -> Result<(), DocumentRefusal> {
        match &self.app.trusted {
            Some(docs) => docs.admit(trusted, caller),
            None => Ok(()),
        }
    }

    /// Run one operation: its results, or one response with the errors that refused it.
    pub fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Arc<Data>,
    ) -> BoxStream<'static, async_graphql::Response> {
        if self.active.fetch_add(1, Ordering::SeqCst) >= MAX_OPERATIONS {
            self.active.fetch_sub(1, Ordering::SeqCst);
            let refused = refusal(ApiError::bad_input(
                "subscribe",
                format!("at most {MAX_OPERATIONS} operations at once on one connection"),
            ));
            return futures::stream::once(async move { refused }).boxed();
        }
        let running = Running(self.active.clone());
        let this = self.clone();
        futures::stream::once(async move {
            match this.prepare(request).await {
                Ok(request) => this.inner.execute_stream(request, Some(session_data)),
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
