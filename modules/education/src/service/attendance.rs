//! Attendance of an enrolment, its rate, and the alert after a run of absences.

use chrono::NaiveDate;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::case;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::Registry;
use hamkor_api::module::service::config_for;
use hamkor_api::sync::version;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TryIntoModel,
};
use serde_json::json;

use super::enrolment::for_change;
use crate::entity::{AttendancePeriod, AttendanceStatus, EnrolmentStatus, attendance, enrolment, intake};
use crate::{EducationConfig, ID, sync};

/// Most entries one call records.
pub const MAX_ENTRIES_PER_CALL: usize = 31;
/// Most entries one enrolment keeps (five years of daily classes).
pub const MAX_ENTRIES_PER_ENROLMENT: u64 = 1_500;

/// One attendance entry to record (or correct: the same day and period again).
#[derive(Debug, Clone)]
pub struct AttendanceEntry {
    pub on: NaiveDate,
    pub period: AttendancePeriod,
    pub status: AttendanceStatus,
    pub note: Option<String>,
    /// The version of the entry this corrects (CONFLICT when it moved on since).
    pub expected_version: Option<i32>,
}

/// The run of absences at the end of `statuses` (oldest first): excused absences
/// neither count nor break it.
pub fn trailing_absences(statuses: &[AttendanceStatus]) -> i32 {
    let mut run = 0;
    for s in statuses.iter().rev() {
        match s {
            AttendanceStatus::Absent => run += 1,
            AttendanceStatus::Excused => {}
            AttendanceStatus::Present | AttendanceStatus::Late => break,
        }
    }
    run
}

/// Share of counted entries attended (present or late), excused ones aside; None before
/// any counted entry.
pub fn rate(statuses: &[AttendanceStatus]) -> Option<f64> {
    let attended = statuses
        .iter()
        .filter(|s| matches!(s, AttendanceStatus::Present | AttendanceStatus::Late))
        .count();
    let counted = statuses
        .iter()
        .filter(|s| !matches!(s, AttendanceStatus::Excused))
        .count();
    (counted > 0).then(|| attended as f64 / counted as f64)
}

/// Check entries to record: 1 to 31, none in the future, no day and period twice, notes
/// bounded. `field` names an entry's input field in an error (`input.entries[0].on`).
pub fn check(
    entries: Vec<AttendanceEntry>,
    field: impl Fn(usize, &str) -> String,
) -> ApiResult<Vec<AttendanceEntry>> {
    if entries.is_empty() || entries.len() > MAX_ENTRIES_PER_CALL {
        return Err(ApiError::bad_input(
            "input.entries",
            format!("between 1 and {MAX_ENTRIES_PER_CALL} entries"),
        ));
    }
    let today = now().date_naive();
    let mut checked = Vec::with_capacity(entries.len());
    for (i, e) in entries.into_iter().enumerate() {
        let note = validate::optional(&field(i, "note"), e.note.as_deref(), 2_000)?;
        if e.on > today {
            return Err(ApiError::bad_input(
                field(i, "on"),
                "attendance is recorded for days that have come",
            ));
        }
        if checked
            .iter()
            .any(|c: &AttendanceEntry| c.on == e.on && c.period == e.period)
        {
            return Err(ApiError::bad_input(
                field(i, "on"),
                "the same day and period twice",
            ));
        }
        checked.push(AttendanceEntry { note, ..e });
    }
    Ok(checked)
}

/// Record attendance of an ATTENDING enrolment (provider staff). Entries for a day and
/// period already recorded replace it (a correction; CONFLICT when it moved past the
/// entry's `expected_version`). Afterwards the run of absences
/// is recomputed: reaching the organisation's threshold alerts the case's supervising
/// agencies once (`education.absence_alert`); attending again closes the alert
/// (`education.attendance_recovered`).
pub async fn record(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    enrolment_id: i64,
    entries: Vec<AttendanceEntry>,
) -> ApiResult<enrolment::Model> {
    let checked = check(entries, |i, f| format!("input.entries[{i}].{f}"))?;
    let txn = write_txn(db).await?;
    let (row, _) = record_in(&txn, registry, p, enrolment_id, checked).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`record`] inside the caller's transaction, of entries already [`check`]ed: the
/// enrolment after it, and the entries as saved.
pub async fn record_in(
    txn: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
    enrolment_id: i64,
    checked: Vec<AttendanceEntry>,
) -> ApiResult<(enrolment::Model, Vec<attendance::Model>)> {
    let today = now().date_naive();
    let (e, _) = for_change(txn, p, enrolment_id).await?;
    if e.status != EnrolmentStatus::Attending {
        return Err(ApiError::Conflict(
            "attendance is recorded while the person is ATTENDING".into(),
        ));
    }
    let starts_on = intake::Entity::find_by_id(e.intake_id)
        .one(txn)
        .await?
        .map_or(today, |i| i.starts_on);
    let at = now();
    let mut saved = Vec::with_capacity(checked.len());
    for (i, entry) in checked.iter().enumerate() {
        if entry.on < starts_on {
            return Err(ApiError::bad_input(
                format!("input.entries[{i}].on"),
                "before the intake started",
            ));
        }
        let existing = attendance::Entity::find()
            .filter(attendance::Column::EnrolmentId.eq(e.id))
            .filter(attendance::Column::OnDate.eq(entry.on))
            .filter(attendance::Column::Period.eq(entry.period))
            .one(txn)
            .await?;
        let mut row: attendance::ActiveModel = match existing {
            Some(found) => {
                version::expect(entry.expected_version, found.version, || {
                    sync::record(&found, e.case_id)
                })?;
                let next = version::claim::<attendance::Entity, _>(
                    txn,
                    attendance::Column::Id,
                    attendance::Column::Version,
                    found.id,
                    found.version,
                    || sync::record(&found, e.case_id),
                )
                .await?;
                let mut row: attendance::ActiveModel = found.into();
                row.version = Set(next);
                row
            }
            None => attendance::ActiveModel {
                enrolment_id: Set(e.id),
                on_date: Set(entry.on),
                period: Set(entry.period),
                version: Set(1),
                ..Default::default()
            },
        };
        row.status = Set(entry.status);
        row.note = Set(entry.note.clone());
        row.recorded_by = Set(p.user_id);
        row.recorded_at = Set(at);
        saved.push(row.save(txn).await?.try_into_model()?);
    }
    let kept = attendance::Entity::find()
        .filter(attendance::Column::EnrolmentId.eq(e.id))
        .count(txn)
        .await?;
    if kept > MAX_ENTRIES_PER_ENROLMENT {
        return Err(ApiError::Conflict(format!(
            "an enrolment keeps at most {MAX_ENTRIES_PER_ENROLMENT} attendance entries"
        )));
    }
    let statuses: Vec<AttendanceStatus> = attendance::Entity::find()
        .filter(attendance::Column::EnrolmentId.eq(e.id))
        .order_by_asc(attendance::Column::OnDate)
        .order_by_asc(attendance::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .map(|a| a.status)
        .collect();
    let run = trailing_absences(&statuses);
    let config = EducationConfig::from_json(config_for(txn, registry, e.organisation_id, ID).await?.as_ref());
    let threshold = i32::try_from(config.absence_alert_after).unwrap_or(i32::MAX);
    let c = case::Entity::find_by_id(e.case_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    let was_open = e.absence_alert_open;
    let open = if run >= threshold {
        true
    } else if run == 0 {
        false
    } else {
        was_open
    };
    let mut row: enrolment::ActiveModel = e.clone().into();
    row.consecutive_absences = Set(run);
    row.absence_alert_open = Set(open);
    row.updated_at = Set(at);
    let row = row.update(txn).await?;
    audit::record(
        txn,
        p,
        Entry::new("education.attendance.record")
            .target("EducationEnrolment", row.id)
            .case(row.case_id)
            .detail(json!({"entries": checked.len(), "consecutiveAbsences": run})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("education.attendance_recorded", "EducationEnrolment", row.id)
            .case(row.case_id)
            .organisation(row.organisation_id)
            .payload(json!({"enrolmentId": row.id, "entries": checked.len(), "consecutiveAbsences": run})),
    )
    .await?;
    let attendance_rate = rate(&statuses);
    if open && !was_open {
        // Addressed to the organisation that supervises the case: its probation officer
        // must act.
        events::emit(
            txn,
            Some(p),
            NewEvent::new("education.absence_alert", "EducationEnrolment", row.id)
                .case(row.case_id)
                .organisation(c.organisation_id)
                .payload(json!({
                    "enrolmentId": row.id,
                    "referralId": row.referral_id,
                    "consecutiveAbsences": run,
                    "threshold": threshold,
                    "attendanceRate": attendance_rate,
                })),
        )
        .await?;
    } else if was_open && !open {
        events::emit(
            txn,
            Some(p),
            NewEvent::new("education.attendance_recovered", "EducationEnrolment", row.id)
                .case(row.case_id)
                .organisation(c.organisation_id)
                .payload(json!({
                    "enrolmentId": row.id,
                    "referralId": row.referral_id,
                    "attendanceRate": attendance_rate,
                })),
        )
        .await?;
    }
    Ok((row, saved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    #[test]
    fn a_run_of_absences_skips_excused_ones() {
        assert_eq!(trailing_absences(&[]), 0);
        assert_eq!(trailing_absences(&[Present, Absent, Absent]), 2);
        assert_eq!(trailing_absences(&[Absent, Excused, Absent]), 2);
        assert_eq!(trailing_absences(&[Absent, Absent, Late]), 0);
    }

    #[test]
    fn the_rate_counts_late_as_attended_and_ignores_excused() {
        assert_eq!(rate(&[]), None);
        assert_eq!(rate(&[Excused]), None);
        assert_eq!(rate(&[Present, Late, Absent, Excused]), Some(2.0 / 3.0));
    }
}
