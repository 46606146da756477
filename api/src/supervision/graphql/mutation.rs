//! Mutations of supervision records: appointments and check-ins, violations and the
//! responses to them, case notes.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

use super::{Appointment, CaseNote, Violation};
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::supervision::entity::{
    AppointmentKind, AppointmentOutcome, NoteVisibility, ViolationKind, ViolationResponse, ViolationSeverity,
};
use crate::supervision::service::{self, AppointmentPatch, CheckIn, NewViolation};

#[derive(InputObject)]
pub struct ScheduleAppointmentInput {
    pub case_id: ID,
    pub kind: AppointmentKind,
    pub scheduled_at: DateTime<Utc>,
    pub location: Option<String>,
}

#[derive(InputObject)]
pub struct RecordCheckInInput {
    pub case_id: ID,
    pub kind: AppointmentKind,
    /// When the contact happened (not in the future).
    pub at: DateTime<Utc>,
    #[graphql(default_with = "AppointmentOutcome::Attended")]
    pub outcome: AppointmentOutcome,
    pub location: Option<String>,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateAppointmentInput {
    pub location: MaybeUndefined<String>,
    /// Recorded only when the appointment has no outcome yet (not RESCHEDULED).
    pub outcome: Option<AppointmentOutcome>,
    pub outcome_note: MaybeUndefined<String>,
}

/// Left out: unchanged; null: cleared; a value: set.
fn maybe(v: MaybeUndefined<String>) -> Option<Option<String>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(InputObject)]
pub struct RecordViolationInput {
    pub case_id: ID,
    pub kind: ViolationKind,
    pub severity: ViolationSeverity,
    /// When it happened (not in the future, not before the sentence started).
    pub occurred_at: DateTime<Utc>,
    pub description: String,
}

#[derive(InputObject)]
pub struct AddCaseNoteInput {
    pub case_id: ID,
    /// Who may read it; at most what the author may read.
    pub visibility: NoteVisibility,
    pub body: String,
}

#[derive(Default)]
pub struct SupervisionMutation;

#[Object]
impl SupervisionMutation {
    /// Schedule an appointment (officer or inspector of the case).
    async fn schedule_appointment(
        &self,
        ctx: &Context<'_>,
        input: ScheduleAppointmentInput,
    ) -> Result<Appointment> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&input.case_id, "Case", "input.caseId")?;
        let row = service::schedule_appointment(
            &state(ctx)?.db,
            p,
            case_id,
            input.kind,
            input.scheduled_at,
            input.location.as_deref(),
        )
        .await?;
        Ok(Appointment(row))
    }

    /// Record what happened at an appointment; RESCHEDULED needs `rescheduleTo` and
    /// creates the follow-up appointment.
    async fn record_appointment_outcome(
        &self,
        ctx: &Context<'_>,
        id: ID,
        outcome: AppointmentOutcome,
        note: Option<String>,
        reschedule_to: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Refuse (CONFLICT, with the appointment as it is now) if it is no longer at this version."
        )]
        expected_version: Option<i32>,
    ) -> Result<Appointment> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Appointment", "id")?;
        let row = service::record_outcome(
            &state(ctx)?.db,
            p,
            id,
            outcome,
            note.as_deref(),
            reschedule_to,
            expected_version,
        )
        .await?;
        Ok(Appointment(row))
    }

    /// Change an appointment's place or outcome note, or record its outcome when none
    /// is yet (officer or inspector of the case). A field left out stays as it is; null
    /// clears it.
    async fn update_appointment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAppointmentInput,
        #[graphql(
            desc = "Refuse (CONFLICT, with the appointment as it is now) if it is no longer at this version."
        )]
        expected_version: Option<i32>,
    ) -> Result<Appointment> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Appointment", "id")?;
        let patch = AppointmentPatch {
            location: maybe(input.location),
            outcome: input.outcome,
            outcome_note: maybe(input.outcome_note),
        };
        let row = service::update_appointment(&state(ctx)?.db, p, id, patch, expected_version).await?;
        Ok(Appointment(row))
    }

    /// Correct the body of a note (its author only).
    async fn edit_case_note(
        &self,
        ctx: &Context<'_>,
        id: ID,
        body: String,
        #[graphql(
            desc = "Refuse (CONFLICT, with the note as it is now) if it is no longer at this version."
        )]
        expected_version: Option<i32>,
    ) -> Result<CaseNote> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "CaseNote", "id")?;
        let row = service::edit_note(&state(ctx)?.db, p, id, &body, expected_version).await?;
        Ok(CaseNote(row))
    }

    /// Record an unplanned contact that already happened (e.g. an unannounced home visit).
    async fn record_check_in(&self, ctx: &Context<'_>, input: RecordCheckInInput) -> Result<Appointment> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&input.case_id, "Case", "input.caseId")?;
        let check_in = CheckIn {
            kind: input.kind,
            at: input.at,
            outcome: input.outcome,
            location: input.location,
            note: input.note,
        };
        let row = service::record_check_in(&state(ctx)?.db, p, case_id, check_in).await?;
        Ok(Appointment(row))
    }

    /// Record a violation (officer or inspector of the case).
    async fn record_violation(&self, ctx: &Context<'_>, input: RecordViolationInput) -> Result<Violation> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&input.case_id, "Case", "input.caseId")?;
        let v = NewViolation {
            kind: input.kind,
            severity: input.severity,
            occurred_at: input.occurred_at,
            description: input.description,
        };
        let row = service::record_violation(&state(ctx)?.db, p, case_id, v).await?;
        Ok(Violation(row))
    }

    /// Decide or revise the response to a violation (lead probation service).
    async fn respond_to_violation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        response: ViolationResponse,
        note: Option<String>,
    ) -> Result<Violation> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Violation", "id")?;
        let row = service::respond_to_violation(&state(ctx)?.db, p, id, response, note.as_deref()).await?;
        Ok(Violation(row))
    }

    /// Add a note to a case.
    async fn add_case_note(&self, ctx: &Context<'_>, input: AddCaseNoteInput) -> Result<CaseNote> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&input.case_id, "Case", "input.caseId")?;
        let row = service::add_note(&state(ctx)?.db, p, case_id, input.visibility, &input.body).await?;
        Ok(CaseNote(row))
    }
}
