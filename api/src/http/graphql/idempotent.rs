//! `Idempotency-Key` on `/graphql`: a mutation sent with a key by an authenticated
//! caller runs at most once per caller and key (the rules are in `crate::idempotency`).

use async_graphql::parser::types::OperationType;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::Value;

use super::incoming::Incoming;
use super::response::{internal, json_response, request_error};
use crate::auth::principal::Principal;
use crate::http::negotiate::ResponseType;
use crate::idempotency::{self, Begin};

/// A mutation to run at most once: by whom, under which key, and what it asks.
pub(super) struct Claim {
    user_id: i64,
    key: String,
    hash: String,
}

/// A claimed key, to be finished with the response.
pub(super) struct Claimed {
    user_id: i64,
    key: String,
}

/// The claim a request makes: only a mutation with a key, by an authenticated caller.
/// `Err`: the key is malformed, or given twice with different values.
pub(super) fn claim_of(
    headers: &HeaderMap,
    incoming: &Incoming,
    caller: Option<&Principal>,
) -> Result<Option<Claim>, &'static str> {
    let key = idempotency_key(headers, incoming.extensions.as_ref())?;
    let (Some(key), Some(p)) = (key, caller) else {
        return Ok(None);
    };
    if !incoming.selects(|ty| ty == OperationType::Mutation) {
        return Ok(None);
    }
    let hash = idempotency::request_hash(
        &incoming.query,
        incoming.operation_name.as_deref(),
        incoming.variables.as_ref(),
    );
    Ok(Some(Claim {
        user_id: p.user_id,
        key: key.to_owned(),
        hash,
    }))
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

/// Claim the key, last, once nothing but the execution itself can end the request.
/// `Err` is the answer instead of running: the stored response of a replay
/// (`idempotent-replayed: true`), a CONFLICT, or an internal error.
pub(super) async fn begin(
    db: &DatabaseConnection,
    rt: ResponseType,
    claim: Option<Claim>,
) -> Result<Option<Claimed>, Response> {
    let Some(Claim { user_id, key, hash }) = claim else {
        return Ok(None);
    };
    match idempotency::begin(db, user_id, &key, &hash).await {
        Ok(Begin::Run) => Ok(Some(Claimed { user_id, key })),
        Ok(Begin::Replay(stored)) => {
            let mut resp = json_response(rt, StatusCode::OK, &stored);
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Err(resp)
        }
        Ok(Begin::Conflict(message)) => Err(request_error(rt, StatusCode::CONFLICT, "CONFLICT", message)),
        Err(e) => {
            tracing::error!(error = ?e, "claiming an idempotency key failed");
            Err(internal(rt))
        }
    }
}

/// Store the response under the claimed key (or release it when nothing acted).
pub(super) async fn finish(
    db: &DatabaseConnection,
    claimed: Option<Claimed>,
    response: &async_graphql::Response,
) {
    let Some(Claimed { user_id, key }) = claimed else {
        return;
    };
    let stored = serde_json::to_value(response).unwrap_or(Value::Null);
    if let Err(e) = idempotency::finish(db, user_id, &key, &stored).await {
        // The key stays in progress (a retry answers CONFLICT): never run twice.
        tracing::error!(error = ?e, "storing an idempotent response failed");
    }
}
