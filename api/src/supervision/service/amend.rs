//! Changing an appointment after the fact: its place, its outcome note, and its outcome
//! when none is recorded yet. Each change claims the next version, so a web client
//! (`expectedVersion`) and a field device (sync push) never overwrite each other
//! unknowingly.

use sea_orm::{ActiveEnum, ActiveModelTrait, ActiveValue::Set, DatabaseConnection, DatabaseTransaction};
use serde_json::json;

use super::appointments::{claim, load_for_change};
use super::not_in_future;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::supervision::entity::{AppointmentOutcome, appointment};
use crate::sync::{records, version};
use crate::validate;

/// The fields to change (`None`: leave as it is; `Some(None)`: clear).
#[derive(Debug, Default, Clone)]
pub struct AppointmentPatch {
    pub location: Option<Option<String>>,
    /// Recorded when the appointment has none yet (not RESCHEDULED: that needs the new
    /// time, through `recordAppointmentOutcome`).
    pub outcome: Option<AppointmentOutcome>,
    pub outcome_note: Option<Option<String>>,
}

impl AppointmentPatch {
    pub fn is_empty(&self) -> bool {
        self.location.is_none() && self.outcome.is_none() && self.outcome_note.is_none()
    }
}

/// Change an appointment (officer or inspector of the case).
pub async fn update_appointment(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    patch: AppointmentPatch,
    expected_version: Option<i32>,
) -> ApiResult<appointment::Model> {
    let txn = write_txn(db).await?;
    let row = update_appointment_in(&txn, p, id, patch, expected_version).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`update_appointment`] inside the caller's transaction (a synced change).
pub async fn update_appointment_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    patch: AppointmentPatch,
    expected_version: Option<i32>,
) -> ApiResult<appointment::Model> {
    if patch.is_empty() {
        return Err(ApiError::bad_input("input", "give at least one field to change"));
    }
    let location = match &patch.location {
        Some(l) => Some(validate::optional(
            "input.location",
            l.as_deref(),
            validate::SHORT_TEXT,
        )?),
        None => None,
    };
    let note = match &patch.outcome_note {
        Some(n) => Some(validate::optional("input.outcomeNote", n.as_deref(), 2_000)?),
        None => None,
    };
    let (current, c) = load_for_change(txn, p, id).await?;
    version::expect(expected_version, current.version, || {
        records::appointment(&current)
    })?;
    let recording = match (patch.outcome, current.outcome) {
        (Some(to), Some(from)) if to != from => {
            return Err(ApiError::TransitionRefused {
                from: enum_name(from),
                to: enum_name(to),
                current: records::appointment(&current),
            });
        }
        (Some(AppointmentOutcome::Rescheduled), None) => {
            return Err(ApiError::bad_input(
                "input.outcome",
                "record a rescheduling with its new time (recordAppointmentOutcome)",
            ));
        }
        (Some(to), None) => {
            if matches!(to, AppointmentOutcome::Attended | AppointmentOutcome::Missed) {
                not_in_future("input.outcome", current.scheduled_at).map_err(|_| {
                    ApiError::bad_input("input.outcome", "the appointment has not happened yet")
                })?;
            }
            Some(to)
        }
        _ => None,
    };
    if note.is_some() && recording.is_none() && current.outcome.is_none() {
        return Err(ApiError::bad_input(
            "input.outcomeNote",
            "an outcome note goes with a recorded outcome",
        ));
    }
    let mut fields = Vec::new();
    let next = claim(txn, &current).await?;
    let mut row: appointment::ActiveModel = current.into();
    row.version = Set(next);
    if let Some(l) = location {
        row.location = Set(l);
        fields.push("location");
    }
    if let Some(n) = note {
        row.outcome_note = Set(n);
        fields.push("outcomeNote");
    }
    if let Some(o) = recording {
        row.outcome = Set(Some(o));
        row.outcome_recorded_at = Set(Some(now()));
        row.outcome_recorded_by = Set(Some(p.user_id));
        fields.push("outcome");
    }
    let row = row.update(txn).await?;
    audit::record(
        txn,
        p,
        Entry::new("appointment.update")
            .target("Appointment", row.id)
            .case(c.id)
            .detail(json!({"fields": fields, "version": row.version})),
    )
    .await?;
    let event = match recording {
        Some(o) => NewEvent::new("appointment.outcome_recorded", "Appointment", row.id).payload(json!({
            "outcome": o.to_value(),
            "kind": row.kind.to_value(),
            "scheduledAt": row.scheduled_at,
        })),
        None => NewEvent::new("appointment.updated", "Appointment", row.id)
            .payload(json!({"fields": fields, "version": row.version})),
    };
    events::emit(txn, Some(p), event.case(c.id).organisation(c.organisation_id)).await?;
    Ok(row)
}
