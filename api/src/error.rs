//! The one error type that crosses from services to GraphQL, with stable codes.
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql converts any
//! `Display` type into an error without extensions, which would silently drop the
//! `extensions.code` clients rely on. The only way out is `From<ApiError>` below.

use std::borrow::Cow;

use async_graphql::ErrorExtensions as _;
use sea_orm::{DbErr, SqlErr};

/// Result of a service or resolver.
pub type ApiResult<T> = Result<T, ApiError>;

/// An error a client may see, with its stable `extensions.code`.
#[derive(Debug)]
pub enum ApiError {
    /// No valid credentials were presented (`UNAUTHENTICATED`).
    Unauthenticated(Cow<'static, str>),
    /// The caller is known but may not do this (`FORBIDDEN`).
    Forbidden(Cow<'static, str>),
    /// The object does not exist, or the caller may not know that it does (`NOT_FOUND`).
    NotFound(&'static str),
    /// An input value is invalid (`BAD_USER_INPUT`), naming the offending field.
    BadUserInput { field: String, message: String },
    /// The change conflicts with existing data (`CONFLICT`).
    Conflict(String),
    /// A lifecycle transition that the state machine does not allow (`INVALID_TRANSITION`).
    InvalidTransition { from: String, to: String },
    /// The record moved on since the version the client started from (`CONFLICT`, with
    /// the record as it is now in `extensions.current`).
    StaleVersion {
        expected: i32,
        current: serde_json::Value,
    },
    /// A transition no longer legal on the record as it is now (`INVALID_TRANSITION`,
    /// with the record in `extensions.current`): a task cancelled meanwhile, say.
    TransitionRefused {
        from: String,
        to: String,
        current: serde_json::Value,
    },
    /// Too many attempts; retry after the given number of seconds (`RATE_LIMITED`).
    RateLimited { retry_after_secs: u64 },
    /// The module is not enabled for the caller's organisation (`MODULE_DISABLED`).
    ModuleDisabled(String),
    /// A rule of a module refused the request with a code of its own
    /// (`SCREAMING_SNAKE_CASE`, stable, documented by the module: `OUTSIDE_WINDOW`).
    Refused { code: &'static str, message: String },
    /// Anything unexpected (`INTERNAL`): logged with its cause, opaque to the client.
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A module's refusal with its own stable code.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden() -> Self {
        Self::Forbidden(Cow::Borrowed("you are not allowed to do this"))
    }

    pub fn unauthenticated() -> Self {
        Self::Unauthenticated(Cow::Borrowed("authentication required"))
    }

    pub fn internal(context: &'static str, err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into().context(context))
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::InvalidTransition { .. } | Self::TransitionRefused { .. } => "INVALID_TRANSITION",
            Self::StaleVersion { .. } => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::ModuleDisabled(_) => "MODULE_DISABLED",
            Self::Refused { code, .. } => code,
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The message shown to the client (never a database message).
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m) | Self::Forbidden(m) => m.to_string(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::BadUserInput { field, message } => format!("{field}: {message}"),
            Self::Conflict(m) | Self::Refused { message: m, .. } => m.clone(),
            Self::InvalidTransition { from, to } | Self::TransitionRefused { from, to, .. } => {
                format!("transition from {from} to {to} is not allowed")
            }
            Self::StaleVersion { expected, .. } => {
                format!("the record changed since version {expected}; see extensions.current")
            }
            Self::RateLimited { retry_after_secs } => {
                format!("too many attempts; retry in {retry_after_secs} seconds")
            }
            Self::ModuleDisabled(module) => {
                format!("module {module} is not enabled for your organisation")
            }
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// A unique-constraint violation becomes `CONFLICT` with the given message; any other
    /// database error stays internal.
    pub fn conflict_on_unique(err: DbErr, message: impl Into<String>) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict(message.into()),
            _ => Self::internal("database write", err),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        Self::internal("database", err)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        if let ApiError::Internal(cause) = &err {
            // The single place an unexpected error is logged: here it becomes a response.
            tracing::error!(error = ?cause, "internal error");
        }
        let code = err.code();
        let message = err.message();
        let base = async_graphql::Error::new(message);
        match err {
            ApiError::BadUserInput { field, .. } => base.extend_with(|_, e| {
                e.set("code", code);
                e.set("field", field.as_str());
            }),
            ApiError::StaleVersion { current, .. } | ApiError::TransitionRefused { current, .. } => {
                let current = async_graphql::Value::from_json(current).unwrap_or_default();
                base.extend_with(|_, e| {
                    e.set("code", code);
                    e.set("current", current.clone());
                })
            }
            ApiError::RateLimited { retry_after_secs } => base.extend_with(|_, e| {
                e.set("code", code);
                e.set("retryAfter", retry_after_secs);
            }),
            _ => base.extend_with(|_, e| e.set("code", code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(err: async_graphql::Error) -> String {
        let ext = err.extensions.expect("extensions are set");
        match ext.get("code") {
            Some(async_graphql::Value::String(s)) => s.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[test]
    fn bad_user_input_names_the_offending_field() {
        let err: async_graphql::Error = ApiError::bad_input("input.pinfl", "must be 14 digits").into();
        assert_eq!(err.message, "input.pinfl: must be 14 digits");
        let ext = err.extensions.clone().expect("extensions");
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::String("input.pinfl".into()))
        );
        assert_eq!(code_of(err), "BAD_USER_INPUT");
    }

    #[test]
    fn internal_errors_hide_their_cause_from_the_client() {
        let err: async_graphql::Error = ApiError::internal(
            "loading case",
            anyhow::anyhow!("relation \"cases\" does not exist"),
        )
        .into();
        assert_eq!(err.message, "internal error");
        assert_eq!(code_of(err), "INTERNAL");
    }
}
