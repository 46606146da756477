//! Answers of `/graphql` over HTTP: the negotiated media type, request-level errors
//! (`{"errors": [...]}` without `data`) and the status an executed response gets.

use axum::response::{IntoResponse, Response};
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::http::negotiate::ResponseType;

/// A JSON response with the negotiated content type.
pub(super) fn json_response(rt: ResponseType, status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(rt.media_type()));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A request-level error: `{"errors": [...]}` without `data`.
pub(super) fn request_error(rt: ResponseType, status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        rt,
        status,
        &json!({"errors": [{"message": message, "extensions": {"code": code}}]}),
    )
}

/// 400 for a request that cannot be executed as sent.
pub(super) fn bad_request(rt: ResponseType, message: &str) -> Response {
    request_error(rt, StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// 405 naming the methods that are allowed.
pub(super) fn method_not_allowed(rt: ResponseType, message: &str, allow: &'static str) -> Response {
    let mut resp = request_error(rt, StatusCode::METHOD_NOT_ALLOWED, "BAD_REQUEST", message);
    resp.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    resp
}

/// 500 with nothing of the cause (logged where it happened).
pub(super) fn internal(rt: ResponseType) -> Response {
    request_error(
        rt,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error",
    )
}

/// 401 with the `WWW-Authenticate` challenge.
pub(super) fn unauthorized(rt: ResponseType, message: &str) -> Response {
    let mut resp = request_error(rt, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
    resp.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    resp
}

/// An executed response: 200, or 400 for `application/graphql-response+json` when the
/// request never reached execution (then without `data`, as the specification says).
pub(super) fn into_http(rt: ResponseType, response: async_graphql::Response) -> Response {
    let before_execution = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let headers = response.http_headers.clone();
    let retry_after = retry_after(&response);
    let mut body = match serde_json::to_value(&response) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = ?e, "serialising a response failed");
            return internal(rt);
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
    if let Some(secs) = retry_after {
        resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// The longest `retryAfter` among the response's RATE_LIMITED errors: HTTP clients and
/// proxies read it from the `Retry-After` header, which says the same.
fn retry_after(response: &async_graphql::Response) -> Option<u64> {
    response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref())
        .filter(|ext| matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == "RATE_LIMITED"))
        .filter_map(|ext| match ext.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) => n.as_u64(),
            _ => None,
        })
        .max()
}
