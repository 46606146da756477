//! Which enrolments a caller sees, and finding them.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::module::kit::external_id;
use hamkor_api::module::kit::referral::visible_records;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::{EnrolmentStatus, enrolment};

/// The enrolments `p` may see: those of the referrals their organisation works (as
/// provider staff), and those of the cases they supervise.
pub fn visible(p: &Principal) -> Condition {
    visible_records(p, enrolment::Column::OrganisationId, enrolment::Column::CaseId)
}

/// What an enrolment search looks for.
#[derive(Debug, Clone, Default)]
pub struct EnrolmentFilter {
    pub case_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub programme_id: Option<i64>,
    pub intake_id: Option<i64>,
    /// Any status when empty.
    pub statuses: Vec<EnrolmentStatus>,
    /// Only enrolments whose absence alert is open (or closed).
    pub absence_alert_open: Option<bool>,
}

/// Enrolments the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: EnrolmentFilter,
    page: Page,
) -> ApiResult<Paged<enrolment::Model>> {
    let mut q = enrolment::Entity::find().filter(visible(p));
    if let Some(id) = f.case_id {
        q = q.filter(enrolment::Column::CaseId.eq(id));
    }
    if let Some(id) = f.referral_id {
        q = q.filter(enrolment::Column::ReferralId.eq(id));
    }
    if let Some(id) = f.programme_id {
        q = q.filter(enrolment::Column::ProgrammeId.eq(id));
    }
    if let Some(id) = f.intake_id {
        q = q.filter(enrolment::Column::IntakeId.eq(id));
    }
    if !f.statuses.is_empty() {
        q = q.filter(enrolment::Column::Status.is_in(f.statuses));
    }
    if let Some(open) = f.absence_alert_open {
        q = q.filter(enrolment::Column::AbsenceAlertOpen.eq(open));
    }
    paginate(db, q, enrolment::Column::Id, page, Order::Descending).await
}

/// One enrolment the caller may see.
pub async fn get(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<Option<enrolment::Model>> {
    Ok(enrolment::Entity::find_by_id(id)
        .filter(visible(p))
        .one(db)
        .await?)
}

/// The enrolment the caller's organisation keeps under its own reference.
pub async fn by_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    external_id: &str,
) -> ApiResult<Option<enrolment::Model>> {
    external_id::find::<enrolment::Entity>(db, p, visible(p), external_id).await
}

/// Set (or clear) the provider's own reference of an enrolment: its staff. Unique
/// among the provider's enrolments.
pub async fn set_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    external_id: Option<&str>,
) -> ApiResult<enrolment::Model> {
    external_id::set::<enrolment::Entity>(db, p, id, external_id, visible(p)).await
}
