//! Drawing up and working the rehabilitation plan. The lead probation officer writes the
//! plan; an organisation that owns an action updates its progress.
//!
//! The plan itself is here; its goals (and the outcome a referral writes onto one) are
//! `goals.rs`, its actions `actions.rs`.

mod actions;
mod goals;

use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
};
use serde_json::json;

pub use actions::{ActionAuthority, ActionPatch, NewAction, add_action, insert_action, update_action};
pub use goals::{add_goal, record_referral_outcome, update_goal};

use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::case::service::get;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::plan::entity::{PlanStatus, plan};
use crate::validate;

/// Most goals in one plan.
pub const MAX_GOALS_PER_PLAN: u64 = 30;
/// Most actions under one goal.
pub const MAX_ACTIONS_PER_GOAL: u64 = 30;

fn plan_transition_allowed(from: PlanStatus, to: PlanStatus) -> bool {
    matches!(
        (from, to),
        (PlanStatus::Draft, PlanStatus::Active)
            | (PlanStatus::Draft | PlanStatus::Active, PlanStatus::Closed)
    )
}

pub(super) async fn case_of_plan<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    plan_id: i64,
) -> ApiResult<(plan::Model, case::Model, CaseAccess)> {
    let row = plan::Entity::find_by_id(plan_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("RehabilitationPlan"))?;
    let (c, level) = get(db, p, row.case_id).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("RehabilitationPlan"),
        other => other,
    })?;
    Ok((row, c, level))
}

pub(super) fn require_full(level: CaseAccess) -> ApiResult<()> {
    if level < CaseAccess::Full {
        return Err(ApiError::Forbidden(
            "only the lead probation officer edits the plan".into(),
        ));
    }
    Ok(())
}

/// Draw up the plan of a case (one per case).
pub async fn create_plan(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    summary: Option<&str>,
) -> ApiResult<plan::Model> {
    let summary = validate::optional("summary", summary, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let (c, level) = get(&txn, p, case_id).await?;
    require_full(level)?;
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let at = now();
    let row = plan::ActiveModel {
        case_id: Set(c.id),
        status: Set(PlanStatus::Draft),
        summary: Set(summary),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        activated_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "the case already has a rehabilitation plan"))?;
    audit::record(
        &txn,
        p,
        Entry::new("plan.create")
            .target("RehabilitationPlan", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("plan.created", "RehabilitationPlan", row.id)
            .case(c.id)
            .organisation(c.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Change the plan's status (DRAFT → ACTIVE → CLOSED) or summary.
pub async fn update_plan(
    db: &DatabaseConnection,
    p: &Principal,
    plan_id: i64,
    status: Option<PlanStatus>,
    summary: Option<Option<String>>,
) -> ApiResult<plan::Model> {
    let summary = match summary {
        Some(s) => Some(validate::optional("summary", s.as_deref(), validate::LONG_TEXT)?),
        None => None,
    };
    let txn = write_txn(db).await?;
    let (current, c, level) = case_of_plan(&txn, p, plan_id).await?;
    require_full(level)?;
    let from = current.status;
    let mut row: plan::ActiveModel = current.into();
    if let Some(to) = status.filter(|to| *to != from) {
        if !plan_transition_allowed(from, to) {
            return Err(ApiError::InvalidTransition {
                from: from.to_value(),
                to: to.to_value(),
            });
        }
        row.status = Set(to);
        if to == PlanStatus::Active {
            row.activated_at = Set(Some(now()));
        }
    }
    if let Some(s) = summary {
        row.summary = Set(s);
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("plan.update")
            .target("RehabilitationPlan", row.id)
            .case(c.id)
            .detail(json!({"status": row.status.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("plan.updated", "RehabilitationPlan", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"status": row.status.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_goes_from_draft_to_active_to_closed_only() {
        assert!(plan_transition_allowed(PlanStatus::Draft, PlanStatus::Active));
        assert!(plan_transition_allowed(PlanStatus::Active, PlanStatus::Closed));
        assert!(!plan_transition_allowed(PlanStatus::Active, PlanStatus::Draft));
        assert!(!plan_transition_allowed(PlanStatus::Closed, PlanStatus::Active));
    }
}
