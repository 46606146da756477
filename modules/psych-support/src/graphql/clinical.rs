//! Sessions, notes and screenings as GraphQL objects. Each carries the module's
//! `visible` predicate and guard.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::loaders;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::{Conn, Page, Paged, TotalCount};
use hamkor_api::referral::graphql::Referral;
use hamkor_api::user::graphql::User;
use sea_orm::ConnectionTrait;

use super::types::Practitioner;
use crate::ID as MODULE;
use crate::entity::{
    Instrument, ScreeningBand, SessionAttendance, SessionFormat, SessionKind, SessionMode, note, participant,
    reschedule, screening, session,
};
use crate::scoring::ScreeningTrend;
use crate::sessions;

/// A session, individual or group. The agencies see the participants of their own
/// cases only.
pub struct PsychSession {
    pub model: session::Model,
    pub participants: Vec<participant::Model>,
    pub reschedules: Vec<reschedule::Model>,
    pub practitioner: Option<Practitioner>,
}

impl PsychSession {
    /// Wrap sessions with what `p` may see of their participants, their reschedules and
    /// practitioners (four queries in all).
    pub async fn wrap_all<C: ConnectionTrait>(
        db: &C,
        p: &Principal,
        rows: Vec<session::Model>,
    ) -> ApiResult<Vec<Self>> {
        let mut details = sessions::details_of(db, p, &rows).await?;
        let people = Practitioner::load_many(db, rows.iter().map(|r| r.practitioner_id).collect()).await?;
        Ok(rows
            .into_iter()
            .map(|model| {
                let (participants, reschedules) = details.remove(&model.id).unwrap_or_default();
                Self {
                    practitioner: people.get(&model.practitioner_id).cloned(),
                    model,
                    participants,
                    reschedules,
                }
            })
            .collect())
    }
}

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PsychSession {
    async fn id(&self) -> ID {
        ids::encode("PsychSession", self.model.id)
    }
    /// The provider's own reference (`setSessionExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.model.external_id.as_deref()
    }
    async fn format(&self) -> SessionFormat {
        self.model.format
    }
    async fn kind(&self) -> SessionKind {
        self.model.kind
    }
    async fn mode(&self) -> SessionMode {
        self.model.mode
    }
    async fn place(&self) -> Option<&str> {
        self.model.place.as_deref()
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.model.starts_at
    }
    async fn duration_minutes(&self) -> i32 {
        self.model.duration_minutes
    }
    async fn practitioner(&self) -> Option<&Practitioner> {
        self.practitioner.as_ref()
    }
    /// The people of the session, each with their attendance.
    async fn participants(&self) -> Vec<SessionParticipant> {
        self.participants
            .iter()
            .cloned()
            .map(SessionParticipant)
            .collect()
    }
    /// Earlier times of the session, oldest first, with the reasons it moved.
    async fn reschedules(&self) -> Vec<SessionReschedule> {
        self.reschedules.iter().cloned().map(SessionReschedule).collect()
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

/// A confidential note: only the provider's practitioners read it, and every read is
/// audited.
pub struct ConfidentialNote(pub note::Model);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl ConfidentialNote {
    async fn id(&self) -> ID {
        ids::encode("PsychNote", self.0.id)
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.author_user_id).await?.map(User))
    }
    /// The session it is about, if any.
    async fn session_id(&self) -> Option<ID> {
        self.0.session_id.map(|id| ids::encode("PsychSession", id))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A scored screening.
pub struct Screening(pub screening::Model);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl Screening {
    async fn id(&self) -> ID {
        ids::encode("PsychScreening", self.0.id)
    }
    async fn instrument(&self) -> Instrument {
        self.0.instrument
    }
    /// The answers, in item order (0–3 each).
    async fn items(&self) -> Vec<i32> {
        serde_json::from_value(self.0.items.clone()).unwrap_or_default()
    }
    /// The total, computed by the server.
    async fn total(&self) -> i32 {
        self.0.total
    }
    async fn band(&self) -> ScreeningBand {
        self.0.band
    }
    /// PHQ-9 item 9 answered above 0: an urgent safety flag was raised.
    async fn safety_flag(&self) -> bool {
        self.0.safety_flag
    }
    /// A total of 10 or more: a review of the support plan is suggested.
    async fn plan_review_suggested(&self) -> bool {
        self.0.plan_review_suggested
    }
    async fn administered_at(&self) -> DateTime<Utc> {
        self.0.administered_at
    }
}

/// A person's screenings of one instrument with the provider, newest first.
pub struct ScreeningHistory {
    pub instrument: Instrument,
    pub trend: ScreeningTrend,
    pub latest: Option<screening::Model>,
    pub rows: Vec<screening::Model>,
    pub has_next: bool,
    pub page: Page,
    pub total: TotalCount,
}

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl ScreeningHistory {
    async fn instrument(&self) -> Instrument {
        self.instrument
    }
    /// The latest total against the one before it (a change of 5 points on PHQ-9, 4 on
    /// GAD-7, counts as real).
    async fn trend(&self) -> ScreeningTrend {
        self.trend
    }
    async fn latest(&self) -> Option<Screening> {
        self.latest.clone().map(Screening)
    }
    /// The requested page of the history.
    async fn screenings(&self) -> Conn<Screening> {
        Paged {
            rows: self.rows.clone(),
            has_next: self.has_next,
            page: self.page,
            total: self.total.clone(),
        }
        .into_connection(|m| m.id, Screening)
    }
}
