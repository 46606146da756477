//! A case's conditions: added with the case or later, ended on a date (the record
//! stays for history).

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::get_for;
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::conditions::{ConditionSpec, MAX_CONDITIONS_PER_CASE, Requirement};
use crate::case::entity::condition;
use crate::case::geofence::Geofence;
use crate::case::lifecycle;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};

pub(super) async fn insert_condition<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    case_id: i64,
    spec: &ConditionSpec,
) -> ApiResult<condition::Model> {
    let (curfew, area, place, every) = match &spec.requirement {
        Requirement::Curfew(w) => (Some(*w), None, None, None),
        Requirement::StayWithin(a) => (None, *a, None, None),
        Requirement::StayOut { area, place } => (None, *area, place.clone(), None),
        Requirement::Reporting { every_days } => (None, None, None, Some(*every_days)),
        Requirement::Other => (None, None, None, None),
    };
    let area = area.unwrap_or_default();
    Ok(condition::ActiveModel {
        case_id: Set(case_id),
        kind: Set(spec.kind()),
        curfew_start: Set(curfew.map(|w| w.start)),
        curfew_end: Set(curfew.map(|w| w.end)),
        region_id: Set(area.region_id),
        district_id: Set(area.district_id),
        mahalla_id: Set(area.mahalla_id),
        place: Set(place),
        report_every_days: Set(every),
        description: Set(spec.description.clone()),
        valid_from: Set(spec.valid_from),
        valid_until: Set(spec.valid_until),
        geofence: Set(spec.geofence.as_ref().map(Geofence::to_json)),
        created_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Add a condition to a case (probation officer with full access).
pub async fn add_condition(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    spec: ConditionSpec,
) -> ApiResult<condition::Model> {
    let txn = write_txn(db).await?;
    let (c, _) = get_for(&txn, p, case_id, CaseAccess::Full).await?;
    if lifecycle::is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let existing = condition::Entity::find()
        .filter(condition::Column::CaseId.eq(c.id))
        .count(&txn)
        .await?;
    if existing >= MAX_CONDITIONS_PER_CASE {
        return Err(ApiError::Conflict(format!(
            "a case carries at most {MAX_CONDITIONS_PER_CASE} conditions"
        )));
    }
    let row = insert_condition(&txn, p, c.id, &spec).await?;
    audit::record(
        &txn,
        p,
        Entry::new("case_condition.create")
            .target("CaseCondition", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.condition_added", "CaseCondition", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"kind": row.kind.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// End a condition on a date (default today); the record stays for history.
pub async fn end_condition(
    db: &DatabaseConnection,
    p: &Principal,
    condition_id: i64,
    valid_until: Option<NaiveDate>,
) -> ApiResult<condition::Model> {
    let txn = write_txn(db).await?;
    let current = condition::Entity::find_by_id(condition_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("CaseCondition"))?;
    let (c, _) = get_for(&txn, p, current.case_id, CaseAccess::Full)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("CaseCondition"),
            other => other,
        })?;
    let until = valid_until.unwrap_or_else(|| now().date_naive());
    if let Some(from) = current.valid_from {
        crate::validate::date_range("validUntil", from, until)?;
    }
    let mut row: condition::ActiveModel = current.into();
    row.valid_until = Set(Some(until));
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("case_condition.end")
            .target("CaseCondition", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.condition_ended", "CaseCondition", row.id)
            .case(c.id)
            .organisation(c.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
