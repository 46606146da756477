//! The enrolment lifecycle of an `education` referral, and the seats it takes.
//!
//! Every change runs in one transaction with its referral row locked (so two changes of
//! one referral's enrolments are serialised), writes a transition, an audit record and
//! a domain event, and moves the referral along where the enrolment implies it:
//! applying accepts a SENT referral, attending starts it, completing completes it (and
//! writes the result onto the plan goal it serves), dropping out withdraws it.

use chrono::NaiveDate;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::case;
use hamkor_api::case::lifecycle::is_closed;
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::person::entity as person;
use hamkor_api::plan::entity::GoalStatus;
use hamkor_api::plan::service::record_referral_outcome;
use hamkor_api::referral::entity::{ReferralStatus, WithdrawalReason, referral};
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::{get_of_module_for_change, is_recipient, step_in};
use hamkor_api::validate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;

use super::require_partner_staff;
use crate::entity::{
    CompletionResult, DropOutReason, EducationLevel, EnrolmentStatus, RejectionReason, enrolment, enum_name,
    intake, programme, transition,
};
use crate::fit::{Applicant, assess, blocking};
use crate::{EducationReferral, ID};

/// Statuses of an enrolment still under way (one per referral at a time).
pub const LIVE: [EnrolmentStatus; 4] = [
    EnrolmentStatus::Applied,
    EnrolmentStatus::Enrolled,
    EnrolmentStatus::Waitlisted,
    EnrolmentStatus::Attending,
];

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

/// Whether `from` may move to `to`.
pub fn allowed(from: EnrolmentStatus, to: EnrolmentStatus) -> bool {
    use EnrolmentStatus::*;
    matches!(
        (from, to),
        (Applied, Enrolled | Waitlisted | Rejected)
            | (Waitlisted, Enrolled | Rejected)
            | (Enrolled, Attending | DroppedOut)
            | (Attending, Completed | DroppedOut)
    )
}

/// The person behind a case, as an applicant on `today`.
pub async fn applicant_for(
    txn: &impl sea_orm::ConnectionTrait,
    c: &case::Model,
    education: Option<EducationLevel>,
    today: NaiveDate,
) -> ApiResult<Applicant> {
    let who = person::Entity::find_by_id(c.person_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Person"))?;
    Ok(Applicant {
        birth_date: who.birth_date,
        education,
        restrictions: Restrictions::of_case(txn, c.id, today).await?,
    })
}

async fn case_of(txn: &DatabaseTransaction, case_id: i64) -> ApiResult<case::Model> {
    case::Entity::find_by_id(case_id)
        .lock_shared()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Case"))
}

async fn record(
    txn: &DatabaseTransaction,
    p: &Principal,
    row: &enrolment::Model,
    from: Option<EnrolmentStatus>,
    reason: Option<String>,
    note: Option<String>,
) -> ApiResult<()> {
    transition::ActiveModel {
        enrolment_id: Set(row.id),
        from_status: Set(from),
        to_status: Set(row.status),
        reason: Set(reason.clone()),
        note: Set(note),
        actor_user_id: Set(p.user_id),
        at: Set(row.updated_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("education.enrolment.transition")
            .target("EducationEnrolment", row.id)
            .case(row.case_id)
            .detail(json!({
                "from": from.map(enum_name),
                "to": enum_name(row.status),
                "reason": reason,
            })),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("education.enrolment_status_changed", "EducationEnrolment", row.id)
            .case(row.case_id)
            .organisation(row.organisation_id)
            .payload(json!({
                "enrolmentId": row.id,
                "referralId": row.referral_id,
                "from": from.map(enum_name),
                "to": enum_name(row.status),
            })),
    )
    .await?;
    Ok(())
}

/// Apply, on behalf of the referred person, for an intake of one of the provider's
/// programmes. The provider's staff do this once the referral reached them; a SENT
/// referral is accepted on the way. Refused when the person is not eligible or the
/// programme conflicts with the sentence's conditions (a full intake is not a refusal:
/// the provider waitlists).
pub async fn apply(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    intake_id: i64,
    note: Option<&str>,
) -> ApiResult<enrolment::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let r = get_of_module_for_change(&txn, p, referral_id, ID).await?;
    if !is_recipient(p, &r) {
        return Err(ApiError::Forbidden(
            "only the organisation the referral is addressed to applies".into(),
        ));
    }
    if !matches!(
        r.status,
        ReferralStatus::Sent | ReferralStatus::Accepted | ReferralStatus::InProgress
    ) {
        return Err(ApiError::Conflict("the referral is not open".into()));
    }
    let live = enrolment::Entity::find()
        .filter(enrolment::Column::ReferralId.eq(r.id))
        .filter(enrolment::Column::Status.is_in(LIVE))
        .one(&txn)
        .await?;
    if let Some(e) = live {
        return Err(ApiError::Conflict(format!(
            "the referral already has an enrolment under way ({})",
            enum_name(e.status)
        )));
    }
    let i = intake::Entity::find_by_id(intake_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.intakeId", "no such intake"))?;
    let prog = programme::Entity::find_by_id(i.programme_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.intakeId", "no such intake"))?;
    if prog.organisation_id != r.to_organisation_id {
        return Err(ApiError::bad_input(
            "input.intakeId",
            "the intake is not of a programme of the organisation the referral is addressed to",
        ));
    }
    let today = now().date_naive();
    if !prog.active {
        return Err(ApiError::Conflict(
            "the programme is closed to applications".into(),
        ));
    }
    if i.ends_on.is_some_and(|end| end < today) {
        return Err(ApiError::Conflict("the intake has ended".into()));
    }
    let c = case_of(&txn, r.case_id).await?;
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let education = EducationReferral::from_json(&r.payload).prior_education();
    let who = applicant_for(&txn, &c, education, today).await?;
    let issues = assess(&who, &prog, &i, today);
    let blocking = blocking(&issues);
    if !blocking.is_empty() {
        let why: Vec<&str> = blocking.iter().map(|i| i.message.as_str()).collect();
        return Err(ApiError::Conflict(format!(
            "the person cannot take this intake: {}",
            why.join("; ")
        )));
    }
    if r.status == ReferralStatus::Sent {
        step_in(&txn, p, r.id, Step::Accept, None).await?;
    }
    let at = now();
    let row = enrolment::ActiveModel {
        referral_id: Set(r.id),
        case_id: Set(r.case_id),
        programme_id: Set(prog.id),
        intake_id: Set(i.id),
        organisation_id: Set(r.to_organisation_id),
        status: Set(EnrolmentStatus::Applied),
        note: Set(note.clone()),
        prior_education: Set(education),
        consecutive_absences: Set(0),
        absence_alert_open: Set(false),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(&txn, p, &row, None, None, note).await?;
    txn.commit().await?;
    Ok(row)
}

/// Load an enrolment for a change by its provider's staff, locking its referral first
/// (the order every change takes, so concurrent changes cannot deadlock) and then the
/// enrolment row.
pub async fn for_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
) -> ApiResult<(enrolment::Model, referral::Model)> {
    let peek = enrolment::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("EducationEnrolment"))?;
    // NOT_FOUND for anyone who may not see the referral; FORBIDDEN for those who may
    // see it but do not work it.
    let r = get_of_module_for_change(txn, p, peek.referral_id, ID)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("EducationEnrolment"),
            other => other,
        })?;
    require_partner_staff(p, peek.organisation_id)?;
    let e = enrolment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("EducationEnrolment"))?;
    Ok((e, r))
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

#[cfg(test)]
mod tests {
    use super::*;
    use EnrolmentStatus::*;

    #[test]
    fn the_lifecycle_allows_exactly_its_arrows() {
        let all = [
            Applied, Enrolled, Waitlisted, Rejected, Attending, Completed, DroppedOut,
        ];
        let arrows = [
            (Applied, Enrolled),
            (Applied, Waitlisted),
            (Applied, Rejected),
            (Waitlisted, Enrolled),
            (Waitlisted, Rejected),
            (Enrolled, Attending),
            (Enrolled, DroppedOut),
            (Attending, Completed),
            (Attending, DroppedOut),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    allowed(from, to),
                    arrows.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        for s in [Rejected, Completed, DroppedOut] {
            assert!(s.is_final());
        }
    }
}
