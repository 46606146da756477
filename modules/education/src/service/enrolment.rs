//! The enrolment of an `education` referral: the application for an intake, and the
//! record every change of an enrolment writes (the decisions that follow are in
//! `decisions`).
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
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::referral::{self as work, Work};
use hamkor_api::person::entity as person;
use hamkor_api::referral::entity::referral;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;

use crate::entity::{EducationLevel, EnrolmentStatus, enrolment, enum_name, intake, programme, transition};
use crate::fit::{Applicant, assess, blocking};
use crate::{EducationReferral, ID};

/// Applying for an intake for the person of a referral.
const APPLY: Work = Work::application(ID);

/// Statuses of an enrolment still under way (one per referral at a time).
pub const LIVE: [EnrolmentStatus; 4] = [
    EnrolmentStatus::Applied,
    EnrolmentStatus::Enrolled,
    EnrolmentStatus::Waitlisted,
    EnrolmentStatus::Attending,
];

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

pub(super) async fn record(
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
    let r = APPLY.begin(&txn, p, referral_id).await?;
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
    let c = work::open_case(&txn, r.case_id).await?;
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
    work::accept_if_sent(&txn, p, &r).await?;
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
    let r = work::for_record(
        txn,
        p,
        ID,
        peek.referral_id,
        peek.organisation_id,
        "EducationEnrolment",
    )
    .await?;
    let e = enrolment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("EducationEnrolment"))?;
    Ok((e, r))
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
