//! Applying a device's values through the ordinary service functions of each kind:
//! records created offline, fields merged, and the value a conflict's resolution
//! chooses — each checked, audited and with its usual event, as any change.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, DatabaseTransaction};
use serde_json::{Map, Value as Json};

use super::dispatch::Applied;
use super::push::PushChange;
use crate::auth::principal::Principal;
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::mahalla::tasks;
use crate::supervision::entity::{AppointmentKind, AppointmentOutcome, NoteVisibility};
use crate::supervision::service::{self as supervision, AppointmentPatch, CheckIn};
use crate::sync::entity::SyncKind;
use crate::sync::records;

/// Apply merged field values through the ordinary service function of the kind (the
/// conflict resolution applies a chosen value the same way). `all` is everything the
/// phone sent (a task's outcome goes with its status).
pub(super) async fn apply_fields(
    txn: &DatabaseTransaction,
    p: &Principal,
    kind: SyncKind,
    id: i64,
    apply: &Map<String, Json>,
    all: &Map<String, Json>,
) -> ApiResult<Json> {
    match kind {
        SyncKind::Appointment => {
            let patch = AppointmentPatch {
                location: apply
                    .get("location")
                    .map(|v| text(v, "values.location"))
                    .transpose()?,
                outcome: apply
                    .get("outcome")
                    .map(|v| enum_value::<AppointmentOutcome>(v, "values.outcome"))
                    .transpose()?,
                outcome_note: apply
                    .get("outcomeNote")
                    .map(|v| text(v, "values.outcomeNote"))
                    .transpose()?,
            };
            let row = supervision::update_appointment_in(txn, p, id, patch, None).await?;
            Ok(records::appointment(&row))
        }
        SyncKind::CaseNote => {
            let body = required(apply.get("body"), "values.body")?;
            let row = supervision::edit_note_in(txn, p, id, &body, None).await?;
            Ok(records::note(&row))
        }
        SyncKind::MahallaTask => {
            if apply.get("status").is_none() {
                return Err(ApiError::bad_input(
                    "values.outcome",
                    "a task's outcome is recorded when it is done",
                ));
            }
            let outcome = required(all.get("outcome"), "values.outcome")?;
            let row = tasks::complete_in(txn, p, id, &outcome, None).await?;
            Ok(records::task(&row))
        }
        kind @ (SyncKind::Case | SyncKind::ProgrammeActivity | SyncKind::Module) => Err(ApiError::bad_input(
            "kind",
            format!("{} records are not changed from a device", enum_name(kind)),
        )),
    }
}

pub(super) async fn create_check_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    c: &PushChange,
) -> ApiResult<Applied> {
    let case_id = c
        .case_id
        .ok_or_else(|| ApiError::bad_input("caseId", "give the case of a new record"))?;
    let v = &c.values;
    let at: DateTime<Utc> = v
        .get("at")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or_else(|| ApiError::bad_input("values.at", "give when the contact happened (RFC 3339)"))?;
    let check_in = CheckIn {
        kind: enum_value::<AppointmentKind>(v.get("kind").unwrap_or(&Json::Null), "values.kind")?,
        at,
        outcome: match v.get("outcome") {
            Some(o) => enum_value::<AppointmentOutcome>(o, "values.outcome")?,
            None => AppointmentOutcome::Attended,
        },
        location: v
            .get("location")
            .map(|l| text(l, "values.location"))
            .transpose()?
            .flatten(),
        note: v
            .get("outcomeNote")
            .map(|n| text(n, "values.outcomeNote"))
            .transpose()?
            .flatten(),
    };
    let row = supervision::record_check_in_in(txn, p, case_id, check_in).await?;
    Ok(Applied {
        id: row.id,
        case_id: row.case_id,
        record: records::appointment(&row),
        conflicts: Vec::new(),
    })
}

pub(super) async fn create_note(
    txn: &DatabaseTransaction,
    p: &Principal,
    c: &PushChange,
) -> ApiResult<Applied> {
    let case_id = c
        .case_id
        .ok_or_else(|| ApiError::bad_input("caseId", "give the case of a new record"))?;
    let visibility = enum_value::<NoteVisibility>(
        c.values.get("visibility").unwrap_or(&Json::Null),
        "values.visibility",
    )?;
    let body = required(c.values.get("body"), "values.body")?;
    let row = supervision::add_note_in(txn, p, case_id, visibility, &body).await?;
    Ok(Applied {
        id: row.id,
        case_id: row.case_id,
        record: records::note(&row),
        conflicts: Vec::new(),
    })
}

/// A text value or null.
fn text(v: &Json, field: &str) -> ApiResult<Option<String>> {
    match v {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        _ => Err(ApiError::bad_input(field, "must be a string or null")),
    }
}

fn required(v: Option<&Json>, field: &str) -> ApiResult<String> {
    v.map(|v| text(v, field))
        .transpose()?
        .flatten()
        .ok_or_else(|| ApiError::bad_input(field, "required"))
}

/// An enumeration value by its name.
fn enum_value<E: ActiveEnum<Value = String>>(v: &Json, field: &str) -> ApiResult<E> {
    let name = v
        .as_str()
        .ok_or_else(|| ApiError::bad_input(field, "must be the name of a value"))?;
    E::try_from_value(&name.to_owned()).map_err(|_| ApiError::bad_input(field, "not a known value"))
}
