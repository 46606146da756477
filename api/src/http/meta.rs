//! What the audit log records of a request: its id, the client application and the
//! client's address.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::HeaderMap;
use http::request::Parts;
use tower_http::request_id::RequestId;

use crate::auth::principal::RequestMeta;

/// The request's id, client and address (the first `x-forwarded-for` entry when the
/// proxy in front is trusted, else the peer's address).
pub fn request_meta(parts: &Parts, trust_forwarded_for: bool) -> RequestMeta {
    RequestMeta {
        request_id: parts
            .extensions
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        client: client_name(&parts.headers),
        address: client_address(parts, trust_forwarded_for),
        device: None,
    }
}

fn client_address(parts: &Parts, trust_forwarded: bool) -> String {
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
