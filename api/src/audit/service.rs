//! Writing and reading the audit log.
//!
//! A change is audited in the same transaction as the change itself. A read of
//! sensitive data is audited before the data is returned: if the audit record cannot
//! be written, the read fails.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::Value as Json;

use super::entity as audit_event;
use crate::auth::principal::{Principal, RequestMeta};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::user::entity::Role;

/// One audit record to write.
#[derive(Debug, Clone)]
pub struct Entry {
    action: &'static str,
    target: Option<(&'static str, i64)>,
    case_id: Option<i64>,
    detail: Option<Json>,
}

impl Entry {
    /// An entry for `action` (e.g. `case.create`, `case_note.read`).
    pub fn new(action: &'static str) -> Self {
        Self {
            action,
            target: None,
            case_id: None,
            detail: None,
        }
    }

    pub fn target(mut self, type_name: &'static str, id: i64) -> Self {
        self.target = Some((type_name, id));
        self
    }

    pub fn case(mut self, case_id: i64) -> Self {
        self.case_id = Some(case_id);
        self
    }

    /// Ids, counts and enumerations only: never personal data.
    pub fn detail(mut self, detail: Json) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// Record an action of `principal`.
pub async fn record<C: ConnectionTrait>(db: &C, principal: &Principal, entry: Entry) -> Result<(), DbErr> {
    write(
        db,
        Some(principal.user_id),
        Some(principal.organisation_id),
        &principal.meta,
        entry,
    )
    .await
}

/// Record an action with no authenticated actor (a failed login, a command-line task).
pub async fn record_anonymous<C: ConnectionTrait>(
    db: &C,
    actor_user_id: Option<i64>,
    meta: &RequestMeta,
    entry: Entry,
) -> Result<(), DbErr> {
    write(db, actor_user_id, None, meta, entry).await
}

/// A change that came from a field device names it in the detail.
fn with_device(detail: Option<Json>, meta: &RequestMeta) -> Option<Json> {
    let Some(device) = &meta.device else {
        return detail;
    };
    let mut detail = detail.unwrap_or_else(|| Json::Object(Default::default()));
    if let Json::Object(map) = &mut detail {
        map.insert("deviceId".into(), Json::String(device.clone()));
    }
    Some(detail)
}

async fn write<C: ConnectionTrait>(
    db: &C,
    user: Option<i64>,
    organisation: Option<i64>,
    meta: &RequestMeta,
    entry: Entry,
) -> Result<(), DbErr> {
    let row = audit_event::ActiveModel {
        at: Set(crate::db::now()),
        actor_user_id: Set(user),
        actor_organisation_id: Set(organisation),
        client: Set(meta.client.clone()),
        request_id: Set((!meta.request_id.is_empty()).then(|| meta.request_id.clone())),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target.map(|(t, _)| t.to_owned())),
        target_id: Set(entry.target.map(|(_, id)| id)),
        case_id: Set(entry.case_id),
        detail: Set(with_device(entry.detail, meta)),
        ..Default::default()
    };
    audit_event::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Filters of the audit log.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor_user_id: Option<i64>,
    pub actor_organisation_id: Option<i64>,
    pub case_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

/// The audit log, newest first: auditors only.
pub async fn list(
    db: &sea_orm::DatabaseConnection,
    principal: &Principal,
    filter: AuditFilter,
    page: Page,
) -> ApiResult<Paged<audit_event::Model>> {
    if !principal.has_role(Role::Auditor) {
        return Err(ApiError::forbidden());
    }
    let mut cond = Condition::all();
    if let Some(id) = filter.actor_user_id {
        cond = cond.add(audit_event::Column::ActorUserId.eq(id));
    }
    if let Some(id) = filter.actor_organisation_id {
        cond = cond.add(audit_event::Column::ActorOrganisationId.eq(id));
    }
    if let Some(id) = filter.case_id {
        cond = cond.add(audit_event::Column::CaseId.eq(id));
    }
    if let Some(action) = filter.action {
        cond = cond.add(audit_event::Column::Action.eq(action));
    }
    if let Some(from) = filter.from {
        cond = cond.add(audit_event::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(audit_event::Column::At.lt(to));
    }
    paginate(
        db,
        audit_event::Entity::find().filter(cond),
        audit_event::Column::Id,
        page,
        Order::Descending,
    )
    .await
}
