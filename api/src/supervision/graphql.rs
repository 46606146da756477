//! GraphQL types and operations of appointments, violations and case notes.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

use super::entity::{
    AppointmentKind, AppointmentOutcome, NoteVisibility, ViolationKind, ViolationResponse, ViolationSeverity,
    appointment, note, violation,
};
use super::service::{self, AppointmentFilter, CheckIn, NewViolation};
use crate::access::{CaseAccess, CaseField, case_access};
use crate::case::entity::case;
use crate::case::graphql::{Case, case_of};
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{note_variant, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::user::graphql::User;

async fn user(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(one(&loaders(ctx)?.users, id).await?.map(User))
}

/// A reporting appointment, visit or call, planned or recorded after the fact.
pub struct Appointment(pub appointment::Model);

#[Object]
impl Appointment {
    pub async fn id(&self) -> ID {
        ids::encode("Appointment", self.0.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn kind(&self) -> AppointmentKind {
        self.0.kind
    }
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.scheduled_at
    }
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// Absent until recorded.
    async fn outcome(&self) -> Option<AppointmentOutcome> {
        self.0.outcome
    }
    async fn outcome_note(&self) -> Option<&str> {
        self.0.outcome_note.as_deref()
    }
    async fn outcome_recorded_at(&self) -> Option<DateTime<Utc>> {
        self.0.outcome_recorded_at
    }
    async fn outcome_recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.outcome_recorded_by).await
    }
    /// The follow-up appointment of a RESCHEDULED one.
    async fn rescheduled_to(&self, ctx: &Context<'_>) -> Result<Option<Appointment>> {
        let Some(id) = self.0.rescheduled_to_id else {
            return Ok(None);
        };
        let row = appointment::Entity::find_by_id(id)
            .one(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?;
        Ok(row.map(Appointment))
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, Some(self.0.created_by)).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A breach of the sentence's conditions and the response taken.
pub struct Violation(pub violation::Model);

#[Object]
impl Violation {
    pub async fn id(&self) -> ID {
        ids::encode("Violation", self.0.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn kind(&self) -> ViolationKind {
        self.0.kind
    }
    async fn severity(&self) -> ViolationSeverity {
        self.0.severity
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Absent until the probation service decides.
    async fn response(&self) -> Option<ViolationResponse> {
        self.0.response
    }
    async fn response_note(&self) -> Option<&str> {
        self.0.response_note.as_deref()
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.responded_by).await
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, Some(self.0.recorded_by)).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A note on a case, readable according to its visibility.
pub struct CaseNote(pub note::Model);

#[Object]
impl CaseNote {
    pub async fn id(&self) -> ID {
        ids::encode("CaseNote", self.0.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn visibility(&self) -> NoteVisibility {
        self.0.visibility
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, Some(self.0.author_id)).await
    }
    /// The author's organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject, Default)]
pub struct AppointmentFilterInput {
    /// Scheduled at or after.
    pub from: Option<DateTime<Utc>>,
    /// Scheduled before.
    pub to: Option<DateTime<Utc>>,
    pub kinds: Option<Vec<AppointmentKind>>,
    pub outcomes: Option<Vec<AppointmentOutcome>>,
    /// Only appointments whose outcome is not recorded yet.
    #[graphql(default = false)]
    pub pending_only: bool,
}

pub(crate) async fn list_appointments(
    ctx: &Context<'_>,
    case_id: Option<i64>,
    first: Option<i32>,
    after: Option<String>,
    filter: Option<AppointmentFilterInput>,
) -> Result<Conn<Appointment>> {
    let p = principal(ctx)?;
    let page = page(ctx, first, after)?;
    if let (Some(case_id), None) = (case_id, &filter) {
        // The common nested case (a case's latest appointments): batched across cases.
        return Ok(loaders(ctx)?
            .appointments
            .connection(case_id, 0, page, |m| m.id, Appointment)
            .await?);
    }
    let f = filter.unwrap_or_default();
    if let (Some(from), Some(to)) = (f.from, f.to)
        && from > to
    {
        return Err(ApiError::bad_input("filter.to", "must not be before filter.from").into());
    }
    let filter = AppointmentFilter {
        from: f.from,
        to: f.to,
        kinds: f.kinds.unwrap_or_default(),
        outcomes: f.outcomes.unwrap_or_default(),
        pending_only: f.pending_only,
    };
    let rows = service::list_appointments(&state(ctx)?.db, p, case_id, filter, page).await?;
    Ok(rows.into_connection(|m| m.id, Appointment))
}

pub(crate) async fn list_violations(
    ctx: &Context<'_>,
    case_id: i64,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<Violation>> {
    let page = page(ctx, first, after)?;
    Ok(loaders(ctx)?
        .violations
        .connection(case_id, 0, page, |m| m.id, Violation)
        .await?)
}

/// Notes of a case the caller may read at `access`, newest first; the read is audited
/// with the ids returned before they are returned.
pub(crate) async fn list_notes(
    ctx: &Context<'_>,
    case: &case::Model,
    access: CaseAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<CaseNote>> {
    let p = principal(ctx)?;
    let page = page(ctx, first, after)?;
    let rows = loaders(ctx)?
        .notes
        .paged(case.id, note_variant(access), page)
        .await?;
    let ids: Vec<i64> = rows.rows.iter().map(|n| n.id).collect();
    service::audit_note_read(&state(ctx)?.db, p, case.id, &ids).await?;
    Ok(rows.into_connection(|m| m.id, CaseNote))
}

/// Fetch one appointment of a case the caller may supervise.
pub async fn fetch_appointment(ctx: &Context<'_>, id: i64) -> Result<Option<Appointment>> {
    let p = principal(ctx)?;
    let db = &state(ctx)?.db;
    let Some(row) = appointment::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ApiError::from)?
    else {
        return Ok(None);
    };
    let Some(c) = one(&loaders(ctx)?.cases, row.case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &c)
        .filter(|a| CaseField::Appointments.shown_at(*a))
        .map(|_| Appointment(row)))
}

/// Fetch one violation of a case the caller may supervise.
pub async fn fetch_violation(ctx: &Context<'_>, id: i64) -> Result<Option<Violation>> {
    let p = principal(ctx)?;
    let db = &state(ctx)?.db;
    let Some(row) = violation::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ApiError::from)?
    else {
        return Ok(None);
    };
    let Some(c) = one(&loaders(ctx)?.cases, row.case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &c)
        .filter(|a| CaseField::Violations.shown_at(*a))
        .map(|_| Violation(row)))
}

/// Fetch one note the caller may read (audited).
pub async fn fetch_note(ctx: &Context<'_>, id: i64) -> Result<Option<CaseNote>> {
    let p = principal(ctx)?;
    match service::read_note(&state(ctx)?.db, p, id).await {
        Ok((row, _)) => Ok(Some(CaseNote(row))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Default)]
pub struct SupervisionQuery;

#[Object]
impl SupervisionQuery {
    /// Appointments across the cases the caller supervises, newest first: a work list
    /// (e.g. `pendingOnly` with a date range).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AppointmentFilterInput>,
    ) -> Result<Conn<Appointment>> {
        list_appointments(ctx, None, first, after, filter).await
    }
}

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
    ) -> Result<Appointment> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Appointment", "id")?;
        let row =
            service::record_outcome(&state(ctx)?.db, p, id, outcome, note.as_deref(), reschedule_to).await?;
        Ok(Appointment(row))
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
