//! Goals of a plan, per domain, and the outcome a partner's referral writes onto the
//! goal it serves.

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::{MAX_GOALS_PER_PLAN, case_of_plan, require_full};
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::plan::entity::{ActionStatus, GoalDomain, GoalStatus, PlanStatus, action, goal, plan};
use crate::validate;

/// Add a goal to a plan that is not closed.
pub async fn add_goal(
    db: &DatabaseConnection,
    p: &Principal,
    plan_id: i64,
    domain: GoalDomain,
    description: &str,
    target_date: Option<NaiveDate>,
) -> ApiResult<goal::Model> {
    let description = validate::required("input.description", description, 2_000)?;
    let txn = write_txn(db).await?;
    let (pl, c, level) = case_of_plan(&txn, p, plan_id).await?;
    require_full(level)?;
    if pl.status == PlanStatus::Closed {
        return Err(ApiError::Conflict("the plan is closed".into()));
    }
    let count = goal::Entity::find()
        .filter(goal::Column::PlanId.eq(pl.id))
        .count(&txn)
        .await?;
    if count >= MAX_GOALS_PER_PLAN {
        return Err(ApiError::Conflict(format!(
            "a plan has at most {MAX_GOALS_PER_PLAN} goals"
        )));
    }
    let at = now();
    let row = goal::ActiveModel {
        plan_id: Set(pl.id),
        case_id: Set(c.id),
        domain: Set(domain),
        description: Set(description),
        status: Set(GoalStatus::NotStarted),
        target_date: Set(target_date),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("plan_goal.create")
            .target("PlanGoal", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("plan.goal_added", "PlanGoal", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"domain": domain.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub(super) async fn goal_with_case<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    goal_id: i64,
) -> ApiResult<(goal::Model, plan::Model, case::Model, CaseAccess)> {
    let g = goal::Entity::find_by_id(goal_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("PlanGoal"))?;
    let (pl, c, level) = case_of_plan(db, p, g.plan_id).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("PlanGoal"),
        other => other,
    })?;
    Ok((g, pl, c, level))
}

/// Change a goal's status, description or target date.
pub async fn update_goal(
    db: &DatabaseConnection,
    p: &Principal,
    goal_id: i64,
    status: Option<GoalStatus>,
    description: Option<&str>,
    target_date: Option<Option<NaiveDate>>,
) -> ApiResult<goal::Model> {
    let description = description
        .map(|d| validate::required("input.description", d, 2_000))
        .transpose()?;
    let txn = write_txn(db).await?;
    let (g, pl, c, level) = goal_with_case(&txn, p, goal_id).await?;
    require_full(level)?;
    if pl.status == PlanStatus::Closed {
        return Err(ApiError::Conflict("the plan is closed".into()));
    }
    let mut row: goal::ActiveModel = g.into();
    if let Some(s) = status {
        row.status = Set(s);
    }
    if let Some(d) = description {
        row.description = Set(d);
    }
    if let Some(t) = target_date {
        row.target_date = Set(t);
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("plan_goal.update")
            .target("PlanGoal", row.id)
            .case(c.id)
            .detail(json!({"status": row.status.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("plan.goal_updated", "PlanGoal", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"status": row.status.to_value(), "domain": row.domain.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Write onto the plan goal a referral serves what the partner achieved: the goal's new
/// status, and a DONE action owned by the partner that says what was done (a course
/// completed with its certificate, a support plan closed). Runs inside the module's
/// transaction, so the goal changes if and only if the module's own record commits. The
/// caller has checked that `p` acts for the referral's recipient. `Ok(None)` when the
/// referral names no goal or the plan is already closed (the outcome then stays on the
/// referral and the module's records).
pub async fn record_referral_outcome(
    txn: &DatabaseTransaction,
    p: &Principal,
    referral: &crate::referral::entity::referral::Model,
    status: GoalStatus,
    result: &str,
) -> ApiResult<Option<goal::Model>> {
    let Some(goal_id) = referral.plan_goal_id else {
        return Ok(None);
    };
    let result = validate::required("input.result", result, 2_000)?;
    let Some(g) = goal::Entity::find_by_id(goal_id).one(txn).await? else {
        return Ok(None);
    };
    let open = plan::Entity::find_by_id(g.plan_id)
        .one(txn)
        .await?
        .is_some_and(|pl| pl.status != PlanStatus::Closed);
    if g.case_id != referral.case_id || !open {
        return Ok(None);
    }
    let at = now();
    action::ActiveModel {
        goal_id: Set(g.id),
        case_id: Set(g.case_id),
        description: Set(result),
        owner_organisation_id: Set(referral.to_organisation_id),
        due_date: Set(None),
        status: Set(ActionStatus::Done),
        completed_at: Set(Some(at)),
        completed_by: Set(Some(p.user_id)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut row: goal::ActiveModel = g.into();
    row.status = Set(status);
    row.updated_at = Set(at);
    let row = row.update(txn).await?;
    audit::record(
        txn,
        p,
        Entry::new("plan_goal.referral_outcome")
            .target("PlanGoal", row.id)
            .case(row.case_id)
            .detail(json!({"status": row.status.to_value(), "referralId": referral.id})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("plan.goal_updated", "PlanGoal", row.id)
            .case(row.case_id)
            .organisation(referral.from_organisation_id)
            .payload(json!({
                "status": row.status.to_value(),
                "domain": row.domain.to_value(),
                "referralId": referral.id,
            })),
    )
    .await?;
    Ok(Some(row))
}
