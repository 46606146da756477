//! Appointments, violations and notes. Inspectors and officers record contacts and
//! violations; only the lead probation service decides the response to a violation.
//! Notes are read by visibility level, and every read is audited.

mod amend;
mod appointments;
mod notes;
mod violations;

use chrono::{DateTime, Duration, Utc};

pub use amend::{AppointmentPatch, update_appointment, update_appointment_in};
pub use appointments::{
    AppointmentFilter, CheckIn, filter_condition as appointment_filter, list_appointments,
    load_for_change as appointment_for_change, record_check_in, record_check_in_in, record_outcome,
    schedule_appointment,
};
pub use notes::{
    add_note, add_note_in, audit_note_read, edit_note, edit_note_in, note_for_change, read_note,
};
pub use violations::{NewViolation, record_violation, record_violation_in, respond_to_violation};

use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::db::now;
use crate::error::{ApiError, ApiResult};

/// How far ahead an appointment may be scheduled.
const MAX_SCHEDULE_AHEAD_DAYS: i64 = 366;
/// Clock tolerance for "not in the future".
const CLOCK_SKEW_MINUTES: i64 = 5;

/// Refuse a time after now (with a little clock tolerance).
fn not_in_future(field: &str, at: DateTime<Utc>) -> ApiResult<()> {
    if at > now() + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(ApiError::bad_input(field, "must not be in the future"));
    }
    Ok(())
}

/// Refuse a change on a closed case.
fn require_open(c: &case::Model) -> ApiResult<()> {
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    Ok(())
}
