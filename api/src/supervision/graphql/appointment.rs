//! Appointments and check-ins: the object, the work list's filter, and fetching one.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

use super::user;
use crate::access::{CaseField, case_access};
use crate::case::graphql::{Case, case_of};
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{Filter, one};
use crate::pagination::{Conn, Order};
use crate::supervision::entity::{AppointmentKind, AppointmentOutcome, appointment};
use crate::supervision::service::{self, AppointmentFilter};
use crate::user::graphql::User;

/// A reporting appointment, visit or call, planned or recorded after the fact.
pub struct Appointment(pub appointment::Model);

#[Object]
impl Appointment {
    pub async fn id(&self) -> ID {
        ids::encode("Appointment", self.0.id)
    }
    /// Incremented by every change; pass it as `expectedVersion` to change the record
    /// only if nobody else did meanwhile.
    async fn version(&self) -> i32 {
        self.0.version
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
    if let Some(case_id) = case_id {
        // A case's appointments (the case already checked by its resolver): batched
        // across the cases of a page, one statement per set of arguments.
        return Ok(loaders(ctx)?
            .nested(
                appointment::Column::CaseId,
                appointment::Column::Id,
                Order::Descending,
            )
            .connection(
                case_id,
                Filter::new(service::appointment_filter(filter)),
                page,
                |m| m.id,
                Appointment,
            )
            .await?);
    }
    let rows = service::list_appointments(&state(ctx)?.db, p, None, filter, page).await?;
    Ok(rows.into_connection(|m| m.id, Appointment))
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
