//! The decisions on an enrolment after the application: enrol (taking a seat),
//! waitlist, reject, start attending, complete with a result, drop out.

use chrono::NaiveDate;
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::plan::entity::GoalStatus;
use hamkor_api::plan::service::record_referral_outcome;
use hamkor_api::referral::entity::{ReferralStatus, WithdrawalReason};
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::step_in;
use hamkor_api::validate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};

use super::enrolment::{allowed, for_change, record};
use crate::entity::{
    CompletionResult, DropOutReason, EnrolmentStatus, RejectionReason, enrolment, enum_name, intake,
    programme,
};

/// A step of the enrolment lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Enrol,
    Waitlist,
    Reject(RejectionReason),
    StartAttending,
    Complete { result: CompletionResult },
    DropOut(DropOutReason),
}

impl Decision {
    fn target(self) -> EnrolmentStatus {
        match self {
            Self::Enrol => EnrolmentStatus::Enrolled,
            Self::Waitlist => EnrolmentStatus::Waitlisted,
            Self::Reject(_) => EnrolmentStatus::Rejected,
            Self::StartAttending => EnrolmentStatus::Attending,
            Self::Complete { .. } => EnrolmentStatus::Completed,
            Self::DropOut(_) => EnrolmentStatus::DroppedOut,
        }
    }

    fn reason(self) -> Option<String> {
        match self {
            Self::Reject(r) => Some(enum_name(r)),
            Self::DropOut(r) => Some(enum_name(r)),
            _ => None,
        }
    }

    fn reason_is_other(self) -> bool {
        matches!(
            self,
            Self::Reject(RejectionReason::Other) | Self::DropOut(DropOutReason::Other)
        )
    }
}

/// Details that come with a decision.
#[derive(Debug, Clone, Default)]
pub struct DecisionDetails {
    pub note: Option<String>,
    pub certificate_number: Option<String>,
    pub certificate_date: Option<NaiveDate>,
}

/// Take one step of the lifecycle (provider staff).
pub async fn decide(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    decision: Decision,
    details: DecisionDetails,
) -> ApiResult<enrolment::Model> {
    let note = validate::optional("input.note", details.note.as_deref(), validate::LONG_TEXT)?;
    if decision.reason_is_other() && note.is_none() {
        return Err(ApiError::bad_input("input.note", "explain the reason OTHER"));
    }
    let certificate_number = validate::optional(
        "input.certificateNumber",
        details.certificate_number.as_deref(),
        64,
    )?;
    let txn = write_txn(db).await?;
    let (e, r) = for_change(&txn, p, id).await?;
    let to = decision.target();
    if !allowed(e.status, to) {
        return Err(ApiError::InvalidTransition {
            from: enum_name(e.status),
            to: enum_name(to),
        });
    }
    if r.status.is_final() {
        return Err(ApiError::Conflict(format!(
            "the referral is {}: the enrolment can no longer change",
            enum_name(r.status)
        )));
    }
    let prog = programme::Entity::find_by_id(e.programme_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("EducationProgramme"))?;
    let today = now().date_naive();
    let from = e.status;
    let mut row: enrolment::ActiveModel = e.clone().into();
    match decision {
        Decision::Enrol => take_seat(&txn, e.intake_id).await?,
        Decision::StartAttending => {
            if r.status == ReferralStatus::Accepted {
                step_in(&txn, p, r.id, Step::Start, None).await?;
            }
        }
        Decision::Complete { result } => {
            let intake = intake::Entity::find_by_id(e.intake_id)
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound("EducationIntake"))?;
            let awarded = result == CompletionResult::Passed && prog.certificate.is_some();
            match (&certificate_number, awarded) {
                (None, true) => {
                    return Err(ApiError::bad_input(
                        "input.certificateNumber",
                        "the programme awards a certificate: give its number",
                    ));
                }
                (Some(_), false) => {
                    return Err(ApiError::bad_input(
                        "input.certificateNumber",
                        "a certificate is only awarded on passing a programme that awards one",
                    ));
                }
                _ => {}
            }
            let date = awarded.then(|| details.certificate_date.unwrap_or(today));
            if let Some(d) = date
                && (d > today || d < intake.starts_on)
            {
                return Err(ApiError::bad_input(
                    "input.certificateDate",
                    "between the intake's start and today",
                ));
            }
            row.result = Set(Some(result));
            row.certificate_number = Set(certificate_number.clone());
            row.certificate_date = Set(date);
            row.closed_at = Set(Some(now()));
            step_in(&txn, p, r.id, Step::Complete, None).await?;
            let goal = match result {
                CompletionResult::Failed => GoalStatus::NotAchieved,
                CompletionResult::Passed | CompletionResult::AttendedWithoutAssessment => {
                    GoalStatus::Achieved
                }
            };
            let mut summary = format!("{}: {}", prog.title, enum_name(result));
            if let (Some(n), Some(d)) = (&certificate_number, date) {
                summary.push_str(&format!(
                    "; certificate {} ({n}) of {d}",
                    prog.certificate.as_deref().unwrap_or_default()
                ));
            }
            record_referral_outcome(&txn, p, &r, goal, &summary).await?;
        }
        Decision::DropOut(reason) => {
            release_seat(&txn, e.intake_id).await?;
            row.closed_at = Set(Some(now()));
            let (why, why_note) = match reason {
                DropOutReason::ConditionsChanged | DropOutReason::Other => (
                    WithdrawalReason::Other,
                    Some(format!("dropped out of education: {}", enum_name(reason))),
                ),
                _ => (WithdrawalReason::PersonWithdrew, None),
            };
            step_in(&txn, p, r.id, Step::Withdraw(why), why_note).await?;
        }
        Decision::Reject(_) => row.closed_at = Set(Some(now())),
        Decision::Waitlist => {}
    }
    row.status = Set(to);
    if decision.reason().is_some() {
        row.reason = Set(decision.reason());
    }
    if note.is_some() {
        row.note = Set(note.clone());
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    record(&txn, p, &row, Some(from), decision.reason(), note).await?;
    txn.commit().await?;
    Ok(row)
}

/// Take one seat of an intake, or CONFLICT when none is left. A single conditional
/// update: of two concurrent enrolments into the last seat, exactly one changes a row.
async fn take_seat(txn: &DatabaseTransaction, intake_id: i64) -> ApiResult<()> {
    use intake::Column as I;
    let done = intake::Entity::update_many()
        .col_expr(I::SeatsTaken, Expr::col(I::SeatsTaken).add(1))
        .col_expr(I::UpdatedAt, Expr::value(now()))
        .filter(I::Id.eq(intake_id))
        .filter(Expr::col(I::SeatsTaken).lt(Expr::col(I::Seats)))
        .exec(txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ApiError::Conflict(
            "no seat is left in this intake: put the person on the waiting list".into(),
        ));
    }
    Ok(())
}

async fn release_seat(txn: &DatabaseTransaction, intake_id: i64) -> ApiResult<()> {
    use intake::Column as I;
    intake::Entity::update_many()
        .col_expr(I::SeatsTaken, Expr::col(I::SeatsTaken).sub(1))
        .col_expr(I::UpdatedAt, Expr::value(now()))
        .filter(I::Id.eq(intake_id))
        .filter(I::SeatsTaken.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}
