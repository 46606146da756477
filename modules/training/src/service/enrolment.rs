//! Enrolment in a session: by the learner, or by the learner's organisation admin. A
//! free seat is taken by one conditional update (never oversold); a full session
//! waitlists, and a cancelled seat goes to the first on the waiting list.

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::event_type;
use hamkor_api::mahalla::entity::{SubRole, member};
use hamkor_api::user::entity::{Role, user, user_role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::courses::parse_names;
use super::sessions::{release_seat, take_seat};
use crate::access::{admin_of, runs_courses_of};
use crate::entity::{TrainingEnrolmentStatus as S, course, enrolment, enum_name, session};

/// Enrol `learner` (the caller when None) in a session.
pub async fn enrol(
    db: &DatabaseConnection,
    p: &Principal,
    session_id: i64,
    learner: Option<i64>,
) -> ApiResult<enrolment::Model> {
    let learner_id = learner.unwrap_or(p.user_id);
    let txn = write_txn(db).await?;
    let who = user::Entity::find_by_id(learner_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| ApiError::bad_input("input.userId", "no such active user"))?;
    if learner_id != p.user_id && !admin_of(p, who.organisation_id) {
        return Err(ApiError::Forbidden(
            "only the learner or their organisation's admin enrols them".into(),
        ));
    }
    let s = session::Entity::find_by_id(session_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.sessionId", "no such session"))?;
    let c = course::Entity::find_by_id(s.course_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingCourse"))?;
    if !c.active {
        return Err(ApiError::Conflict("the course is closed".into()));
    }
    if s.ends_on < now().date_naive() {
        return Err(ApiError::Conflict("the session has ended".into()));
    }
    if !in_audience(&txn, &c, learner_id).await? {
        return Err(ApiError::Conflict(
            "the course is not for the learner's role or mahalla seat".into(),
        ));
    }
    let status = if take_seat(&txn, s.id).await? {
        S::Enrolled
    } else {
        S::Waitlisted
    };
    let at = now();
    let row = enrolment::ActiveModel {
        session_id: Set(s.id),
        course_id: Set(c.id),
        organisation_id: Set(c.organisation_id),
        user_id: Set(learner_id),
        learner_organisation_id: Set(who.organisation_id),
        status: Set(status),
        score: Set(None),
        enrolled_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "the learner is already enrolled in this session"))?;
    changed(&txn, Some(p), &row, None).await?;
    txn.commit().await?;
    Ok(row)
}

/// Whether the learner holds a role or a live mahalla seat the course is for (any
/// learner when the course names no audience).
async fn in_audience(txn: &DatabaseTransaction, c: &course::Model, user_id: i64) -> ApiResult<bool> {
    let roles: Vec<Role> = parse_names(&c.audience_roles);
    let seats: Vec<SubRole> = parse_names(&c.audience_seats);
    if roles.is_empty() && seats.is_empty() {
        return Ok(true);
    }
    if !roles.is_empty() {
        let held = user_role::Entity::find()
            .filter(user_role::Column::UserId.eq(user_id))
            .filter(user_role::Column::Role.is_in(roles))
            .count(txn)
            .await?;
        if held > 0 {
            return Ok(true);
        }
    }
    if !seats.is_empty() {
        let today = now().date_naive();
        let held = member::Entity::find()
            .filter(member::Column::UserId.eq(user_id))
            .filter(member::Column::SubRole.is_in(seats))
            .filter(
                Condition::any()
                    .add(member::Column::EndsOn.is_null())
                    .add(member::Column::EndsOn.gte(today)),
            )
            .count(txn)
            .await?;
        return Ok(held > 0);
    }
    Ok(false)
}

/// Withdraw an enrolment before its assessment: the learner, their organisation's admin
/// or the course's staff. A freed seat goes to the first on the waiting list.
pub async fn cancel(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<enrolment::Model> {
    let txn = write_txn(db).await?;
    let e = enrolment::Entity::find_by_id(id)
        .filter(crate::access::enrolments(p))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingEnrolment"))?;
    if e.user_id != p.user_id
        && !admin_of(p, e.learner_organisation_id)
        && !runs_courses_of(p, e.organisation_id)
    {
        return Err(ApiError::forbidden());
    }
    if !matches!(e.status, S::Enrolled | S::Waitlisted) {
        return Err(ApiError::InvalidTransition {
            from: enum_name(e.status),
            to: enum_name(S::Cancelled),
        });
    }
    let from = e.status;
    let mut row: enrolment::ActiveModel = e.clone().into();
    row.status = Set(S::Cancelled);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    changed(&txn, Some(p), &row, Some(from)).await?;
    if from == S::Enrolled {
        release_seat(&txn, e.session_id).await?;
        promote(&txn, p, e.session_id).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// Give a free seat to the first on the waiting list, if any.
async fn promote(txn: &DatabaseTransaction, p: &Principal, session_id: i64) -> ApiResult<()> {
    let next = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::Status.eq(S::Waitlisted))
        .order_by_asc(enrolment::Column::Id)
        .one(txn)
        .await?;
    let Some(next) = next else {
        return Ok(());
    };
    if !take_seat(txn, session_id).await? {
        return Ok(());
    }
    let mut row: enrolment::ActiveModel = next.into();
    row.status = Set(S::Enrolled);
    row.updated_at = Set(now());
    let row = row.update(txn).await?;
    changed(txn, Some(p), &row, Some(S::Waitlisted)).await
}

/// Audit an enrolment's change and emit `training.enrolment_changed` to the learner's
/// organisation.
pub(crate) async fn changed(
    txn: &DatabaseTransaction,
    p: Option<&Principal>,
    row: &enrolment::Model,
    from: Option<S>,
) -> ApiResult<()> {
    super::record(
        txn,
        p,
        "training.enrolment.change",
        event_type("training.enrolment_changed"),
        ("TrainingEnrolment", row.id),
        row.learner_organisation_id,
        json!({
            "enrolmentId": row.id,
            "sessionId": row.session_id,
            "userId": row.user_id,
            "from": from.map(enum_name),
            "to": enum_name(row.status),
        }),
    )
    .await
}
