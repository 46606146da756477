//! Who is calling: the one authentication of every way in — `POST`/`GET /graphql`,
//! the WebSocket's `connection_init`, and any other endpoint (the CSV export).
//!
//! A request presents [`Credentials`] (read from its `Authorization` header, or from a
//! `connection_init` payload); [`authenticate`] verifies the token, loads the caller
//! with their roles and scope (refusing an inactive account, organisation or session)
//! and the modules their organisation has enabled now, and logs a refusal once, here.
//! Each transport turns a [`Refusal`] into its own answer (a 401 with
//! `WWW-Authenticate`, a closed WebSocket, …).

use http::HeaderMap;
use http::header::AUTHORIZATION;
use serde_json::Value;

use crate::auth::principal::{Principal, RequestMeta};
use crate::auth::service::{self as auth, AuthFailure, Via};
use crate::module::EnabledModules;
use crate::state::AppState;

/// The credentials a request presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials<'a> {
    /// None: an anonymous request (`login` needs no caller).
    Absent,
    /// A bearer access token.
    Bearer(&'a str),
    /// An `Authorization` header that is not `Bearer <token>`.
    Malformed,
}

impl<'a> Credentials<'a> {
    /// The `Authorization` header of an HTTP request.
    pub fn from_headers(headers: &'a HeaderMap) -> Self {
        match bearer_token(headers) {
            Ok(Some(token)) => Self::Bearer(token),
            Ok(None) => Self::Absent,
            Err(()) => Self::Malformed,
        }
    }

    /// The `authorization` (or `Authorization`) entry of a WebSocket `connection_init`
    /// payload, with or without the `Bearer ` prefix.
    pub fn from_init_payload(payload: &'a Value) -> Self {
        let token = payload
            .get("authorization")
            .or_else(|| payload.get("Authorization"))
            .and_then(Value::as_str)
            .map(|raw| raw.strip_prefix("Bearer ").unwrap_or(raw).trim())
            .filter(|token| !token.is_empty());
        token.map_or(Self::Absent, Self::Bearer)
    }
}

/// The bearer token of an `Authorization` header: none, a token, or `Err` for a header
/// that is not `Bearer <token>`.
fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ()> {
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

/// An authenticated caller: who, and the modules their organisation has enabled now.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// Read fresh for every request: a module switched on or off shows at once, on
    /// every replica.
    pub modules: EnabledModules,
}

/// Why a request was not let in.
#[derive(Debug)]
pub enum Refusal {
    /// The `Authorization` header is not `Bearer <token>`.
    Malformed,
    /// The token is invalid or expired, or the account, organisation or session it
    /// names is no longer active.
    Rejected,
    /// Loading the caller or their modules failed (already logged).
    Internal(anyhow::Error),
}

impl Refusal {
    fn failed(failure: AuthFailure) -> Self {
        match failure {
            AuthFailure::Internal(e) => {
                tracing::error!(error = ?e, "loading the caller failed");
                Self::Internal(e)
            }
            refused => {
                tracing::info!(reason = %refused, "bearer token refused");
                Self::Rejected
            }
        }
    }
}

/// Authenticate a request: `Ok(None)` when it presents no credentials at all.
pub async fn authenticate(
    app: &AppState,
    credentials: Credentials<'_>,
    meta: RequestMeta,
) -> Result<Option<Caller>, Refusal> {
    let token = match credentials {
        Credentials::Absent => return Ok(None),
        Credentials::Malformed => return Err(Refusal::Malformed),
        Credentials::Bearer(token) => token,
    };
    let (principal, modules) = auth::authenticate_caller(app, token, meta)
        .await
        .map_err(Refusal::failed)?;
    Ok(Some(caller(app, principal, modules)))
}

/// Load again the caller that `first` authenticated at the start of a connection (for
/// each operation on a WebSocket): roles, scope, whether the account and session are
/// still active, and the modules enabled now.
pub async fn reload(app: &AppState, first: &Principal) -> Result<Caller, Refusal> {
    let via = Via::Token {
        session_id: first.session_id,
    };
    let (principal, modules) = auth::load_caller(&app.db, first.user_id, via, first.meta.clone())
        .await
        .map_err(Refusal::failed)?;
    Ok(caller(app, principal, modules))
}

/// The caller with the modules switched on for their organisation that are compiled in.
fn caller(app: &AppState, principal: Principal, switched_on: Vec<String>) -> Caller {
    let modules = switched_on
        .into_iter()
        .filter(|id| app.modules.get(id).is_some())
        .collect();
    Caller {
        principal,
        modules: EnabledModules(modules),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use serde_json::json;

    use super::*;

    #[test]
    fn the_init_token_is_read_with_or_without_the_bearer_prefix() {
        fn bearer(v: &Value) -> Credentials<'_> {
            Credentials::from_init_payload(v)
        }
        assert_eq!(
            bearer(&json!({"authorization": "Bearer abc"})),
            Credentials::Bearer("abc")
        );
        assert_eq!(
            bearer(&json!({"Authorization": "abc"})),
            Credentials::Bearer("abc")
        );
        assert_eq!(bearer(&json!({"authorization": ""})), Credentials::Absent);
        assert_eq!(bearer(&json!({})), Credentials::Absent);
        assert_eq!(bearer(&Value::Null), Credentials::Absent);
    }

    #[test]
    fn only_a_bearer_authorization_header_carries_a_token() {
        let mut headers = HeaderMap::new();
        assert_eq!(Credentials::from_headers(&headers), Credentials::Absent);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(Credentials::from_headers(&headers), Credentials::Bearer("abc"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(Credentials::from_headers(&headers), Credentials::Malformed);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(Credentials::from_headers(&headers), Credentials::Malformed);
    }
}
