//! Violations: the object, a case's list, and fetching one.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

use super::user;
use crate::access::{CaseField, case_access};
use crate::case::graphql::{Case, case_of};
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::pagination::Conn;
use crate::supervision::entity::{ViolationKind, ViolationResponse, ViolationSeverity, violation};
use crate::user::graphql::User;

/// A breach of the sentence's conditions and the response taken.
pub struct Violation(pub violation::Model);

#[Object]
impl Violation {
    pub async fn id(&self) -> ID {
        ids::encode("Violation", self.0.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn kind(&self) -> ViolationKind {
        self.0.kind
    }
    async fn severity(&self) -> ViolationSeverity {
        self.0.severity
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Absent until the probation service decides.
    async fn response(&self) -> Option<ViolationResponse> {
        self.0.response
    }
    async fn response_note(&self) -> Option<&str> {
        self.0.response_note.as_deref()
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.responded_by).await
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, Some(self.0.recorded_by)).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub(crate) async fn list_violations(
    ctx: &Context<'_>,
    case_id: i64,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<Violation>> {
    let page = page(ctx, first, after)?;
    Ok(loaders(ctx)?
        .violations
        .connection(case_id, 0, page, |m| m.id, Violation)
        .await?)
}

/// Fetch one violation of a case the caller may supervise.
pub async fn fetch_violation(ctx: &Context<'_>, id: i64) -> Result<Option<Violation>> {
    let p = principal(ctx)?;
    let db = &state(ctx)?.db;
    let Some(row) = violation::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ApiError::from)?
    else {
        return Ok(None);
    };
    let Some(c) = one(&loaders(ctx)?.cases, row.case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &c)
        .filter(|a| CaseField::Violations.shown_at(*a))
        .map(|_| Violation(row)))
}
