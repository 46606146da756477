//! The provider's work on one referral: accepting it with a practitioner, the support
//! plan and the shared summary (its end is in `closing`).

use std::collections::{BTreeSet, HashMap};

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::pagination::{Order, Page, Paged, paginate};
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
use crate::entity::{SessionKind, plan_goal, plan_item, support};
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
