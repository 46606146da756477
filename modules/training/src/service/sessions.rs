//! Sessions of a course: dates, place or link, trainer and capacity.

use chrono::NaiveDate;
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::event_type;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::validate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use crate::access::require_staff_of;
use crate::entity::{course, session};

/// A session to open.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    pub course_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub place: Option<String>,
    pub link: Option<String>,
    pub trainer: String,
    pub capacity: i32,
}

/// Open a session of one of the caller's organisation's courses.
pub async fn open(db: &DatabaseConnection, p: &Principal, spec: SessionSpec) -> ApiResult<session::Model> {
    let trainer = validate::required("input.trainer", &spec.trainer, validate::SHORT_TEXT)?;
    let place = validate::optional("input.place", spec.place.as_deref(), validate::SHORT_TEXT)?;
    let link = validate::optional("input.link", spec.link.as_deref(), 400)?;
    validate::date_range("input.endsOn", spec.starts_on, spec.ends_on)?;
    if !(1..=1000).contains(&spec.capacity) {
        return Err(ApiError::bad_input("input.capacity", "between 1 and 1000"));
    }
    let txn = write_txn(db).await?;
    let c = course::Entity::find_by_id(spec.course_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.courseId", "no such course"))?;
    require_staff_of(p, c.organisation_id)?;
    if place.is_none() && link.is_none() {
        return Err(ApiError::bad_input("input.place", "give a place or a link"));
    }
    let at = now();
    let row = session::ActiveModel {
        course_id: Set(c.id),
        organisation_id: Set(c.organisation_id),
        starts_on: Set(spec.starts_on),
        ends_on: Set(spec.ends_on),
        place: Set(place),
        link: Set(link),
        trainer: Set(trainer),
        capacity: Set(spec.capacity),
        seats_taken: Set(0),
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
        "training.session.open",
        event_type("training.session_opened"),
        ("TrainingSession", row.id),
        row.organisation_id,
        json!({"sessionId": row.id, "courseId": c.id, "startsOn": row.starts_on, "capacity": row.capacity}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Sessions, soonest first.
pub async fn list(
    db: &DatabaseConnection,
    course_id: Option<i64>,
    page: Page,
) -> ApiResult<Paged<session::Model>> {
    let mut q = session::Entity::find();
    if let Some(c) = course_id {
        q = q.filter(session::Column::CourseId.eq(c));
    }
    paginate(db, q, session::Column::Id, page, Order::Ascending).await
}

/// Take one seat of a session. A single conditional update: of two concurrent
/// enrolments into the last seat, exactly one changes a row. Returns whether it did.
pub async fn take_seat(txn: &DatabaseTransaction, session_id: i64) -> ApiResult<bool> {
    use session::Column as S;
    let done = session::Entity::update_many()
        .col_expr(S::SeatsTaken, Expr::col(S::SeatsTaken).add(1))
        .col_expr(S::UpdatedAt, Expr::value(now()))
        .filter(S::Id.eq(session_id))
        .filter(Expr::col(S::SeatsTaken).lt(Expr::col(S::Capacity)))
        .exec(txn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Give a seat back.
pub async fn release_seat(txn: &DatabaseTransaction, session_id: i64) -> ApiResult<()> {
    use session::Column as S;
    session::Entity::update_many()
        .col_expr(S::SeatsTaken, Expr::col(S::SeatsTaken).sub(1))
        .col_expr(S::UpdatedAt, Expr::value(now()))
        .filter(S::Id.eq(session_id))
        .filter(S::SeatsTaken.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}
