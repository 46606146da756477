//! Requirements: the courses an organisation's roles, or the mahalla seats in its
//! territory, must hold, and how often they are renewed.

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::event_type;
use hamkor_api::mahalla::entity::SubRole;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::user::entity::Role;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::access::admin_of;
use crate::entity::{course, requirement};

/// Who a requirement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The organisation's users with this role.
    Role(Role),
    /// The mahalla members in this seat, in the organisation's territory.
    Seat(SubRole),
}

/// State a requirement of the caller's organisation (its admin).
pub async fn set(
    db: &DatabaseConnection,
    p: &Principal,
    course_id: i64,
    holder: Holder,
    renew_months: Option<i32>,
) -> ApiResult<requirement::Model> {
    if !admin_of(p, p.organisation_id) {
        return Err(ApiError::Forbidden(
            "only an organisation's admin states its training requirements".into(),
        ));
    }
    if renew_months.is_some_and(|m| !(1..=240).contains(&m)) {
        return Err(ApiError::bad_input("input.renewMonths", "between 1 and 240"));
    }
    let txn = write_txn(db).await?;
    course::Entity::find_by_id(course_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.courseId", "no such course"))?;
    let (role, seat) = match holder {
        Holder::Role(r) => (Some(r.to_value()), None),
        Holder::Seat(s) => (None, Some(s.to_value())),
    };
    let at = now();
    let row = requirement::ActiveModel {
        organisation_id: Set(p.organisation_id),
        course_id: Set(course_id),
        role: Set(role),
        seat: Set(seat),
        renew_months: Set(renew_months),
        active: Set(true),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::record(
        &txn,
        Some(p),
        "training.requirement.set",
        event_type("training.requirement_set"),
        ("TrainingRequirement", row.id),
        row.organisation_id,
        json!({"requirementId": row.id, "courseId": course_id, "role": row.role, "seat": row.seat, "renewMonths": renew_months}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The requirements of the caller's organisation (every organisation's for the
/// platform admin), oldest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    page: Page,
) -> ApiResult<Paged<requirement::Model>> {
    let mut q = requirement::Entity::find().filter(requirement::Column::Active.eq(true));
    if !p.is_platform_admin() {
        q = q.filter(requirement::Column::OrganisationId.eq(p.organisation_id));
    }
    paginate(db, q, requirement::Column::Id, page, Order::Ascending).await
}
