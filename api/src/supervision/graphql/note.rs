//! Case notes: the object, a case's notes up to the caller's visibility, and fetching
//! one. Every read is audited before the notes are returned.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::user;
use crate::access::CaseAccess;
use crate::case::entity::case;
use crate::case::graphql::{Case, case_of};
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{level_variant, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::supervision::entity::{NoteVisibility, note};
use crate::supervision::service;
use crate::user::graphql::User;

/// A note on a case, readable according to its visibility.
pub struct CaseNote(pub note::Model);

#[Object]
impl CaseNote {
    pub async fn id(&self) -> ID {
        ids::encode("CaseNote", self.0.id)
    }
    /// Incremented by every change; pass it as `expectedVersion` to change the record
    /// only if nobody else did meanwhile.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn visibility(&self) -> NoteVisibility {
        self.0.visibility
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, Some(self.0.author_id)).await
    }
    /// The author's organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Notes of a case the caller may read at `access`, newest first; the read is audited
/// with the ids returned before they are returned.
pub(crate) async fn list_notes(
    ctx: &Context<'_>,
    case: &case::Model,
    access: CaseAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<CaseNote>> {
    let p = principal(ctx)?;
    let page = page(ctx, first, after)?;
    let rows = loaders(ctx)?
        .notes
        .paged(case.id, level_variant(access), page)
        .await?;
    let ids: Vec<i64> = rows.rows.iter().map(|n| n.id).collect();
    service::audit_note_read(&state(ctx)?.db, p, case.id, &ids).await?;
    Ok(rows.into_connection(|m| m.id, CaseNote))
}

/// Fetch one note the caller may read (audited).
pub async fn fetch_note(ctx: &Context<'_>, id: i64) -> Result<Option<CaseNote>> {
    let p = principal(ctx)?;
    match service::read_note(&state(ctx)?.db, p, id).await {
        Ok((row, _)) => Ok(Some(CaseNote(row))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
