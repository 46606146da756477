//! Applications of an employment referral to vacancies, up to the placement (the
//! retention checks that follow it are in `retention`).
//!
//! Every change runs in one transaction with the referral row locked, writes a
//! transition, an audit record and a domain event, and moves the referral along:
//! applying accepts a SENT referral, a hire starts it.

use chrono::{Duration, NaiveDate};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::Registry;
use hamkor_api::module::kit::referral::{self as work, Work};
use hamkor_api::referral::entity::{ReferralStatus, referral};
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::step_in;
use hamkor_api::validate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;

use super::profiles::{seeker, set_readiness};
use super::retention::RETENTION_DAYS;
use super::weights;
use crate::ID;
use crate::entity::{
    ApplicationStatus, VacancyStatus, WorkReadiness, application, application_transition, enum_name,
    retention, vacancy, vacancy_skill,
};
use crate::matching::assess;

/// Applying for a vacancy for the person of a referral.
const APPLY: Work = Work::application(ID);

/// Whether an application may move from `from` to `to`.
pub fn allowed(from: ApplicationStatus, to: ApplicationStatus) -> bool {
    use ApplicationStatus::*;
    matches!(
        (from, to),
        (Applied, Interview | Offered | Rejected | Withdrawn)
            | (Interview, Offered | Rejected | Withdrawn)
            | (Offered, Hired | Rejected | Withdrawn)
    )
}

async fn record(
    txn: &DatabaseTransaction,
    p: &Principal,
    row: &application::Model,
    from: Option<ApplicationStatus>,
    note: Option<String>,
) -> ApiResult<()> {
    application_transition::ActiveModel {
        application_id: Set(row.id),
        from_status: Set(from),
        to_status: Set(row.status),
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
        Entry::new("employment.application.transition")
            .target("JobApplication", row.id)
            .case(row.case_id)
            .detail(json!({"from": from.map(enum_name), "to": enum_name(row.status)})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("employment.application_status_changed", "JobApplication", row.id)
            .case(row.case_id)
            .organisation(row.organisation_id)
            .payload(json!({
                "applicationId": row.id,
                "referralId": row.referral_id,
                "vacancyId": row.vacancy_id,
                "from": from.map(enum_name),
                "to": enum_name(row.status),
            })),
    )
    .await?;
    Ok(())
}

/// Apply for a vacancy on behalf of the person of an employment referral (the
/// recipient's staff). Refused when the vacancy breaks the sentence (curfew, area) or
/// its employer does not hire people with a record.
pub async fn apply(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    referral_id: i64,
    vacancy_id: i64,
    note: Option<&str>,
) -> ApiResult<application::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let r = APPLY.begin(&txn, p, referral_id).await?;
    let v = vacancy::Entity::find_by_id(vacancy_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.vacancyId", "no such vacancy"))?;
    let today = now().date_naive();
    if v.status != VacancyStatus::Open
        || v.seats_filled >= v.seats
        || v.opens_on > today
        || v.closes_on.is_some_and(|c| c < today)
    {
        return Err(ApiError::Conflict("the vacancy is not open".into()));
    }
    let twice = application::Entity::find()
        .filter(application::Column::ReferralId.eq(r.id))
        .filter(application::Column::VacancyId.eq(v.id))
        .filter(application::Column::Status.is_in([
            ApplicationStatus::Applied,
            ApplicationStatus::Interview,
            ApplicationStatus::Offered,
            ApplicationStatus::Hired,
        ]))
        .one(&txn)
        .await?;
    if twice.is_some() {
        return Err(ApiError::Conflict(
            "the person already applied for this vacancy".into(),
        ));
    }
    let c = work::open_case(&txn, r.case_id).await?;
    let (who, _) = seeker(&txn, &c, today).await?;
    let skills = vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::VacancyId.eq(v.id))
        .all(&txn)
        .await?;
    let weights = weights(&txn, registry, p).await?;
    let judged = assess(&who, &v, &skills, &weights);
    if !judged.conflicts.is_empty() {
        return Err(ApiError::Conflict(format!(
            "the person cannot take this job: {}",
            judged.conflicts.join("; ")
        )));
    }
    work::accept_if_sent(&txn, p, &r).await?;
    let at = now();
    let row = application::ActiveModel {
        referral_id: Set(r.id),
        case_id: Set(r.case_id),
        vacancy_id: Set(v.id),
        organisation_id: Set(r.to_organisation_id),
        status: Set(ApplicationStatus::Applied),
        note: Set(note.clone()),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(&txn, p, &row, None, note).await?;
    txn.commit().await?;
    Ok(row)
}

/// Lock an application for a change by the staff of the organisation working it
/// (referral first, then the application, the order every change takes).
pub(super) async fn for_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
) -> ApiResult<(application::Model, referral::Model)> {
    let peek = application::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("JobApplication"))?;
    let r = work::for_record(
        txn,
        p,
        ID,
        peek.referral_id,
        peek.organisation_id,
        "JobApplication",
    )
    .await?;
    let a = application::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("JobApplication"))?;
    Ok((a, r))
}

/// Move an application along (the staff working the referral). A hire needs the start
/// date, takes a seat of the vacancy (CONFLICT when none is left), starts the referral
/// and schedules the retention checks.
pub async fn step(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    to: ApplicationStatus,
    note: Option<&str>,
    start_date: Option<NaiveDate>,
) -> ApiResult<application::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    let today = now().date_naive();
    let txn = write_txn(db).await?;
    let (a, r) = for_change(&txn, p, id).await?;
    if !allowed(a.status, to) {
        return Err(ApiError::InvalidTransition {
            from: enum_name(a.status),
            to: enum_name(to),
        });
    }
    if r.status.is_final() {
        return Err(ApiError::Conflict(format!(
            "the referral is {}: its applications can no longer change",
            enum_name(r.status)
        )));
    }
    let from = a.status;
    let mut row: application::ActiveModel = a.clone().into();
    if to == ApplicationStatus::Hired {
        let start = start_date
            .ok_or_else(|| ApiError::bad_input("input.startDate", "a hire needs the start date"))?;
        // A placement may be recorded late (the counsellor hears of it months on).
        if start < today - Duration::days(365) || start > today + Duration::days(180) {
            return Err(ApiError::bad_input(
                "input.startDate",
                "within a year before and 180 days after today",
            ));
        }
        take_seat(&txn, a.vacancy_id).await?;
        if r.status == ReferralStatus::Accepted {
            step_in(&txn, p, r.id, Step::Start, None).await?;
        }
        retention::Entity::insert_many(RETENTION_DAYS.map(|day| retention::ActiveModel {
            application_id: Set(a.id),
            case_id: Set(a.case_id),
            day: Set(day),
            due_on: Set(start + Duration::days(i64::from(day))),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
        set_readiness(&txn, a.case_id, WorkReadiness::Employed).await?;
        row.start_date = Set(Some(start));
    } else if start_date.is_some() {
        return Err(ApiError::bad_input(
            "input.startDate",
            "only a hire has a start date",
        ));
    }
    row.status = Set(to);
    if note.is_some() {
        row.note = Set(note.clone());
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    record(&txn, p, &row, Some(from), note).await?;
    txn.commit().await?;
    Ok(row)
}

/// Take one seat of a vacancy in one conditional update (two hires can never share the
/// last seat); the last seat marks it FILLED.
async fn take_seat(txn: &DatabaseTransaction, vacancy_id: i64) -> ApiResult<()> {
    use vacancy::Column as V;
    let done = vacancy::Entity::update_many()
        .col_expr(V::SeatsFilled, Expr::col(V::SeatsFilled).add(1))
        .col_expr(V::UpdatedAt, Expr::value(now()))
        .filter(V::Id.eq(vacancy_id))
        .filter(Expr::col(V::SeatsFilled).lt(Expr::col(V::Seats)))
        .exec(txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ApiError::Conflict("every seat of the vacancy is filled".into()));
    }
    vacancy::Entity::update_many()
        .col_expr(V::Status, Expr::value(VacancyStatus::Filled))
        .filter(V::Id.eq(vacancy_id))
        .filter(V::Status.eq(VacancyStatus::Open))
        .filter(Expr::col(V::SeatsFilled).gte(Expr::col(V::Seats)))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;

    #[test]
    fn applications_move_only_forward() {
        let all = [Applied, Interview, Offered, Hired, Rejected, Withdrawn];
        for from in all {
            for to in all {
                let expected = !from.is_final()
                    && match to {
                        Interview => from == Applied,
                        Offered => matches!(from, Applied | Interview),
                        Hired => from == Offered,
                        Rejected | Withdrawn => true,
                        Applied => false,
                    };
                assert_eq!(allowed(from, to), expected, "{from:?} -> {to:?}");
            }
        }
    }
}
