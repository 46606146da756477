//! Reading per-request data in resolvers, with typed errors instead of panics.

use async_graphql::Context;

use crate::auth::principal::{Principal, RequestMeta};
use crate::error::{ApiError, ApiResult};
use crate::loaders::Loaders;
use crate::pagination::Page;
use crate::state::AppState;

fn missing(what: &'static str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{what} missing from the request context"))
}

/// Shared application state.
pub fn state<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a AppState> {
    ctx.data_opt::<AppState>()
        .ok_or_else(|| missing("application state"))
}

/// The authenticated caller, or UNAUTHENTICATED.
pub fn principal<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Principal> {
    ctx.data_opt::<Principal>().ok_or_else(ApiError::unauthenticated)
}

/// The caller, if any.
pub fn principal_opt<'a>(ctx: &'a Context<'_>) -> Option<&'a Principal> {
    ctx.data_opt::<Principal>()
}

/// The request's metadata (request id, client, address).
pub fn meta<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a RequestMeta> {
    ctx.data_opt::<RequestMeta>()
        .ok_or_else(|| missing("request metadata"))
}

/// The request's DataLoaders.
pub fn loaders<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Loaders> {
    ctx.data_opt::<Loaders>().ok_or_else(|| missing("loaders"))
}

/// Validate connection arguments against the configured maximum page size.
pub fn page(ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<Page> {
    let max = state(ctx)?.settings.max_page_size;
    Page::new(first, after.as_deref(), max)
}
