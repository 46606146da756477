//! The clinical record only the provider's practitioners read: confidential notes and
//! screenings.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::graphql::context::loaders;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::{Conn, Page, Paged, TotalCount};
use hamkor_api::user::graphql::User;

use super::psych_visible;
use crate::ID as MODULE;
use crate::entity::{Instrument, ScreeningBand, note, screening};
use crate::scoring::ScreeningTrend;

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

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct AddConfidentialNoteInput {
    pub referral_id: ID,
    pub session_id: Option<ID>,
    pub body: String,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct RecordScreeningInput {
    pub referral_id: ID,
    pub instrument: Instrument,
    /// The answers in item order, 0–3 each: 9 for PHQ-9, 7 for GAD-7.
    pub items: Vec<i32>,
    /// Default: now.
    pub administered_at: Option<DateTime<Utc>>,
}
