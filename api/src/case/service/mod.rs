//! Cases: opening, changing, the status lifecycle, reading with the caller's access.
//!
//! Reading and listing are here; opening a case is `open.rs`, changing its facts, team
//! and status `change.rs`, its conditions `condition.rs`.

mod change;
mod condition;
mod open;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use change::{CasePatch, transition, update};
pub use condition::{add_condition, end_condition};
pub use open::{NewCase, Sentence, create};

use super::entity::{CaseKind, CaseStatus, RiskLevel, case};
use crate::access::{CaseAccess, require_case_access, visible_cases};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Order, Page, Paged, paginate};

/// Load a case the caller may see, with their access level, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<(case::Model, CaseAccess)> {
    let row = case::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    let level = require_case_access(p, &row, CaseAccess::Community)?;
    Ok((row, level))
}

/// Load a case for a change that needs `needed` access.
pub async fn get_for<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    needed: CaseAccess,
) -> ApiResult<(case::Model, CaseAccess)> {
    let row = case::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    let level = require_case_access(p, &row, needed)?;
    Ok((row, level))
}

/// Read a case's full record: audited.
pub async fn read(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<(case::Model, CaseAccess)> {
    let (row, level) = get(db, p, id).await?;
    audit::record(db, p, Entry::new("case.read").target("Case", row.id).case(row.id)).await?;
    Ok((row, level))
}

/// Filters of the case list.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    pub mahalla_ids: Vec<i64>,
    pub district_id: Option<i64>,
    pub region_id: Option<i64>,
    pub statuses: Vec<CaseStatus>,
    pub kinds: Vec<CaseKind>,
    pub risk_levels: Vec<RiskLevel>,
    pub officer_id: Option<i64>,
    pub inspector_id: Option<i64>,
    pub person_id: Option<i64>,
    pub sentence_start_from: Option<NaiveDate>,
    pub sentence_start_to: Option<NaiveDate>,
    pub sentence_end_from: Option<NaiveDate>,
    pub sentence_end_to: Option<NaiveDate>,
}

/// Cases the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: CaseFilter,
    page: Page,
) -> ApiResult<Paged<case::Model>> {
    paginate(
        db,
        case::Entity::find().filter(condition(p, f)),
        case::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

/// The cases the caller may see that match `f` (a nested list's filter, say).
pub fn condition(p: &Principal, f: CaseFilter) -> Condition {
    let mut cond = Condition::all().add(visible_cases(p));
    if !f.mahalla_ids.is_empty() {
        cond = cond.add(case::Column::MahallaId.is_in(f.mahalla_ids));
    }
    if let Some(id) = f.district_id {
        cond = cond.add(case::Column::DistrictId.eq(id));
    }
    if let Some(id) = f.region_id {
        cond = cond.add(case::Column::RegionId.eq(id));
    }
    if !f.statuses.is_empty() {
        cond = cond.add(case::Column::Status.is_in(f.statuses));
    }
    if !f.kinds.is_empty() {
        cond = cond.add(case::Column::Kind.is_in(f.kinds));
    }
    if !f.risk_levels.is_empty() {
        cond = cond.add(case::Column::RiskLevel.is_in(f.risk_levels));
    }
    if let Some(id) = f.officer_id {
        cond = cond.add(case::Column::OfficerId.eq(id));
    }
    if let Some(id) = f.inspector_id {
        cond = cond.add(case::Column::InspectorId.eq(id));
    }
    if let Some(id) = f.person_id {
        cond = cond.add(case::Column::PersonId.eq(id));
    }
    if let Some(d) = f.sentence_start_from {
        cond = cond.add(case::Column::SentenceStart.gte(d));
    }
    if let Some(d) = f.sentence_start_to {
        cond = cond.add(case::Column::SentenceStart.lte(d));
    }
    if let Some(d) = f.sentence_end_from {
        cond = cond.add(case::Column::SentenceEnd.gte(d));
    }
    if let Some(d) = f.sentence_end_to {
        cond = cond.add(case::Column::SentenceEnd.lte(d));
    }
    cond
}
