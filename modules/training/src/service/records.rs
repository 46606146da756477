//! A learner's record as the caller may see it: enrolments, attendance, certificates.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::access;
use crate::entity::{TrainingEnrolmentStatus, certificate, enrolment};

/// What an enrolment search looks for.
#[derive(Debug, Clone, Default)]
pub struct EnrolmentFilter {
    pub session_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Any status when empty.
    pub statuses: Vec<TrainingEnrolmentStatus>,
}

/// Enrolments the caller may see, oldest first.
pub async fn enrolments(
    db: &DatabaseConnection,
    p: &Principal,
    f: EnrolmentFilter,
    page: Page,
) -> ApiResult<Paged<enrolment::Model>> {
    let mut q = enrolment::Entity::find().filter(access::enrolments(p));
    if let Some(id) = f.session_id {
        q = q.filter(enrolment::Column::SessionId.eq(id));
    }
    if let Some(id) = f.user_id {
        q = q.filter(enrolment::Column::UserId.eq(id));
    }
    if !f.statuses.is_empty() {
        q = q.filter(enrolment::Column::Status.is_in(f.statuses));
    }
    paginate(db, q, enrolment::Column::Id, page, Order::Ascending).await
}

/// Certificates the caller may see (of one learner when given), newest first.
pub async fn certificates(
    db: &DatabaseConnection,
    p: &Principal,
    user_id: Option<i64>,
    page: Page,
) -> ApiResult<Paged<certificate::Model>> {
    let mut q = certificate::Entity::find().filter(access::certificates(p));
    if let Some(id) = user_id {
        q = q.filter(certificate::Column::UserId.eq(id));
    }
    paginate(db, q, certificate::Column::Id, page, Order::Descending).await
}
