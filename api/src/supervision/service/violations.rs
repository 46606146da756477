//! Violations of a sentence's conditions, and the lead probation service's response.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait,
};
use serde_json::json;

use super::not_in_future;
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::CaseStatus;
use crate::case::service::{get, get_for};
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::supervision::entity::{ViolationKind, ViolationResponse, ViolationSeverity, violation};
use crate::validate;

/// A violation as reported.
pub struct NewViolation {
    pub kind: ViolationKind,
    pub severity: ViolationSeverity,
    pub occurred_at: DateTime<Utc>,
    pub description: String,
}

/// Record a violation (officer or inspector of the case, on an active or suspended case).
pub async fn record_violation(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    v: NewViolation,
) -> ApiResult<violation::Model> {
    let txn = write_txn(db).await?;
    let row = record_violation_in(&txn, p, case_id, v).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`record_violation`] inside the caller's transaction, for a change that records a
/// violation as one of its steps (an officer confirming a monitoring incident).
pub async fn record_violation_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    case_id: i64,
    v: NewViolation,
) -> ApiResult<violation::Model> {
    not_in_future("input.occurredAt", v.occurred_at)?;
    let description = validate::required("input.description", &v.description, 5_000)?;
    let (c, _) = get_for(txn, p, case_id, CaseAccess::Supervise).await?;
    if !matches!(c.status, CaseStatus::Active | CaseStatus::Suspended) {
        return Err(ApiError::Conflict(
            "violations are recorded on active or suspended cases".into(),
        ));
    }
    if v.occurred_at.date_naive() < c.sentence_start {
        return Err(ApiError::bad_input(
            "input.occurredAt",
            "is before the sentence started",
        ));
    }
    let row = violation::ActiveModel {
        case_id: Set(c.id),
        kind: Set(v.kind),
        severity: Set(v.severity),
        occurred_at: Set(v.occurred_at),
        description: Set(description),
        response: Set(None),
        response_note: Set(None),
        responded_at: Set(None),
        responded_by: Set(None),
        recorded_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("violation.record")
            .target("Violation", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("violation.recorded", "Violation", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"kind": v.kind.to_value(), "severity": v.severity.to_value(), "occurredAt": v.occurred_at})),
    )
    .await?;
    Ok(row)
}

/// Decide (or revise) the response to a violation: the lead probation service only.
pub async fn respond_to_violation(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    response: ViolationResponse,
    note: Option<&str>,
) -> ApiResult<violation::Model> {
    let note = validate::optional("note", note, 2_000)?;
    let txn = write_txn(db).await?;
    let current = violation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Violation"))?;
    let (c, level) = get(&txn, p, current.case_id).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("Violation"),
        other => other,
    })?;
    if level < CaseAccess::Full {
        return Err(ApiError::Forbidden(
            "only the lead probation service responds to violations".into(),
        ));
    }
    let previous = current.response;
    let mut row: violation::ActiveModel = current.into();
    row.response = Set(Some(response));
    row.response_note = Set(note);
    row.responded_at = Set(Some(now()));
    row.responded_by = Set(Some(p.user_id));
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("violation.respond")
            .target("Violation", row.id)
            .case(c.id)
            .detail(json!({"response": response.to_value(), "previous": previous.map(|r| r.to_value())})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("violation.responded", "Violation", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"response": response.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
