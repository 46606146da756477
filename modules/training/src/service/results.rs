//! What the course's staff record of a learner: attendance per day, and the
//! assessment, which issues a certificate (number and expiry) on passing.

use chrono::{Datelike, Months, NaiveDate};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::event_type;
use hamkor_api::validate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;

use super::enrolment::changed;
use crate::access::require_staff_of;
use crate::entity::{TrainingEnrolmentStatus as S, attendance, certificate, course, enrolment, session};

/// Load an enrolment for a change by the course's staff, locked.
async fn for_staff(txn: &DatabaseTransaction, p: &Principal, id: i64) -> ApiResult<enrolment::Model> {
    let e = enrolment::Entity::find_by_id(id)
        .filter(crate::access::enrolments(p))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingEnrolment"))?;
    require_staff_of(p, e.organisation_id)?;
    Ok(e)
}

/// Record (or correct) one day's attendance of an enrolled learner.
pub async fn attendance(
    db: &DatabaseConnection,
    p: &Principal,
    enrolment_id: i64,
    on: NaiveDate,
    present: bool,
) -> ApiResult<attendance::Model> {
    let txn = write_txn(db).await?;
    let e = for_staff(&txn, p, enrolment_id).await?;
    if e.status != S::Enrolled {
        return Err(ApiError::Conflict(
            "attendance is recorded for enrolled learners only".into(),
        ));
    }
    let s = session::Entity::find_by_id(e.session_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingSession"))?;
    if on < s.starts_on || on > s.ends_on || on > now().date_naive() {
        return Err(ApiError::bad_input(
            "input.on",
            "a day of the session, not in the future",
        ));
    }
    use attendance::Column as A;
    attendance::Entity::insert(attendance::ActiveModel {
        enrolment_id: Set(e.id),
        on_date: Set(on),
        present: Set(present),
        recorded_by: Set(p.user_id),
        recorded_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([A::EnrolmentId, A::OnDate])
            .update_columns([A::Present, A::RecordedBy, A::RecordedAt])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let row = attendance::Entity::find()
        .filter(A::EnrolmentId.eq(e.id))
        .filter(A::OnDate.eq(on))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingAttendance"))?;
    hamkor_api::audit::service::record(
        &txn,
        p,
        hamkor_api::audit::service::Entry::new("training.attendance.record")
            .target("TrainingEnrolment", e.id)
            .detail(json!({"on": on, "present": present})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// An assessment result.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub passed: bool,
    /// 0–100.
    pub score: Option<i32>,
    /// The certificate's number (generated when absent).
    pub certificate_number: Option<String>,
    /// The day the certificate is issued (today when absent).
    pub issued_on: Option<NaiveDate>,
}

/// Record the assessment of an enrolled learner; a pass issues the certificate.
pub async fn assess(
    db: &DatabaseConnection,
    p: &Principal,
    enrolment_id: i64,
    a: Assessment,
) -> ApiResult<(enrolment::Model, Option<certificate::Model>)> {
    if a.score.is_some_and(|s| !(0..=100).contains(&s)) {
        return Err(ApiError::bad_input("input.score", "between 0 and 100"));
    }
    let number = validate::optional("input.certificateNumber", a.certificate_number.as_deref(), 64)?;
    if !a.passed && (number.is_some() || a.issued_on.is_some()) {
        return Err(ApiError::bad_input(
            "input.certificateNumber",
            "a certificate is issued on passing only",
        ));
    }
    let txn = write_txn(db).await?;
    let e = for_staff(&txn, p, enrolment_id).await?;
    let to = if a.passed { S::Passed } else { S::Failed };
    if e.status != S::Enrolled {
        return Err(ApiError::InvalidTransition {
            from: crate::entity::enum_name(e.status),
            to: crate::entity::enum_name(to),
        });
    }
    let mut row: enrolment::ActiveModel = e.clone().into();
    row.status = Set(to);
    row.score = Set(a.score);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    changed(&txn, Some(p), &row, Some(S::Enrolled)).await?;
    let cert = if a.passed {
        Some(issue(&txn, p, &row, number, a.issued_on).await?)
    } else {
        None
    };
    txn.commit().await?;
    Ok((row, cert))
}

async fn issue(
    txn: &DatabaseTransaction,
    p: &Principal,
    e: &enrolment::Model,
    number: Option<String>,
    issued_on: Option<NaiveDate>,
) -> ApiResult<certificate::Model> {
    let s = session::Entity::find_by_id(e.session_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingSession"))?;
    let c = course::Entity::find_by_id(e.course_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("TrainingCourse"))?;
    let today = now().date_naive();
    let issued_on = issued_on.unwrap_or(today);
    if issued_on > today || issued_on < s.starts_on {
        return Err(ApiError::bad_input(
            "input.issuedOn",
            "between the session's start and today",
        ));
    }
    let number = number.unwrap_or_else(|| format!("TR-{}-{:06}", issued_on.year(), e.id));
    let expires_on = match c.validity_months {
        Some(m) => Some(
            issued_on
                .checked_add_months(Months::new(m.unsigned_abs()))
                .ok_or_else(|| ApiError::bad_input("input.issuedOn", "out of range"))?,
        ),
        None => None,
    };
    let cert = certificate::ActiveModel {
        enrolment_id: Set(e.id),
        course_id: Set(c.id),
        topic: Set(c.topic),
        user_id: Set(e.user_id),
        learner_organisation_id: Set(e.learner_organisation_id),
        number: Set(number),
        issued_on: Set(issued_on),
        expires_on: Set(expires_on),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|err| ApiError::conflict_on_unique(err, "a certificate with this number exists"))?;
    super::record(
        txn,
        Some(p),
        "training.certificate.issue",
        event_type("training.certificate_issued"),
        ("TrainingCertificate", cert.id),
        cert.learner_organisation_id,
        json!({
            "certificateId": cert.id,
            "userId": cert.user_id,
            "courseId": cert.course_id,
            "number": cert.number,
            "expiresOn": cert.expires_on,
        }),
    )
    .await?;
    Ok(cert)
}
