//! Which support records a caller sees, and each as the API shows it: with its plan
//! and practitioner.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::plans::plans_of;
use super::practitioners::{PractitionerView, views_by_id};
use super::with_rows;
use crate::access::visible_supports;
use crate::entity::{plan_goal, plan_item, support};

/// A support record with its plan (sessions by kind, goals) and practitioner.
#[derive(Clone)]
pub struct SupportView {
    pub model: support::Model,
    pub items: Vec<plan_item::Model>,
    pub goals: Vec<plan_goal::Model>,
    pub practitioner: Option<PractitionerView>,
}

/// Support records with their plans and practitioners (four queries in all).
pub async fn views<C: ConnectionTrait>(db: &C, rows: Vec<support::Model>) -> ApiResult<Vec<SupportView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut plans = plans_of(db, &ids).await?;
    let people = views_by_id(db, rows.iter().filter_map(|r| r.practitioner_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|model| {
            let (items, goals) = plans.remove(&model.id).unwrap_or_default();
            let practitioner = model.practitioner_id.and_then(|id| people.get(&id).cloned());
            SupportView {
                model,
                items,
                goals,
                practitioner,
            }
        })
        .collect())
}

/// One support record with its plan and practitioner.
pub async fn view<C: ConnectionTrait>(db: &C, row: support::Model) -> ApiResult<SupportView> {
    views(db, vec![row])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("wrapping a support record", std::io::Error::other("missing")))
}

/// The support record of a referral, if the caller may see it.
pub async fn get(db: &DatabaseConnection, p: &Principal, referral_id: i64) -> ApiResult<Option<SupportView>> {
    let found = support::Entity::find()
        .filter(support::Column::ReferralId.eq(referral_id))
        .filter(visible_supports(p))
        .one(db)
        .await?;
    match found {
        Some(s) => Ok(Some(view(db, s).await?)),
        None => Ok(None),
    }
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
) -> ApiResult<Paged<SupportView>> {
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
    let paged = paginate(
        db,
        support::Entity::find().filter(cond),
        support::Column::Id,
        page,
        Order::Descending,
    )
    .await?;
    let rows = views(db, paged.rows.clone()).await?;
    Ok(with_rows(paged, rows))
}
