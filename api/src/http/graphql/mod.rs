//! `/graphql` over HTTP, following the GraphQL-over-HTTP specification: POST with a JSON
//! body, GET for queries only, content negotiation by `Accept`, 4xx for requests that
//! never reach execution. The schema knows nothing of HTTP: this handler authenticates
//! the caller (`http::auth`) and attaches per-request data.
//!
//! A request goes through [`serve`] step by step; a step that ends it early answers
//! with `Err(response)`.

mod idempotent;
mod incoming;
mod response;

use async_graphql::{Executor, Variables};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::request::Parts;
use http::{Method, StatusCode};
use serde_json::Value;

use self::incoming::{Incoming, parse_get, parse_post, selects_non_query};
use self::response::{bad_request, internal, into_http, method_not_allowed, request_error, unauthorized};
use super::HttpState;
use super::auth::{Caller, Credentials, Refusal, authenticate};
use super::meta::request_meta;
use super::negotiate::{ResponseType, is_json_body, response_type};
use crate::auth::principal::RequestMeta;
use crate::loaders::Loaders;
use crate::state::AppState;
use crate::trusted_documents::DocumentRefusal;

/// `GET` and `POST /graphql` (and the WebSocket upgrade on the same path).
pub async fn handle<E: Executor>(State(st): State<HttpState<E>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if parts.method == Method::GET && super::ws::is_upgrade(&parts) {
        let meta = request_meta(&parts, st.app.settings.trust_forwarded_for);
        return super::ws::upgrade(st, parts, meta).await;
    }
    match serve(&st, parts, body).await {
        Ok(response) | Err(response) => response,
    }
}

/// Negotiate, read, authenticate, claim an idempotency key, execute.
async fn serve<E: Executor>(st: &HttpState<E>, parts: Parts, body: Body) -> Result<Response, Response> {
    let rt = response_type(&parts.headers).ok_or_else(|| {
        request_error(
            ResponseType::Json,
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        )
    })?;
    let incoming = read(&parts, body, rt, &st.app).await?;
    let meta = request_meta(&parts, st.app.settings.trust_forwarded_for);
    let caller = authenticate(&st.app, Credentials::from_headers(&parts.headers), meta.clone())
        .await
        .map_err(|refusal| refused(rt, refusal))?;
    if let Some(docs) = &st.app.trusted {
        docs.admit(incoming.trusted, caller.as_ref().map(|c| &c.principal))
            .map_err(|r| untrusted(rt, r))?;
    }
    let claim = idempotent::claim_of(&parts.headers, &incoming, caller.as_ref().map(|c| &c.principal))
        .map_err(|message| bad_request(rt, message))?;
    let request =
        graphql_request(incoming, meta, caller, &st.app).map_err(|message| bad_request(rt, message))?;
    let claimed = idempotent::begin(&st.app.db, rt, claim).await?;
    let response = st.executor.execute(request).await;
    idempotent::finish(&st.app.db, claimed, &response).await;
    Ok(into_http(rt, response))
}

/// The GraphQL request in the body of a POST or the query string of a GET, refusing
/// other methods, other content types, bodies over `max_body_bytes` and GETs of anything
/// but a query; a trusted document named by its id is looked up here, before the
/// method is checked against the operation it runs.
async fn read(parts: &Parts, body: Body, rt: ResponseType, app: &AppState) -> Result<Incoming, Response> {
    let max_body = app.settings.max_body_bytes;
    let parsed = match parts.method {
        Method::GET => parse_get(parts.uri.query()),
        Method::POST => {
            if !is_json_body(&parts.headers) {
                return Err(request_error(
                    rt,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "BAD_REQUEST",
                    "send the request as application/json",
                ));
            }
            let Ok(bytes) = axum::body::to_bytes(body, max_body).await else {
                return Err(request_error(
                    rt,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "BAD_REQUEST",
                    &format!("the body exceeds {max_body} bytes"),
                ));
            };
            parse_post(&bytes)
        }
        _ => return Err(method_not_allowed(rt, "use GET or POST", "GET, POST")),
    };
    let mut incoming = parsed.map_err(|message| bad_request(rt, message))?;
    let id = incoming
        .extensions
        .as_ref()
        .and_then(Value::as_object)
        .and_then(crate::trusted_documents::requested_id);
    incoming.trusted = match &app.trusted {
        Some(docs) => docs
            .resolve(&mut incoming.query, id.as_deref())
            .map_err(|r| untrusted(rt, r))?,
        // No manifest: an id alone names nothing.
        None if incoming.query.is_empty() => return Err(untrusted(rt, DocumentRefusal::NotFound)),
        None => true,
    };
    if parts.method == Method::GET && selects_non_query(&incoming.query, incoming.operation_name.as_deref()) {
        return Err(method_not_allowed(
            rt,
            "mutations and subscriptions are not allowed over GET; use POST",
            "POST",
        ));
    }
    Ok(incoming)
}

/// The answer to a request refused for its document (trusted documents).
fn untrusted(rt: ResponseType, refusal: DocumentRefusal) -> Response {
    request_error(rt, StatusCode::BAD_REQUEST, refusal.code(), refusal.message())
}

/// The answer to a request whose credentials were refused.
fn refused(rt: ResponseType, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Malformed => unauthorized(rt, "the Authorization header must be `Bearer <token>`"),
        Refusal::Rejected => unauthorized(rt, "invalid or expired access token"),
        Refusal::Internal(_) => internal(rt),
    }
}

/// The request the executor runs, with the request's metadata, its loaders, and the
/// caller with their enabled modules. `Err`: variables or extensions that are not an
/// object (the GraphQL-over-HTTP specification: a map, or absent).
fn graphql_request(
    incoming: Incoming,
    meta: RequestMeta,
    caller: Option<Caller>,
    app: &AppState,
) -> Result<async_graphql::Request, &'static str> {
    let mut gql = async_graphql::Request::new(incoming.query);
    if let Some(name) = incoming.operation_name {
        gql = gql.operation_name(name);
    }
    if let Some(vars) = incoming.variables {
        if !vars.is_object() {
            return Err("variables must be a JSON object");
        }
        gql = gql.variables(Variables::from_json(vars));
    }
    if let Some(ext) = incoming.extensions {
        let Value::Object(ext) = ext else {
            return Err("extensions must be a JSON object");
        };
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                gql.extensions.insert(k, v);
            }
        }
    }
    gql = gql.data(meta).data(Loaders::new(&app.db));
    if let Some(Caller { principal, modules }) = caller {
        gql = gql.data(modules).data(principal);
    }
    Ok(gql)
}
