//! Enrolment by the officer: the person's own account (`SUPERVISED_PERSON`), the
//! schedule, the first check-in and a one-time activation code by SMS. Enrolling again
//! revokes the previous enrolment, its devices and its sessions.

use chrono::Duration;
use hamkor_api::access::CaseAccess;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::auth::service::revoke_sessions;
use hamkor_api::case::service::get_for;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::enums::enum_name;
use hamkor_api::person::entity as person;
use hamkor_api::plan::entity::goal;
use hamkor_api::user::entity::{UserKind, user};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::messages;
use crate::entity::{
    CheckInEnrolmentStatus, CheckInLanguage, CheckInStatus, MessagePurpose, activation_code, check_in,
    device, enrolment,
};
use crate::notifier;
use crate::schedule::Schedule;
use crate::templates;

/// Minutes an activation code stays valid.
pub const CODE_MINUTES: i64 = 30;
/// Codes one enrolment may be sent per hour.
pub const CODES_PER_HOUR: u64 = 3;

/// What the officer gives.
#[derive(Debug, Clone)]
pub struct EnrolSpec {
    pub case_id: i64,
    pub phone: String,
    pub language: CheckInLanguage,
    pub schedule: Schedule,
    pub shared_goal_ids: Vec<i64>,
}

/// A phone number: `+` and 9 to 15 digits (spaces and dashes dropped).
pub fn phone(raw: &str) -> ApiResult<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let ok = digits.starts_with('+')
        && (10..=16).contains(&digits.len())
        && digits[1..].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(digits)
    } else {
        Err(ApiError::bad_input(
            "input.phone",
            "an international number: + and 9 to 15 digits",
        ))
    }
}

fn officer(p: &Principal) -> ApiResult<()> {
    if p.has_role(hamkor_api::user::entity::Role::ProbationOfficer) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the case's probation officer enrols".into(),
        ))
    }
}

/// Goals of the case's plan the officer shares (all must belong to the case).
async fn check_goals<C: ConnectionTrait>(db: &C, case_id: i64, ids: &[i64]) -> ApiResult<String> {
    if ids.len() > 20 {
        return Err(ApiError::bad_input("input.sharedGoalIds", "at most 20 goals"));
    }
    let found = goal::Entity::find()
        .filter(goal::Column::CaseId.eq(case_id))
        .filter(goal::Column::Id.is_in(ids.to_vec()))
        .count(db)
        .await?;
    if found as usize != ids.len() {
        return Err(ApiError::bad_input(
            "input.sharedGoalIds",
            "every goal must be of the case's plan",
        ));
    }
    Ok(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Revoke the case's active enrolments: their devices, sessions and future check-ins.
async fn revoke_active(txn: &DatabaseTransaction, case_id: i64) -> ApiResult<Vec<i64>> {
    let active = enrolment::Entity::find()
        .filter(enrolment::Column::CaseId.eq(case_id))
        .filter(enrolment::Column::Status.eq(CheckInEnrolmentStatus::Active))
        .all(txn)
        .await?;
    for e in &active {
        end(txn, e).await?;
    }
    Ok(active.iter().map(|e| e.id).collect())
}

/// End one enrolment: status, account, devices, sessions, scheduled check-ins.
async fn end(txn: &DatabaseTransaction, e: &enrolment::Model) -> ApiResult<()> {
    let at = now();
    enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::Status,
            Expr::value(CheckInEnrolmentStatus::Revoked),
        )
        .col_expr(enrolment::Column::RevokedAt, Expr::value(at))
        .filter(enrolment::Column::Id.eq(e.id))
        .exec(txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(false))
        .col_expr(user::Column::UpdatedAt, Expr::value(at))
        .filter(user::Column::Id.eq(e.user_id))
        .exec(txn)
        .await?;
    device::Entity::update_many()
        .col_expr(device::Column::RevokedAt, Expr::value(at))
        .filter(device::Column::EnrolmentId.eq(e.id))
        .filter(device::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    revoke_sessions(txn, e.user_id, None).await?;
    check_in::Entity::update_many()
        .col_expr(check_in::Column::Status, Expr::value(CheckInStatus::Cancelled))
        .filter(check_in::Column::EnrolmentId.eq(e.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
        .exec(txn)
        .await?;
    Ok(())
}

/// A new activation code for `e`, queued as a message (throttled per hour).
async fn new_code(txn: &DatabaseTransaction, e: &enrolment::Model) -> ApiResult<i64> {
    let at = now();
    let recent = activation_code::Entity::find()
        .filter(activation_code::Column::EnrolmentId.eq(e.id))
        .filter(activation_code::Column::CreatedAt.gt(at - Duration::hours(1)))
        .count(txn)
        .await?;
    if recent >= CODES_PER_HOUR {
        return Err(ApiError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    activation_code::ActiveModel {
        enrolment_id: Set(e.id),
        code_hash: Set(super::code_digest(e.id, &code)),
        expires_at: Set(at + Duration::minutes(CODE_MINUTES)),
        used_at: Set(None),
        failed_attempts: Set(0),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let body = templates::activation(e.language, &code, CODE_MINUTES);
    Ok(messages::queue(txn, e, MessagePurpose::ActivationCode, body)
        .await?
        .id)
}

/// Enrol the person of a case: their account, the schedule, the first check-in and an
/// activation code sent to the phone. The officer of the case only.
pub async fn enrol(db: &DatabaseConnection, p: &Principal, spec: EnrolSpec) -> ApiResult<enrolment::Model> {
    officer(p)?;
    let phone = phone(&spec.phone)?;
    let txn = write_txn(db).await?;
    let (case, _) = get_for(&txn, p, spec.case_id, CaseAccess::Full).await?;
    let shared = check_goals(&txn, case.id, &spec.shared_goal_ids).await?;
    let person = person::Entity::find_by_id(case.person_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Person"))?;
    let replaced = revoke_active(&txn, case.id).await?;
    let at = now();
    let account = user::ActiveModel {
        organisation_id: Set(case.organisation_id),
        username: Set(format!("rci-{}", uuid::Uuid::new_v4().simple())),
        display_name: Set(person.full_name()),
        kind: Set(UserKind::SupervisedPerson),
        password_hash: Set(None),
        client_id: Set(None),
        client_secret_hash: Set(None),
        previous_secret_hash: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let e = enrolment::ActiveModel {
        organisation_id: Set(case.organisation_id),
        case_id: Set(case.id),
        person_id: Set(person.id),
        user_id: Set(account.id),
        phone: Set(phone),
        language: Set(spec.language),
        every_days: Set(match spec.schedule.every {
            crate::schedule::Every::Days(d) => Some(d),
            crate::schedule::Every::Weekday(_) => None,
        }),
        weekday: Set(match spec.schedule.every {
            crate::schedule::Every::Weekday(w) => Some(w),
            crate::schedule::Every::Days(_) => None,
        }),
        window_hours: Set(spec.schedule.window_hours),
        first_due_at: Set(spec.schedule.first()),
        shared_goal_ids: Set(shared),
        status: Set(CheckInEnrolmentStatus::Active),
        enrolled_by: Set(p.user_id),
        created_at: Set(at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::check_ins::schedule_after(&txn, &e, None).await?;
    let message = new_code(&txn, &e).await?;
    audit::record(
        &txn,
        p,
        Entry::new("remote_check_in.enrol")
            .target("RemoteCheckInEnrolment", e.id)
            .case(case.id)
            .detail(json!({"language": enum_name(e.language), "replaced": replaced})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("remote_check_in.enrolled", "RemoteCheckInEnrolment", e.id)
            .case(case.id)
            .organisation(case.organisation_id)
            .payload(json!({"enrolmentId": e.id, "replaced": replaced})),
    )
    .await?;
    txn.commit().await?;
    messages::deliver(db, notifier::current().as_ref(), &[message]).await?;
    Ok(e)
}

/// An enrolment the officer may manage (full access to its case).
async fn managed<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<enrolment::Model> {
    officer(p)?;
    let e = enrolment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("RemoteCheckInEnrolment"))?;
    get_for(db, p, e.case_id, CaseAccess::Full)
        .await
        .map_err(|_| ApiError::NotFound("RemoteCheckInEnrolment"))?;
    Ok(e)
}

/// Send a new activation code (the earlier ones stay valid until they expire).
pub async fn resend_code(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<enrolment::Model> {
    let txn = write_txn(db).await?;
    let e = managed(&txn, p, id).await?;
    if e.status != CheckInEnrolmentStatus::Active {
        return Err(ApiError::Conflict(
            "the enrolment was revoked; enrol again".into(),
        ));
    }
    let message = new_code(&txn, &e).await?;
    audit::record(
        &txn,
        p,
        Entry::new("remote_check_in.resend_code")
            .target("RemoteCheckInEnrolment", e.id)
            .case(e.case_id),
    )
    .await?;
    txn.commit().await?;
    messages::deliver(db, notifier::current().as_ref(), &[message]).await?;
    Ok(e)
}

/// Revoke an enrolment: the device's tokens stop working at once.
pub async fn revoke(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<enrolment::Model> {
    let txn = write_txn(db).await?;
    let e = managed(&txn, p, id).await?;
    if e.status == CheckInEnrolmentStatus::Active {
        end(&txn, &e).await?;
        audit::record(
            &txn,
            p,
            Entry::new("remote_check_in.revoke")
                .target("RemoteCheckInEnrolment", e.id)
                .case(e.case_id),
        )
        .await?;
        events::emit(
            &txn,
            Some(p),
            NewEvent::new("remote_check_in.revoked", "RemoteCheckInEnrolment", e.id)
                .case(e.case_id)
                .organisation(e.organisation_id)
                .payload(json!({"enrolmentId": e.id})),
        )
        .await?;
    }
    let e = enrolment::Entity::find_by_id(e.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RemoteCheckInEnrolment"))?;
    txn.commit().await?;
    Ok(e)
}

/// The enrolments of a case (newest first, at most 20), for its officer.
pub async fn of_case(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
) -> ApiResult<Vec<enrolment::Model>> {
    officer(p)?;
    get_for(db, p, case_id, CaseAccess::Full).await?;
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::CaseId.eq(case_id))
        .order_by_desc(enrolment::Column::Id)
        .limit(20)
        .all(db)
        .await?)
}
