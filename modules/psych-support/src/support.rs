//! The provider's work on one referral: accepting it with a practitioner, the support
//! plan, the shared summary and the end of support.

use std::collections::{BTreeSet, HashMap};

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::plan::entity::GoalStatus;
use hamkor_api::plan::service::record_referral_outcome;
use hamkor_api::referral::entity::{ReferralStatus, referral};
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::{get_of_module_for_change, step_in};
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::access::{Audience, is_member_of, record_change, support_of, visible_supports, work_in_progress};
use crate::entity::{SessionKind, SupportGoalOutcome, plan_goal, plan_item, support};
use crate::{ID, practitioners};

/// Most goals in a support plan.
pub const MAX_GOALS: usize = 10;
/// Most sessions of one kind in a support plan.
pub const MAX_SESSIONS_PER_KIND: i32 = 52;

/// Accept a referral and assign its practitioner, in one step.
pub async fn accept(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    practitioner_id: i64,
    note: Option<&str>,
) -> ApiResult<support::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let r = get_of_module_for_change(&txn, p, referral_id, ID).await?;
    if !is_member_of(p, r.to_organisation_id) {
        return Err(ApiError::Forbidden(
            "only the organisation the referral is addressed to may do this".into(),
        ));
    }
    let pr = practitioners::active_of(
        &txn,
        practitioner_id,
        r.to_organisation_id,
        "input.practitionerId",
    )
    .await?;
    let r = step_in(&txn, p, r.id, Step::Accept, note).await?;
    let s = assign_in(&txn, p, &r, pr.id).await?;
    txn.commit().await?;
    Ok(s)
}

/// Assign (or change) the practitioner of a referral the provider has accepted.
pub async fn assign(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    practitioner_id: i64,
) -> ApiResult<support::Model> {
    let txn = write_txn(db).await?;
    let r = get_of_module_for_change(&txn, p, referral_id, ID).await?;
    if !is_member_of(p, r.to_organisation_id) {
        return Err(ApiError::Forbidden(
            "only the organisation the referral is addressed to may do this".into(),
        ));
    }
    if !matches!(r.status, ReferralStatus::Accepted | ReferralStatus::InProgress) {
        return Err(ApiError::Conflict("the referral is not under way".into()));
    }
    let pr = practitioners::active_of(
        &txn,
        practitioner_id,
        r.to_organisation_id,
        "input.practitionerId",
    )
    .await?;
    let s = assign_in(&txn, p, &r, pr.id).await?;
    txn.commit().await?;
    Ok(s)
}

async fn assign_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    r: &referral::Model,
    practitioner_id: i64,
) -> ApiResult<support::Model> {
    let at = now();
    let s = match support_of(txn, r.id).await? {
        Some(s) => {
            let mut row: support::ActiveModel = s.into();
            row.practitioner_id = Set(Some(practitioner_id));
            row.updated_at = Set(at);
            row.update(txn).await?
        }
        None => {
            support::ActiveModel {
                referral_id: Set(r.id),
                case_id: Set(r.case_id),
                person_id: Set(r.person_id),
                organisation_id: Set(r.to_organisation_id),
                practitioner_id: Set(Some(practitioner_id)),
                plan_review_suggested: Set(false),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    record_change(
        txn,
        p,
        &s,
        ("psych_support.assign", "psych_support.practitioner_assigned"),
        ("Practitioner", practitioner_id),
        Audience::ProviderAndCase,
        json!({"practitionerId": practitioner_id}),
    )
    .await?;
    Ok(s)
}

/// Sessions of one kind in a plan.
#[derive(Debug, Clone, Copy)]
pub struct PlannedSessions {
    pub kind: SessionKind,
    pub count: i32,
}

/// Draw up (or redraw) the support plan; the first plan starts the work on the referral.
pub async fn set_plan(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    sessions: Vec<PlannedSessions>,
    goals: Vec<String>,
) -> ApiResult<support::Model> {
    if sessions.is_empty() {
        return Err(ApiError::bad_input(
            "input.sessions",
            "plan at least one kind of session",
        ));
    }
    let mut kinds = BTreeSet::new();
    for (i, s) in sessions.iter().enumerate() {
        if !kinds.insert(format!("{:?}", s.kind)) {
            return Err(ApiError::bad_input(
                format!("input.sessions[{i}].kind"),
                "each kind of session once",
            ));
        }
        if !(1..=MAX_SESSIONS_PER_KIND).contains(&s.count) {
            return Err(ApiError::bad_input(
                format!("input.sessions[{i}].count"),
                format!("between 1 and {MAX_SESSIONS_PER_KIND}"),
            ));
        }
    }
    if goals.is_empty() || goals.len() > MAX_GOALS {
        return Err(ApiError::bad_input(
            "input.goals",
            format!("between 1 and {MAX_GOALS} goals"),
        ));
    }
    let goals = goals
        .iter()
        .enumerate()
        .map(|(i, g)| validate::required(&format!("input.goals[{i}]"), g, 1000))
        .collect::<ApiResult<Vec<_>>>()?;

    let txn = write_txn(db).await?;
    let (r, s) = work_in_progress(&txn, p, referral_id).await?;
    plan_item::Entity::delete_many()
        .filter(plan_item::Column::SupportId.eq(s.id))
        .exec(&txn)
        .await?;
    plan_goal::Entity::delete_many()
        .filter(plan_goal::Column::SupportId.eq(s.id))
        .exec(&txn)
        .await?;
    plan_item::Entity::insert_many(sessions.iter().map(|x| plan_item::ActiveModel {
        support_id: Set(s.id),
        kind: Set(x.kind),
        sessions: Set(x.count),
        ..Default::default()
    }))
    .exec_without_returning(&txn)
    .await?;
    plan_goal::Entity::insert_many(goals.into_iter().map(|description| plan_goal::ActiveModel {
        support_id: Set(s.id),
        description: Set(description),
        ..Default::default()
    }))
    .exec_without_returning(&txn)
    .await?;
    if r.status == ReferralStatus::Accepted {
        step_in(&txn, p, r.id, Step::Start, Some("support plan agreed".into())).await?;
    }
    let mut row: support::ActiveModel = s.into();
    row.plan_review_suggested = Set(false);
    row.updated_at = Set(now());
    let s = row.update(&txn).await?;
    let total: i32 = sessions.iter().map(|x| x.count).sum();
    record_change(
        &txn,
        p,
        &s,
        ("psych_support.plan.set", "psych_support.plan_set"),
        ("PsychSupport", s.id),
        Audience::ProviderAndCase,
        json!({"sessions": total}),
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

/// Share a summary of the work with the agencies supervising the case.
pub async fn share_summary(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    summary: &str,
) -> ApiResult<support::Model> {
    let summary = validate::required("input.summary", summary, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let (_, s) = work_in_progress(&txn, p, referral_id).await?;
    let at = now();
    let mut row: support::ActiveModel = s.into();
    row.shared_summary = Set(Some(summary));
    row.shared_summary_at = Set(Some(at));
    row.updated_at = Set(at);
    let s = row.update(&txn).await?;
    record_change(
        &txn,
        p,
        &s,
        ("psych_support.summary.share", "psych_support.summary_shared"),
        ("PsychSupport", s.id),
        Audience::ProviderAndCase,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

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
) -> ApiResult<support::Model> {
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
    let result = format!(
        "Psychological support ended: {achieved} of {} goals achieved, {partly} partly. {summary}",
        list.len()
    );
    let goal = record_referral_outcome(&txn, p, &r, status, &result).await?;
    record_change(
        &txn,
        p,
        &s,
        ("psych_support.close", "psych_support.support_closed"),
        ("PsychSupport", s.id),
        Audience::ProviderAndCase,
        json!({
            "goals": list.len(), "achieved": achieved, "partly": partly,
            "planGoalId": goal.map(|g| g.id),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

/// The support record of a referral, if the caller may see it.
pub async fn get(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
) -> ApiResult<Option<support::Model>> {
    Ok(support::Entity::find()
        .filter(support::Column::ReferralId.eq(referral_id))
        .filter(visible_supports(p))
        .one(db)
        .await?)
}

/// Filters of the support list.
#[derive(Debug, Clone, Default)]
pub struct SupportFilter {
    pub practitioner_id: Option<i64>,
    pub case_id: Option<i64>,
    pub open: Option<bool>,
}

/// Support records the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: SupportFilter,
    page: Page,
) -> ApiResult<Paged<support::Model>> {
    let mut cond = Condition::all().add(visible_supports(p));
    if let Some(id) = f.practitioner_id {
        cond = cond.add(support::Column::PractitionerId.eq(id));
    }
    if let Some(id) = f.case_id {
        cond = cond.add(support::Column::CaseId.eq(id));
    }
    match f.open {
        Some(true) => cond = cond.add(support::Column::ClosedAt.is_null()),
        Some(false) => cond = cond.add(support::Column::ClosedAt.is_not_null()),
        None => {}
    }
    paginate(
        db,
        support::Entity::find().filter(cond),
        support::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

/// The plans of many support records, in two queries.
pub async fn plans_of<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, (Vec<plan_item::Model>, Vec<plan_goal::Model>)>> {
    let mut out: HashMap<i64, (Vec<plan_item::Model>, Vec<plan_goal::Model>)> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for i in plan_item::Entity::find()
        .filter(plan_item::Column::SupportId.is_in(ids.iter().copied()))
        .order_by_asc(plan_item::Column::Id)
        .all(db)
        .await?
    {
        out.entry(i.support_id).or_default().0.push(i);
    }
    for g in plan_goal::Entity::find()
        .filter(plan_goal::Column::SupportId.is_in(ids.iter().copied()))
        .order_by_asc(plan_goal::Column::Id)
        .all(db)
        .await?
    {
        out.entry(g.support_id).or_default().1.push(g);
    }
    Ok(out)
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
}
