//! Which applications a caller sees, and finding them.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::module::kit::external_id;
use hamkor_api::module::kit::referral::visible_records;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::{ApplicationStatus, application};

/// The applications `p` may see: those of their organisation (as partner staff working
/// the referrals), and those of the cases they supervise.
pub fn visible(p: &Principal) -> Condition {
    visible_records(
        p,
        application::Column::OrganisationId,
        application::Column::CaseId,
    )
}

/// What an application search looks for.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub case_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub vacancy_id: Option<i64>,
    /// Any status when empty.
    pub statuses: Vec<ApplicationStatus>,
}

/// Applications the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: ApplicationFilter,
    page: Page,
) -> ApiResult<Paged<application::Model>> {
    let mut q = application::Entity::find().filter(visible(p));
    if let Some(id) = f.case_id {
        q = q.filter(application::Column::CaseId.eq(id));
    }
    if let Some(id) = f.referral_id {
        q = q.filter(application::Column::ReferralId.eq(id));
    }
    if let Some(id) = f.vacancy_id {
        q = q.filter(application::Column::VacancyId.eq(id));
    }
    if !f.statuses.is_empty() {
        q = q.filter(application::Column::Status.is_in(f.statuses));
    }
    paginate(db, q, application::Column::Id, page, Order::Descending).await
}

/// One application the caller may see.
pub async fn get(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<Option<application::Model>> {
    Ok(application::Entity::find_by_id(id)
        .filter(visible(p))
        .one(db)
        .await?)
}

/// The application the caller's organisation works under its own reference.
pub async fn by_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    external_id: &str,
) -> ApiResult<Option<application::Model>> {
    external_id::find::<application::Entity>(db, p, visible(p), external_id).await
}

/// Set (or clear) the reference under which the organisation working an application
/// keeps it: its staff. Unique among the organisation's applications.
pub async fn set_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    external_id: Option<&str>,
) -> ApiResult<application::Model> {
    external_id::set::<application::Entity>(db, p, id, external_id, visible(p)).await
}
