//! Conflicts of pushed changes: listed, until settled, for the user whose change it was
//! and for the probation officers who supervise the case in full; settled by keeping
//! the server's value, taking the phone's, or giving another. Nothing expires.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::{Map, Value as Json, json};

use super::dispatch::apply_values;
use crate::access::{CaseAccess, cases_with_access, of_cases};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::service::get_for;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::module::Registry;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::sync::entity::{SyncResolution, conflict};
use crate::sync::kind::RecordKind;

/// The conflicts the caller answers for: their own, and those on the cases they
/// supervise in full (the lead probation officer).
fn visible(p: &Principal) -> Condition {
    Condition::any()
        .add(conflict::Column::UserId.eq(p.user_id))
        .add(of_cases(
            conflict::Column::CaseId,
            cases_with_access(p, CaseAccess::Full),
        ))
}

/// Conflicts the caller answers for, newest first.
pub async fn list_conflicts(
    db: &DatabaseConnection,
    p: &Principal,
    unresolved_only: bool,
    page: Page,
) -> ApiResult<Paged<conflict::Model>> {
    let mut q = conflict::Entity::find().filter(visible(p));
    if unresolved_only {
        q = q.filter(conflict::Column::ResolvedAt.is_null());
    }
    paginate(db, q, conflict::Column::Id, page, Order::Descending).await
}

/// One conflict the caller answers for (`node(id)`); none for anyone else.
pub async fn get_conflict(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
) -> ApiResult<Option<conflict::Model>> {
    Ok(conflict::Entity::find_by_id(id)
        .filter(visible(p))
        .one(db)
        .await?)
}

/// Settle a conflict. The chosen value is applied as a change of the one settling
/// (checked, audited, with its event, as any change of theirs).
pub async fn resolve(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    id: i64,
    choice: SyncResolution,
    value: Option<Json>,
) -> ApiResult<conflict::Model> {
    let txn = write_txn(db).await?;
    let row = conflict::Entity::find_by_id(id)
        .filter(visible(p))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("SyncConflict"))?;
    if row.user_id != p.user_id {
        // Only an officer in full charge of the case settles another's conflict.
        get_for(&txn, p, row.case_id, CaseAccess::Full)
            .await
            .map_err(|_| ApiError::NotFound("SyncConflict"))?;
    }
    if row.resolved_at.is_some() {
        return Err(ApiError::Conflict("the conflict is already settled".into()));
    }
    let chosen = match (choice, value) {
        (SyncResolution::KeepServer, None) => None,
        (SyncResolution::TakePhone, None) => Some(row.phone_value.clone().unwrap_or(Json::Null)),
        (SyncResolution::Value, Some(v)) => Some(v),
        (SyncResolution::Value, None) => {
            return Err(ApiError::bad_input("value", "give the value that stands"));
        }
        (_, Some(_)) => {
            return Err(ApiError::bad_input(
                "value",
                "a value goes only with the VALUE choice",
            ));
        }
    };
    if let Some(v) = &chosen {
        let mut fields = Map::new();
        fields.insert(row.field.clone(), v.clone());
        let kind = RecordKind::from_stored(&row.kind);
        apply_values(&txn, registry, p, &kind, row.record_id, &fields).await?;
    }
    let mut active: conflict::ActiveModel = row.into();
    active.resolved_at = Set(Some(now()));
    active.resolved_by = Set(Some(p.user_id));
    active.resolution = Set(Some(choice));
    active.resolved_value = Set(chosen);
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("sync_conflict.resolve")
            .target("SyncConflict", row.id)
            .case(row.case_id)
            .detail(json!({"resolution": enum_name(choice), "field": row.field})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
