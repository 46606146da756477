//! The end of support: an outcome for every goal of the support plan and a closing
//! summary, which complete the referral and feed the rehabilitation plan in one
//! transaction.

use std::collections::HashMap;

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service as events;
use hamkor_api::plan::entity::GoalStatus;
use hamkor_api::plan::service::record_referral_outcome;
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::step_in;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::record::{Audience, record_change};
use super::support::work_in_progress;
use super::support_search::{SupportView, view};
use crate::entity::{SupportGoalOutcome, plan_goal, support};

/// A goal's outcome at the end of support.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub goal_id: i64,
    pub outcome: SupportGoalOutcome,
    pub note: Option<String>,
}

/// The rehabilitation-plan status that the support plan's outcomes amount to: achieved
/// only when every goal was, not achieved when none was even partly; otherwise the plan
/// goal stays in progress for the officer to decide on.
pub fn overall(outcomes: &[SupportGoalOutcome]) -> GoalStatus {
    if outcomes.iter().all(|o| *o == SupportGoalOutcome::Achieved) {
        GoalStatus::Achieved
    } else if outcomes.iter().all(|o| *o == SupportGoalOutcome::NotAchieved) {
        GoalStatus::NotAchieved
    } else {
        GoalStatus::InProgress
    }
}

/// End support: an outcome for every goal of the plan and a closing summary, which
/// completes the referral and writes the result onto the rehabilitation plan, at once.
pub async fn close(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    summary: &str,
    outcomes: Vec<Outcome>,
) -> ApiResult<SupportView> {
    let summary = validate::required("input.summary", summary, validate::LONG_TEXT)?;
    let outcomes = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let note = validate::optional(&format!("input.outcomes[{i}].note"), o.note.as_deref(), 2000)?;
            Ok(Outcome { note, ..o })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let txn = write_txn(db).await?;
    let (r, s) = work_in_progress(&txn, p, referral_id).await?;
    let goals = plan_goal::Entity::find()
        .filter(plan_goal::Column::SupportId.eq(s.id))
        .all(&txn)
        .await?;
    if goals.is_empty() {
        return Err(ApiError::Conflict("the referral has no support plan yet".into()));
    }
    let mut by_goal: HashMap<i64, &Outcome> = HashMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        if !goals.iter().any(|g| g.id == o.goal_id) {
            return Err(ApiError::bad_input(
                format!("input.outcomes[{i}].goalId"),
                "not a goal of this support plan",
            ));
        }
        if by_goal.insert(o.goal_id, o).is_some() {
            return Err(ApiError::bad_input(
                format!("input.outcomes[{i}].goalId"),
                "one outcome per goal",
            ));
        }
    }
    if by_goal.len() != goals.len() {
        return Err(ApiError::bad_input(
            "input.outcomes",
            "give every goal of the plan an outcome",
        ));
    }
    for g in &goals {
        let o = by_goal[&g.id];
        let mut row: plan_goal::ActiveModel = g.clone().into();
        row.outcome = Set(Some(o.outcome));
        row.outcome_note = Set(o.note.clone());
        row.update(&txn).await?;
    }
    let at = now();
    let mut row: support::ActiveModel = s.into();
    row.closing_summary = Set(Some(summary.clone()));
    row.closed_at = Set(Some(at));
    row.updated_at = Set(at);
    let s = row.update(&txn).await?;
    let r = step_in(&txn, p, r.id, Step::Complete, None).await?;
    let list: Vec<SupportGoalOutcome> = outcomes.iter().map(|o| o.outcome).collect();
    let status = overall(&list);
    let achieved = list
        .iter()
        .filter(|o| **o == SupportGoalOutcome::Achieved)
        .count();
    let partly = list.iter().filter(|o| **o == SupportGoalOutcome::Partly).count();
    let result = result_text(achieved, partly, list.len(), &summary);
    let goal = record_referral_outcome(&txn, p, &r, status, &result).await?;
    record_change(
        &txn,
        p,
        &s,
        (
            "psych_support.close",
            events::event_type("psych_support.support_closed"),
        ),
        ("PsychSupport", s.id),
        Audience::ProviderAndCase,
        json!({
            "goals": list.len(), "achieved": achieved, "partly": partly,
            "planGoalId": goal.map(|g| g.id),
        }),
    )
    .await?;
    txn.commit().await?;
    view(db, s).await
}

/// Longest result the rehabilitation plan keeps on a goal's action.
const MAX_RESULT: usize = 2000;

/// What the plan goal's action says: the count of goals reached, then as much of the
/// closing summary as fits.
fn result_text(achieved: usize, partly: usize, goals: usize, summary: &str) -> String {
    let head =
        format!("Psychological support ended: {achieved} of {goals} goals achieved, {partly} partly. ");
    let room = MAX_RESULT - head.chars().count();
    if summary.chars().count() <= room {
        format!("{head}{summary}")
    } else {
        let cut: String = summary.chars().take(room - 1).collect();
        format!("{head}{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SupportGoalOutcome::*;

    #[test]
    fn the_plan_goal_is_achieved_only_when_every_support_goal_is() {
        assert_eq!(overall(&[Achieved, Achieved]), GoalStatus::Achieved);
        assert_eq!(overall(&[NotAchieved, NotAchieved]), GoalStatus::NotAchieved);
        assert_eq!(overall(&[Achieved, Partly]), GoalStatus::InProgress);
        assert_eq!(overall(&[Achieved, NotAchieved]), GoalStatus::InProgress);
    }

    #[test]
    fn a_long_closing_summary_is_cut_to_what_the_plan_keeps() {
        let text = result_text(1, 1, 2, &"a".repeat(9000));
        assert_eq!(text.chars().count(), MAX_RESULT);
        assert!(text.ends_with('…'));
        assert_eq!(
            result_text(2, 0, 2, "done"),
            "Psychological support ended: 2 of 2 goals achieved, 0 partly. done"
        );
    }
}
