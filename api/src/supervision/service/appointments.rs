//! Appointments and check-ins: scheduling, recording what happened (a rescheduled one
//! gets its follow-up), unplanned contacts, and the work lists.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::{MAX_SCHEDULE_AHEAD_DAYS, not_in_future, require_open};
use crate::access::{CaseAccess, CaseField, cases_with_access};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::{CaseStatus, case};
use crate::case::service::get_for;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::supervision::entity::{AppointmentKind, AppointmentOutcome, appointment};
use crate::sync::{records, version};
use crate::validate;

async fn insert_appointment<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    case_id: i64,
    kind: AppointmentKind,
    scheduled_at: DateTime<Utc>,
    location: Option<String>,
) -> ApiResult<appointment::Model> {
    Ok(appointment::ActiveModel {
        case_id: Set(case_id),
        kind: Set(kind),
        scheduled_at: Set(scheduled_at),
        location: Set(location),
        outcome: Set(None),
        outcome_note: Set(None),
        outcome_recorded_at: Set(None),
        outcome_recorded_by: Set(None),
        rescheduled_to_id: Set(None),
        created_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

fn check_schedule_time(field: &str, at: DateTime<Utc>) -> ApiResult<()> {
    let current = now();
    if at < current - Duration::days(1) {
        return Err(ApiError::bad_input(
            field,
            "must not be in the past (record a check-in instead)",
        ));
    }
    if at > current + Duration::days(MAX_SCHEDULE_AHEAD_DAYS) {
        return Err(ApiError::bad_input(field, "must be within a year"));
    }
    Ok(())
}

/// Schedule an appointment (officer or inspector of the case).
pub async fn schedule_appointment(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    kind: AppointmentKind,
    scheduled_at: DateTime<Utc>,
    location: Option<&str>,
) -> ApiResult<appointment::Model> {
    check_schedule_time("input.scheduledAt", scheduled_at)?;
    let location = validate::optional("input.location", location, validate::SHORT_TEXT)?;
    let txn = write_txn(db).await?;
    let (c, _) = get_for(&txn, p, case_id, CaseAccess::Supervise).await?;
    require_open(&c)?;
    let row = insert_appointment(&txn, p, c.id, kind, scheduled_at, location).await?;
    audit::record(
        &txn,
        p,
        Entry::new("appointment.schedule")
            .target("Appointment", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("appointment.scheduled", "Appointment", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"kind": kind.to_value(), "scheduledAt": scheduled_at})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Record what happened at an appointment. RESCHEDULED needs the new time and creates
/// the follow-up appointment in the same transaction.
pub async fn record_outcome(
    db: &DatabaseConnection,
    p: &Principal,
    appointment_id: i64,
    outcome: AppointmentOutcome,
    note: Option<&str>,
    reschedule_to: Option<DateTime<Utc>>,
    expected_version: Option<i32>,
) -> ApiResult<appointment::Model> {
    let note = validate::optional("note", note, 2_000)?;
    let txn = write_txn(db).await?;
    let (current, c) = load_for_change(&txn, p, appointment_id).await?;
    version::expect(expected_version, current.version, || {
        records::appointment(&current)
    })?;
    if current.outcome.is_some() {
        return Err(ApiError::Conflict(
            "the outcome of this appointment is already recorded".into(),
        ));
    }
    match outcome {
        AppointmentOutcome::Attended | AppointmentOutcome::Missed => {
            not_in_future("outcome", current.scheduled_at)
                .map_err(|_| ApiError::bad_input("outcome", "the appointment has not happened yet"))?;
        }
        AppointmentOutcome::Excused | AppointmentOutcome::Rescheduled => {}
    }
    let follow_up = match (outcome, reschedule_to) {
        (AppointmentOutcome::Rescheduled, Some(at)) => {
            require_open(&c)?;
            check_schedule_time("rescheduleTo", at)?;
            Some(insert_appointment(&txn, p, c.id, current.kind, at, current.location.clone()).await?)
        }
        (AppointmentOutcome::Rescheduled, None) => {
            return Err(ApiError::bad_input(
                "rescheduleTo",
                "give the new time of a rescheduled appointment",
            ));
        }
        (_, Some(_)) => {
            return Err(ApiError::bad_input(
                "rescheduleTo",
                "only a rescheduled appointment has a new time",
            ));
        }
        (_, None) => None,
    };
    let next = claim(&txn, &current).await?;
    let mut row: appointment::ActiveModel = current.into();
    row.version = Set(next);
    row.outcome = Set(Some(outcome));
    row.outcome_note = Set(note);
    row.outcome_recorded_at = Set(Some(now()));
    row.outcome_recorded_by = Set(Some(p.user_id));
    row.rescheduled_to_id = Set(follow_up.as_ref().map(|f| f.id));
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("appointment.record_outcome")
            .target("Appointment", row.id)
            .case(c.id)
            .detail(json!({"outcome": outcome.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("appointment.outcome_recorded", "Appointment", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({
                "outcome": outcome.to_value(),
                "kind": row.kind.to_value(),
                "scheduledAt": row.scheduled_at,
                "rescheduledToId": row.rescheduled_to_id,
            })),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// An unplanned contact that already happened.
pub struct CheckIn {
    pub kind: AppointmentKind,
    pub at: DateTime<Utc>,
    pub outcome: AppointmentOutcome,
    pub location: Option<String>,
    pub note: Option<String>,
}

/// Record an unplanned contact (e.g. an unannounced home visit) that already happened.
pub async fn record_check_in(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    check_in: CheckIn,
) -> ApiResult<appointment::Model> {
    let txn = write_txn(db).await?;
    let row = record_check_in_in(&txn, p, case_id, check_in).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`record_check_in`] inside the caller's transaction (a synced change).
pub async fn record_check_in_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    case_id: i64,
    check_in: CheckIn,
) -> ApiResult<appointment::Model> {
    let CheckIn {
        kind,
        at,
        outcome,
        location,
        note,
    } = check_in;
    not_in_future("input.at", at)?;
    if matches!(outcome, AppointmentOutcome::Rescheduled) {
        return Err(ApiError::bad_input(
            "input.outcome",
            "a check-in cannot be rescheduled; schedule an appointment",
        ));
    }
    let location = validate::optional("input.location", location.as_deref(), validate::SHORT_TEXT)?;
    let note = validate::optional("input.note", note.as_deref(), 2_000)?;
    let (c, _) = get_for(txn, p, case_id, CaseAccess::Supervise).await?;
    if !matches!(c.status, CaseStatus::Active | CaseStatus::Suspended) {
        return Err(ApiError::Conflict(
            "check-ins are recorded on active or suspended cases".into(),
        ));
    }
    let recorded_at = now();
    let row = appointment::ActiveModel {
        case_id: Set(c.id),
        kind: Set(kind),
        scheduled_at: Set(at),
        location: Set(location),
        outcome: Set(Some(outcome)),
        outcome_note: Set(note),
        outcome_recorded_at: Set(Some(recorded_at)),
        outcome_recorded_by: Set(Some(p.user_id)),
        rescheduled_to_id: Set(None),
        created_by: Set(p.user_id),
        created_at: Set(recorded_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("appointment.check_in")
            .target("Appointment", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("appointment.outcome_recorded", "Appointment", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"outcome": outcome.to_value(), "kind": kind.to_value(), "scheduledAt": at, "checkIn": true})),
    )
    .await?;
    Ok(row)
}

/// An appointment and its case, for a change by a supervisor of the case (a caller
/// who may not supervise it is told it does not exist).
pub async fn load_for_change<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
) -> ApiResult<(appointment::Model, case::Model)> {
    let current = appointment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Appointment"))?;
    let (c, _) = get_for(db, p, current.case_id, CaseAccess::Supervise)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("Appointment"),
            other => other,
        })?;
    Ok((current, c))
}

/// Claim the appointment's next version (CONFLICT when another change got there first).
pub(super) async fn claim<C: ConnectionTrait>(db: &C, current: &appointment::Model) -> ApiResult<i32> {
    version::claim::<appointment::Entity, _>(
        db,
        appointment::Column::Id,
        appointment::Column::Version,
        current.id,
        current.version,
        || records::appointment(current),
    )
    .await
}

/// Filters of appointment lists.
#[derive(Debug, Default, Clone)]
pub struct AppointmentFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub kinds: Vec<AppointmentKind>,
    pub outcomes: Vec<AppointmentOutcome>,
    /// Only appointments with no outcome yet.
    pub pending_only: bool,
}

/// The condition of an appointment list's filter (beyond whose appointments they are).
pub fn filter_condition(f: AppointmentFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(from) = f.from {
        cond = cond.add(appointment::Column::ScheduledAt.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(appointment::Column::ScheduledAt.lt(to));
    }
    if !f.kinds.is_empty() {
        cond = cond.add(appointment::Column::Kind.is_in(f.kinds));
    }
    if !f.outcomes.is_empty() {
        cond = cond.add(appointment::Column::Outcome.is_in(f.outcomes));
    }
    if f.pending_only {
        cond = cond.add(appointment::Column::Outcome.is_null());
    }
    cond
}

/// Appointments of one case, or of every case the caller may supervise.
pub async fn list_appointments(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: Option<i64>,
    f: AppointmentFilter,
    page: Page,
) -> ApiResult<Paged<appointment::Model>> {
    let mut cond = Condition::all();
    match case_id {
        Some(id) => cond = cond.add(appointment::Column::CaseId.eq(id)),
        None => {
            // Appointments are supervision records: not for mahalla members.
            let supervisors = cases_with_access(p, CaseField::Appointments.needs());
            cond = cond.add(crate::access::of_cases(appointment::Column::CaseId, supervisors));
        }
    }
    paginate(
        db,
        appointment::Entity::find().filter(cond.add(filter_condition(f))),
        appointment::Column::Id,
        page,
        Order::Descending,
    )
    .await
}
