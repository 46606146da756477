//! The request's audit of case content read ([`crate::audit::reads`]): each request
//! carries a [`ReadLog`] that resolvers note their reads in, and one audit record per
//! kind of content is written when the request has run. If it cannot be written the
//! request answers INTERNAL instead of the data (a read is never left unaudited).

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest,
};
use async_graphql::{Context, Pos, Request, Response, ServerResult};

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
        })
    }
}

struct ReadAuditExtension {
    log: Arc<ReadLog>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for ReadAuditExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(self.log.clone())).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let reads = self.log.take();
        if reads.is_empty() {
            return response;
        }
        let (Some(st), Some(p)) = (ctx.data_opt::<AppState>(), ctx.data_opt::<Principal>()) else {
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
