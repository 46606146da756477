//! `/graphql` over HTTP, following the GraphQL-over-HTTP specification: POST with a JSON
//! body, GET for queries only, content negotiation by `Accept`, 4xx for requests that
//! never reach execution. The schema knows nothing of HTTP: this handler authenticates
//! the caller and attaches per-request data.

use std::net::SocketAddr;

use async_graphql::parser::types::OperationType;
use async_graphql::{Executor, Variables};
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::request_id::RequestId;

use super::HttpState;
use super::negotiate::{ResponseType, is_json_body, response_type};
use crate::auth::principal::RequestMeta;
use crate::auth::service::{AuthFailure, authenticate};
use crate::idempotency::{self, Begin};
use crate::loaders::Loaders;
use crate::module::service as modules;

/// A JSON response with the negotiated content type.
fn json_response(rt: ResponseType, status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(rt.media_type()));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A request-level error: `{"errors": [...]}` without `data`.
fn request_error(rt: ResponseType, status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        rt,
        status,
        &json!({"errors": [{"message": message, "extensions": {"code": code}}]}),
    )
}

#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

#[derive(Deserialize)]
struct PostBody {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// A GraphQL request taken apart from HTTP.
struct Incoming {
    query: String,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

fn parse_get(query_string: Option<&str>) -> Result<Incoming, &'static str> {
    let params: GetParams =
        serde_urlencoded::from_str(query_string.unwrap_or_default()).map_err(|_| "malformed query string")?;
    let parse_json = |s: Option<String>| -> Result<Option<Value>, &'static str> {
        s.filter(|s| !s.is_empty())
            .map(|s| serde_json::from_str(&s).map_err(|_| "variables and extensions must be JSON"))
            .transpose()
    };
    Ok(Incoming {
        query: params.query.ok_or("the query parameter is required")?,
        operation_name: params.operation_name.filter(|s| !s.is_empty()),
        variables: parse_json(params.variables)?,
        extensions: parse_json(params.extensions)?,
    })
}

fn parse_post(body: &[u8]) -> Result<Incoming, &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| "the body is not valid JSON")?;
    if value.is_array() {
        return Err("batched requests are not supported");
    }
    let body: PostBody = serde_json::from_value(value).map_err(|_| "the body is not a GraphQL request")?;
    Ok(Incoming {
        query: body.query.ok_or("the query field is required")?,
        operation_name: body.operation_name,
        variables: body.variables.filter(|v| !v.is_null()),
        extensions: body.extensions.filter(|v| !v.is_null()),
    })
}

/// Whether the operation that would run is of a type `wanted` accepts. A document that
/// does not parse is left to the executor to report.
fn selects(query: &str, operation_name: Option<&str>, wanted: impl Fn(OperationType) -> bool) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    doc.operations
        .iter()
        .filter(|(name, _)| match operation_name {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .any(|(_, op)| wanted(op.node.ty))
}

/// Whether the operation is a mutation (or subscription): GET may carry queries only.
fn selects_non_query(query: &str, operation_name: Option<&str>) -> bool {
    selects(query, operation_name, |ty| ty != OperationType::Query)
}

/// The idempotency key of a request: the `Idempotency-Key` header, or the
/// `idempotencyKey` entry of the request's `extensions` (for clients that set headers
/// once for every operation); absent, or a valid key, or an error message. Both may be
/// given only with the same value.
fn idempotency_key<'a>(
    headers: &'a HeaderMap,
    extensions: Option<&'a Value>,
) -> Result<Option<&'a str>, &'static str> {
    let header = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) if idempotency::valid_key(key) => Some(key),
        Some(_) => return Err("Idempotency-Key must be 1 to 255 visible ASCII characters"),
    };
    let extension = match extensions.and_then(|e| e.get("idempotencyKey")) {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) if idempotency::valid_key(key) => Some(key.as_str()),
        Some(_) => {
            return Err("extensions.idempotencyKey must be 1 to 255 visible ASCII characters");
        }
    };
    match (header, extension) {
        (Some(h), Some(e)) if h != e => {
            Err("the Idempotency-Key header and extensions.idempotencyKey differ")
        }
        (h, e) => Ok(h.or(e)),
    }
}

fn client_address(parts: &http::request::Parts, trust_forwarded: bool) -> String {
    if trust_forwarded
        && let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.chars().take(64).collect();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn client_name(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-client-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ()> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ())?;
    let (scheme, token) = value.split_once(' ').ok_or(())?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(());
    }
    Ok(Some(token.trim()))
}

fn unauthorized(rt: ResponseType, message: &str) -> Response {
    let mut resp = request_error(rt, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
    resp.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    resp
}

/// `GET` and `POST /graphql`.
pub async fn handle<E: Executor>(State(st): State<HttpState<E>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if parts.method == Method::GET && super::ws::is_upgrade(&parts) {
        let meta = request_meta(&parts, st.app.settings.trust_forwarded_for);
        return super::ws::upgrade(st, parts, meta).await;
    }
    let Some(rt) = response_type(&parts.headers) else {
        return request_error(
            ResponseType::Json,
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        );
    };
    let settings = &st.app.settings;
    let incoming = match parts.method {
        Method::GET => parse_get(parts.uri.query()),
        Method::POST => {
            if !is_json_body(&parts.headers) {
                return request_error(
                    rt,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "BAD_REQUEST",
                    "send the request as application/json",
                );
            }
            match axum::body::to_bytes(body, settings.max_body_bytes).await {
                Ok(bytes) => parse_post(&bytes),
                Err(_) => {
                    return request_error(
                        rt,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "BAD_REQUEST",
                        &format!("the body exceeds {} bytes", settings.max_body_bytes),
                    );
                }
            }
        }
        _ => {
            let mut resp = request_error(
                rt,
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_REQUEST",
                "use GET or POST",
            );
            resp.headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, POST"));
            return resp;
        }
    };
    let incoming = match incoming {
        Ok(i) => i,
        Err(message) => return request_error(rt, StatusCode::BAD_REQUEST, "BAD_REQUEST", message),
    };
    if parts.method == Method::GET && selects_non_query(&incoming.query, incoming.operation_name.as_deref()) {
        let mut resp = request_error(
            rt,
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "mutations and subscriptions are not allowed over GET; use POST",
        );
        resp.headers_mut().insert(ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }

    let meta = request_meta(&parts, settings.trust_forwarded_for);
    let principal = match bearer_token(&parts.headers) {
        Err(()) => return unauthorized(rt, "the Authorization header must be `Bearer <token>`"),
        Ok(None) => None,
        Ok(Some(token)) => match authenticate(&st.app, token, meta.clone()).await {
            Ok(p) => Some(p),
            Err(AuthFailure::Internal(e)) => {
                tracing::error!(error = ?e, "loading the caller failed");
                return request_error(
                    rt,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "internal error",
                );
            }
            Err(failure) => {
                tracing::info!(reason = %failure, "bearer token refused");
                return unauthorized(rt, "invalid or expired access token");
            }
        },
    };

    // A mutation with an idempotency key runs at most once per caller and key.
    let idempotency_request = match (
        idempotency_key(&parts.headers, incoming.extensions.as_ref()),
        &principal,
    ) {
        (Err(message), _) => return request_error(rt, StatusCode::BAD_REQUEST, "BAD_REQUEST", message),
        (Ok(Some(key)), Some(p))
            if selects(&incoming.query, incoming.operation_name.as_deref(), |ty| {
                ty == OperationType::Mutation
            }) =>
        {
            let hash = idempotency::request_hash(
                &incoming.query,
                incoming.operation_name.as_deref(),
                incoming.variables.as_ref(),
            );
            Some((p.user_id, key.to_owned(), hash))
        }
        _ => None,
    };

    let mut gql = async_graphql::Request::new(incoming.query);
    if let Some(name) = incoming.operation_name {
        gql = gql.operation_name(name);
    }
    if let Some(vars) = incoming.variables {
        if !vars.is_object() {
            return request_error(
                rt,
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "variables must be a JSON object",
            );
        }
        gql = gql.variables(Variables::from_json(vars));
    }
    if let Some(Value::Object(ext)) = incoming.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                gql.extensions.insert(k, v);
            }
        }
    }
    gql = gql.data(meta).data(Loaders::new(&st.app.db));
    if let Some(p) = principal {
        // Read fresh for every request: a module switched on or off shows at once, on
        // every replica.
        match modules::enabled_for(&st.app.db, &st.app.modules, p.organisation_id).await {
            Ok(enabled) => gql = gql.data(enabled),
            Err(e) => {
                tracing::error!(error = ?e, "loading the enabled modules failed");
                return request_error(
                    rt,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "internal error",
                );
            }
        }
        gql = gql.data(p);
    }
    // Claimed last, once nothing but the execution itself can end the request.
    let idempotent = match idempotency_request {
        None => None,
        Some((user_id, key, hash)) => match idempotency::begin(&st.app.db, user_id, &key, &hash).await {
            Ok(Begin::Run) => Some((user_id, key)),
            Ok(Begin::Replay(stored)) => {
                let mut resp = json_response(rt, StatusCode::OK, &stored);
                resp.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return resp;
            }
            Ok(Begin::Conflict(message)) => {
                return request_error(rt, StatusCode::CONFLICT, "CONFLICT", message);
            }
            Err(e) => {
                tracing::error!(error = ?e, "claiming an idempotency key failed");
                return request_error(
                    rt,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "internal error",
                );
            }
        },
    };
    let response = st.executor.execute(gql).await;
    if let Some((user_id, key)) = idempotent {
        let stored = serde_json::to_value(&response).unwrap_or(Value::Null);
        if let Err(e) = idempotency::finish(&st.app.db, user_id, &key, &stored).await {
            // The key stays in progress (a retry answers CONFLICT): never run twice.
            tracing::error!(error = ?e, "storing an idempotent response failed");
        }
    }
    into_http(rt, response)
}

/// What the audit log records of a request.
pub(crate) fn request_meta(parts: &http::request::Parts, trust_forwarded_for: bool) -> RequestMeta {
    RequestMeta {
        request_id: parts
            .extensions
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        client: client_name(&parts.headers),
        address: client_address(parts, trust_forwarded_for),
    }
}

fn into_http(rt: ResponseType, response: async_graphql::Response) -> Response {
    let before_execution = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let headers = response.http_headers.clone();
    let mut body = match serde_json::to_value(&response) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = ?e, "serialising a response failed");
            return request_error(
                rt,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    if before_execution {
        // The request never reached execution: the specification says `data` is absent.
        if let Some(obj) = body.as_object_mut() {
            obj.remove("data");
        }
    }
    let status = match (before_execution, rt) {
        (true, ResponseType::GraphqlResponseJson) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let mut resp = json_response(rt, status, &body);
    for (name, value) in headers.iter() {
        resp.headers_mut().append(name.clone(), value.clone());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_detected_for_get() {
        assert!(selects_non_query("mutation { logout }", None));
        assert!(!selects_non_query("query { me { roles } }", None));
        assert!(!selects_non_query("{ me { roles } }", None));
        assert!(selects_non_query(
            "query A { me { roles } } mutation B { logout }",
            Some("B")
        ));
        assert!(!selects_non_query(
            "query A { me { roles } } mutation B { logout }",
            Some("A")
        ));
    }

    #[test]
    fn batches_and_malformed_bodies_are_refused() {
        assert!(parse_post(b"[{\"query\":\"{a}\"}]").is_err());
        assert!(parse_post(b"{not json").is_err());
        assert!(parse_post(b"{\"variables\":{}}").is_err());
        assert!(parse_post(b"{\"query\":\"{a}\",\"variables\":null}").is_ok());
    }

    #[test]
    fn get_parameters_use_the_specified_names() {
        let i = parse_get(Some(
            "query=%7Bme%7Bid%7D%7D&operationName=X&variables=%7B%22a%22%3A1%7D",
        ))
        .expect("parses");
        assert_eq!(i.query, "{me{id}}");
        assert_eq!(i.operation_name.as_deref(), Some("X"));
        assert_eq!(i.variables, Some(json!({"a": 1})));
    }
}
