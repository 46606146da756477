//! The support plan: sessions planned by kind, and the goals of the support.

use std::collections::{BTreeSet, HashMap};

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service as events;
use hamkor_api::referral::entity::ReferralStatus;
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::step_in;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use super::record::{Audience, record_change};
use super::support::work_in_progress;
use super::support_search::{SupportView, view};
use crate::entity::{SessionKind, plan_goal, plan_item, support};

/// Most goals in a support plan.
pub const MAX_GOALS: usize = 10;
/// Most sessions of one kind in a support plan.
pub const MAX_SESSIONS_PER_KIND: i32 = 52;

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
) -> ApiResult<SupportView> {
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
        (
            "psych_support.plan.set",
            events::event_type("psych_support.plan_set"),
        ),
        ("PsychSupport", s.id),
        Audience::ProviderAndCase,
        json!({"sessions": total}),
    )
    .await?;
    txn.commit().await?;
    view(db, s).await
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
