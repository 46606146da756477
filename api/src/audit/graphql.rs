//! The audit log, for auditors.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::entity as audit_event;
use super::service::{self, AuditFilter};
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::user::graphql::User;

/// One entry of the append-only audit log: who did or read what, when, through which
/// client. It names records by id and never holds case content.
pub struct AuditEvent(pub audit_event::Model);

#[Object]
impl AuditEvent {
    pub async fn id(&self) -> ID {
        ids::encode("AuditEvent", self.0.id)
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// What happened, e.g. `case.transition`, `case_note.read`, `auth.login_failed`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.actor_user_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn actor_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.actor_organisation_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.organisations, id).await?.map(Organisation))
    }
    /// The client application (or service account) that made the request.
    async fn client(&self) -> Option<&str> {
        self.0.client.as_deref()
    }
    /// The request id, to correlate with server logs.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// Global id of the record acted on.
    async fn target_id(&self) -> Option<ID> {
        match (&self.0.target_type, self.0.target_id) {
            (Some(t), Some(id)) => Some(ids::encode(t, id)),
            _ => None,
        }
    }
    /// Type of the record acted on.
    async fn target_type(&self) -> Option<&str> {
        self.0.target_type.as_deref()
    }
    /// Global id of the case concerned.
    async fn case_id(&self) -> Option<ID> {
        self.0.case_id.map(|id| ids::encode("Case", id))
    }
    /// Ids, counts and enumerations recorded with the action.
    async fn detail(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.detail.clone().map(async_graphql::Json)
    }
}

#[derive(InputObject, Default)]
pub struct AuditEventFilterInput {
    pub actor_id: Option<ID>,
    pub organisation_id: Option<ID>,
    pub case_id: Option<ID>,
    /// Exact action name.
    pub action: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// Fetch one audit entry (auditors only).
pub async fn fetch_audit_event(ctx: &Context<'_>, id: i64) -> Result<Option<AuditEvent>> {
    let p = principal(ctx)?;
    if !p.has_role(crate::user::entity::Role::Auditor) {
        return Ok(None);
    }
    use sea_orm::EntityTrait;
    let row = audit_event::Entity::find_by_id(id)
        .one(&state(ctx)?.db)
        .await
        .map_err(ApiError::from)?;
    Ok(row.map(AuditEvent))
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first (auditors only).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditEventFilterInput>,
    ) -> Result<Conn<AuditEvent>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let action = crate::validate::optional("filter.action", f.action.as_deref(), 64)?;
        let filter = AuditFilter {
            actor_user_id: ids::decode_opt(f.actor_id.as_ref(), "User", "filter.actorId")?,
            actor_organisation_id: ids::decode_opt(
                f.organisation_id.as_ref(),
                "Organisation",
                "filter.organisationId",
            )?,
            case_id: ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")?,
            action,
            from: f.from,
            to: f.to,
        };
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, AuditEvent))
    }
}
