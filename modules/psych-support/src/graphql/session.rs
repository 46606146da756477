//! Sessions, their participants and reschedules.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::graphql::context::loaders;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::referral::graphql::Referral;

use super::practitioner::Practitioner;
use super::psych_visible;
use crate::ID as MODULE;
use crate::entity::{SessionAttendance, SessionFormat, SessionKind, SessionMode, participant, reschedule};
use crate::service::session_search::SessionView;

/// A session, individual or group. The agencies see the participants of their own
/// cases only.
pub struct PsychSession(pub SessionView);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PsychSession {
    async fn id(&self) -> ID {
        ids::encode("PsychSession", self.0.model.id)
    }
    /// The provider's own reference (`setSessionExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.model.external_id.as_deref()
    }
    async fn format(&self) -> SessionFormat {
        self.0.model.format
    }
    async fn kind(&self) -> SessionKind {
        self.0.model.kind
    }
    async fn mode(&self) -> SessionMode {
        self.0.model.mode
    }
    async fn place(&self) -> Option<&str> {
        self.0.model.place.as_deref()
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.model.starts_at
    }
    async fn duration_minutes(&self) -> i32 {
        self.0.model.duration_minutes
    }
    async fn practitioner(&self) -> Option<Practitioner> {
        self.0.practitioner.clone().map(Practitioner)
    }
    /// The people of the session, each with their attendance.
    async fn participants(&self) -> Vec<SessionParticipant> {
        self.0
            .participants
            .iter()
            .cloned()
            .map(SessionParticipant)
            .collect()
    }
    /// Earlier times of the session, oldest first, with the reasons it moved.
    async fn reschedules(&self) -> Vec<SessionReschedule> {
        self.0
            .reschedules
            .iter()
            .cloned()
            .map(SessionReschedule)
            .collect()
    }
}

/// One person in a session.
pub struct SessionParticipant(pub participant::Model);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl SessionParticipant {
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<Referral>> {
        Ok(one(&loaders(ctx)?.referrals, self.0.referral_id)
            .await?
            .map(Referral))
    }
    /// Absent until recorded.
    async fn attendance(&self) -> Option<SessionAttendance> {
        self.0.attendance
    }
    /// Why the person was late or did not come.
    async fn attendance_reason(&self) -> Option<&str> {
        self.0.attendance_reason.as_deref()
    }
    async fn attendance_recorded_at(&self) -> Option<DateTime<Utc>> {
        self.0.attendance_recorded_at
    }
}

/// A move of a session to another time.
pub struct SessionReschedule(pub reschedule::Model);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl SessionReschedule {
    async fn from_starts_at(&self) -> DateTime<Utc> {
        self.0.from_starts_at
    }
    async fn to_starts_at(&self) -> DateTime<Utc> {
        self.0.to_starts_at
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PsychSessionFilterInput {
    pub referral_id: Option<ID>,
    pub practitioner_id: Option<ID>,
    /// Sessions starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before this time.
    pub to: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct SchedulePsychSessionInput {
    /// One referral for an individual session, 2 to 20 for a group session.
    pub referral_ids: Vec<ID>,
    pub format: SessionFormat,
    pub kind: SessionKind,
    pub mode: SessionMode,
    /// Required in person.
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    #[graphql(default = 60)]
    pub duration_minutes: i32,
    /// Default: the caller's own practitioner profile.
    pub practitioner_id: Option<ID>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct ReschedulePsychSessionInput {
    pub session_id: ID,
    pub starts_at: DateTime<Utc>,
    pub reason: String,
    pub mode: Option<SessionMode>,
    pub place: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct RecordSessionAttendanceInput {
    pub session_id: ID,
    /// The referral of the person whose attendance this is.
    pub referral_id: ID,
    pub attendance: SessionAttendance,
    /// Required when LATE or DID_NOT_ATTEND.
    pub reason: Option<String>,
}
