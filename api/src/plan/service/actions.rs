//! Actions under a plan's goals, each owned by an organisation that updates its
//! progress.

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::goals::goal_with_case;
use super::{MAX_ACTIONS_PER_GOAL, require_full};
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::organisation;
use crate::plan::entity::{ActionStatus, PlanStatus, action};
use crate::validate;

fn action_transition_allowed(from: ActionStatus, to: ActionStatus) -> bool {
    use ActionStatus::*;
    matches!(
        (from, to),
        (Planned, InProgress) | (Planned | InProgress, Done) | (Planned | InProgress, Cancelled)
    )
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

#[cfg(test)]
mod tests {
    use super::*;

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
