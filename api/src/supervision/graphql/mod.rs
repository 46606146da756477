//! GraphQL types and operations of appointments, violations and case notes.

mod appointment;
mod mutation;
mod note;
mod violation;

use async_graphql::{Context, Object, Result};

pub(crate) use appointment::list_appointments;
pub use appointment::{Appointment, AppointmentFilterInput, fetch_appointment};
pub use mutation::{
    AddCaseNoteInput, RecordCheckInInput, RecordViolationInput, ScheduleAppointmentInput, SupervisionMutation,
};
pub(crate) use note::list_notes;
pub use note::{CaseNote, fetch_note};
pub(crate) use violation::list_violations;
pub use violation::{Violation, fetch_violation};

use crate::graphql::context::loaders;
use crate::loaders::one;
use crate::pagination::Conn;
use crate::user::graphql::User;

/// A user by id, through the request's loader.
async fn user(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(one(&loaders(ctx)?.users, id).await?.map(User))
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
