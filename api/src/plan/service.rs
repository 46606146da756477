//! Drawing up and working the rehabilitation plan. The lead probation officer writes the
//! plan; an organisation that owns an action updates its progress.

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::entity::{ActionStatus, GoalDomain, GoalStatus, PlanStatus, action, goal, plan};
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::case::service::get;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::organisation;
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

fn action_transition_allowed(from: ActionStatus, to: ActionStatus) -> bool {
    use ActionStatus::*;
    matches!(
        (from, to),
        (Planned, InProgress) | (Planned | InProgress, Done) | (Planned | InProgress, Cancelled)
    )
}

async fn case_of_plan<C: ConnectionTrait>(
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

fn require_full(level: CaseAccess) -> ApiResult<()> {
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

async fn goal_with_case<C: ConnectionTrait>(
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

/// Add an action under a goal, owned by an (active) organisation.
pub async fn add_action(
    db: &DatabaseConnection,
    p: &Principal,
    goal_id: i64,
    description: &str,
    owner_organisation_id: i64,
    due_date: Option<NaiveDate>,
) -> ApiResult<action::Model> {
    let txn = write_txn(db).await?;
    let new = NewAction {
        goal_id,
        description: description.to_owned(),
        owner_organisation_id,
        due_date,
    };
    let row = insert_action(&txn, p, new, ActionAuthority::CaseAccess, "input").await?;
    txn.commit().await?;
    Ok(row)
}

/// An action to add under a goal.
pub struct NewAction {
    pub goal_id: i64,
    pub description: String,
    pub owner_organisation_id: i64,
    pub due_date: Option<NaiveDate>,
}

/// On what authority an action is added to a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionAuthority {
    /// The caller's own access to the case (the lead officer writes the plan).
    CaseAccess,
    /// A joint case conference the case's lead officer attended decided it; the caller
    /// recording the decision needs only to supervise the case.
    ConferenceWithLeadOfficer,
}

/// Add an action inside the caller's transaction. `field` prefixes the names of
/// offending input fields.
pub async fn insert_action(
    txn: &DatabaseTransaction,
    p: &Principal,
    new: NewAction,
    authority: ActionAuthority,
    field: &str,
) -> ApiResult<action::Model> {
    let description = validate::required(&format!("{field}.description"), &new.description, 2_000)?;
    let (g, pl, c, level) = goal_with_case(txn, p, new.goal_id).await?;
    match authority {
        ActionAuthority::CaseAccess => require_full(level)?,
        ActionAuthority::ConferenceWithLeadOfficer if level < CaseAccess::Supervise => {
            return Err(ApiError::forbidden());
        }
        ActionAuthority::ConferenceWithLeadOfficer => {}
    }
    if pl.status == PlanStatus::Closed {
        return Err(ApiError::Conflict("the plan is closed".into()));
    }
    let owner_organisation_id = new.owner_organisation_id;
    let owner = organisation::Entity::find_by_id(owner_organisation_id)
        .one(txn)
        .await?;
    if !owner.is_some_and(|o| o.active) {
        return Err(ApiError::bad_input(
            format!("{field}.ownerOrganisationId"),
            "no such active organisation",
        ));
    }
    let count = action::Entity::find()
        .filter(action::Column::GoalId.eq(g.id))
        .count(txn)
        .await?;
    if count >= MAX_ACTIONS_PER_GOAL {
        return Err(ApiError::Conflict(format!(
            "a goal has at most {MAX_ACTIONS_PER_GOAL} actions"
        )));
    }
    let at = now();
    let due_date = new.due_date;
    let row = action::ActiveModel {
        goal_id: Set(g.id),
        case_id: Set(c.id),
        description: Set(description),
        owner_organisation_id: Set(owner_organisation_id),
        due_date: Set(due_date),
        status: Set(ActionStatus::Planned),
        completed_at: Set(None),
        completed_by: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("plan_action.create")
            .target("PlanAction", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("plan.action_added", "PlanAction", row.id)
            .case(c.id)
            .organisation(owner_organisation_id)
            .payload(json!({"goalId": g.id, "dueDate": due_date})),
    )
    .await?;
    Ok(row)
}

/// Changes to an action.
#[derive(Default)]
pub struct ActionPatch {
    pub status: Option<ActionStatus>,
    pub description: Option<String>,
    pub due_date: Option<Option<NaiveDate>>,
}

/// Update an action: the lead officer may change anything; staff of the owning
/// organisation who may see the case may move its status.
pub async fn update_action(
    db: &DatabaseConnection,
    p: &Principal,
    action_id: i64,
    patch: ActionPatch,
) -> ApiResult<action::Model> {
    let description = patch
        .description
        .as_deref()
        .map(|d| validate::required("input.description", d, 2_000))
        .transpose()?;
    let txn = write_txn(db).await?;
    let current = action::Entity::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("PlanAction"))?;
    let (_, pl, c, level) = goal_with_case(&txn, p, current.goal_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("PlanAction"),
            other => other,
        })?;
    let owner = current.owner_organisation_id == p.organisation_id;
    let edits_details = description.is_some() || patch.due_date.is_some();
    if level < CaseAccess::Full && (!owner || edits_details) {
        return Err(ApiError::Forbidden(
            "only the lead officer edits actions; the owning organisation updates their status".into(),
        ));
    }
    if pl.status == PlanStatus::Closed {
        return Err(ApiError::Conflict("the plan is closed".into()));
    }
    let from = current.status;
    let mut row: action::ActiveModel = current.into();
    if let Some(to) = patch.status.filter(|to| *to != from) {
        if !action_transition_allowed(from, to) {
            return Err(ApiError::InvalidTransition {
                from: from.to_value(),
                to: to.to_value(),
            });
        }
        row.status = Set(to);
        if to == ActionStatus::Done {
            row.completed_at = Set(Some(now()));
            row.completed_by = Set(Some(p.user_id));
        }
    }
    if let Some(d) = description {
        row.description = Set(d);
    }
    if let Some(d) = patch.due_date {
        row.due_date = Set(d);
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("plan_action.update")
            .target("PlanAction", row.id)
            .case(c.id)
            .detail(json!({"status": row.status.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("plan.action_updated", "PlanAction", row.id)
            .case(c.id)
            .organisation(row.owner_organisation_id)
            .payload(json!({"status": row.status.to_value()})),
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

    #[test]
    fn finished_actions_stay_finished() {
        assert!(action_transition_allowed(
            ActionStatus::Planned,
            ActionStatus::Done
        ));
        assert!(!action_transition_allowed(
            ActionStatus::Done,
            ActionStatus::InProgress
        ));
        assert!(!action_transition_allowed(
            ActionStatus::Cancelled,
            ActionStatus::Planned
        ));
    }
}
