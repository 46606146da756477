//! The request's audit of case content read ([`crate::audit::reads`]): each request
//! carries a [`ReadLog`] that resolvers note their reads in, and one audit record per
//! kind of content is written when the request has run — for a subscription, after each
//! event it delivers. If it cannot be written the request (or that event) answers
//! INTERNAL instead of the data (a read is never left unaudited).

use std::any::TypeId;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextSubscribe,
};
use async_graphql::{Context, Pos, Request, Response, ServerResult};
use futures::stream::{BoxStream, StreamExt};

use super::context::{principal, state};
use crate::audit::reads::{ReadKind, ReadLog, record_reads};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The extension factory: a fresh log per request.
pub struct ReadAudit;

impl ExtensionFactory for ReadAudit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ReadAuditExtension {
            log: Arc::new(ReadLog::default()),
            reader: Arc::default(),
        })
    }
}

/// Who reads and where their reads are recorded.
type Reader = Arc<Mutex<Option<(AppState, Principal)>>>;

struct ReadAuditExtension {
    log: Arc<ReadLog>,
    /// The subscriber, taken from the request when it is prepared (a subscription's
    /// events are resolved outside `execute`, with no extension context of their own).
    reader: Reader,
}

/// Write the reads noted so far; the response as it is, or INTERNAL if they could not
/// be written.
async fn flush(log: &ReadLog, reader: Option<(&AppState, &Principal)>, response: Response) -> Response {
    let reads = log.take();
    if reads.is_empty() {
        return response;
    }
    let Some((st, p)) = reader else {
        return refused(ApiError::Internal(anyhow::anyhow!(
            "reads without a caller to audit"
        )));
    };
    match record_reads(&st.db, p, reads).await {
        Ok(()) => response,
        Err(e) => refused(ApiError::Internal(
            anyhow::Error::new(e).context("auditing reads"),
        )),
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ReadAuditExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let caller = request
            .data
            .get(&TypeId::of::<Principal>())
            .and_then(|d| d.downcast_ref::<Principal>())
            .or_else(|| ctx.data_opt::<Principal>());
        if let (Some(st), Some(p)) = (ctx.data_opt::<AppState>(), caller)
            && let Ok(mut reader) = self.reader.lock()
        {
            *reader = Some((st.clone(), p.clone()));
        }
        next.run(ctx, request.data(self.log.clone())).await
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let (log, reader) = (self.log.clone(), self.reader.clone());
        next.run(ctx, stream)
            .then(move |response| {
                let (log, reader) = (log.clone(), reader.clone());
                async move {
                    let reader = reader.lock().ok().and_then(|r| r.clone());
                    flush(&log, reader.as_ref().map(|(st, p)| (st, p)), response).await
                }
            })
            .boxed()
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let reader = ctx.data_opt::<AppState>().zip(ctx.data_opt::<Principal>());
        flush(&self.log, reader, response).await
    }
}

fn refused(err: ApiError) -> Response {
    Response::from_errors(vec![
        async_graphql::Error::from(err).into_server_error(Pos::default()),
    ])
}

/// Note that the caller was shown record `id` of `kind`; refuses (INTERNAL) when the
/// request cannot audit it.
pub fn audit_read(ctx: &Context<'_>, kind: ReadKind, id: i64) -> ApiResult<()> {
    // Both are present on every request the schema runs; checked so that a missing one
    // refuses the read rather than leaving it unaudited.
    state(ctx)?;
    principal(ctx)?;
    ctx.data_opt::<Arc<ReadLog>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("read log missing from the request context")))?
        .note(kind, id);
    Ok(())
}
