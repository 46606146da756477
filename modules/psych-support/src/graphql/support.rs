//! The provider's work on a referral: the support record, its plan and goals.

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
use crate::entity::{SessionKind, SupportGoalOutcome, plan_goal, plan_item};
use crate::service::support_search::SupportView;

/// The provider's work on one psychological-support referral, as its provider and the
/// agencies supervising the case see it. Confidential notes and screening results are
/// not part of it: practitioners read them through `confidentialNotes` and
/// `screeningHistory`.
#[derive(Clone)]
pub struct PsychSupportRecord(pub SupportView);

#[Object(
    name = "PsychSupport",
    visible = "super::psych_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl PsychSupportRecord {
    async fn id(&self) -> ID {
        ids::encode("PsychSupport", self.0.model.id)
    }
    /// The referral (its reason and urgency are in `payload`).
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<Referral>> {
        Ok(one(&loaders(ctx)?.referrals, self.0.model.referral_id)
            .await?
            .map(Referral))
    }
    /// The practitioner assigned.
    async fn practitioner(&self) -> Option<Practitioner> {
        self.0.practitioner.clone().map(Practitioner)
    }
    /// The support plan: sessions planned by kind, and its goals (empty until drawn up).
    async fn planned_sessions(&self) -> Vec<PlannedSessions> {
        self.0.items.iter().cloned().map(PlannedSessions).collect()
    }
    async fn goals(&self) -> Vec<SupportGoal> {
        self.0.goals.iter().cloned().map(SupportGoal).collect()
    }
    /// What the practitioner chose to share with the agencies supervising the case.
    async fn shared_summary(&self) -> Option<&str> {
        self.0.model.shared_summary.as_deref()
    }
    async fn shared_summary_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.shared_summary_at
    }
    /// When a screening last raised an urgent safety flag (PHQ-9 item 9 above 0).
    async fn urgent_flag_raised_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.urgent_flag_at
    }
    /// A screening total of 10 or more since the plan was last drawn up suggests a review.
    async fn plan_review_suggested(&self) -> bool {
        self.0.model.plan_review_suggested
    }
    /// The closing summary written when support ended (shared with the agencies).
    async fn closing_summary(&self) -> Option<&str> {
        self.0.model.closing_summary.as_deref()
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.closed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }
}

/// Sessions of one kind in a support plan.
pub struct PlannedSessions(pub plan_item::Model);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PlannedSessions {
    async fn kind(&self) -> SessionKind {
        self.0.kind
    }
    async fn count(&self) -> i32 {
        self.0.sessions
    }
}

/// A goal of the support plan, with its outcome once support ended.
pub struct SupportGoal(pub plan_goal::Model);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl SupportGoal {
    async fn id(&self) -> ID {
        ids::encode("PsychGoal", self.0.id)
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn outcome(&self) -> Option<SupportGoalOutcome> {
        self.0.outcome
    }
    async fn outcome_note(&self) -> Option<&str> {
        self.0.outcome_note.as_deref()
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PsychSupportFilterInput {
    pub practitioner_id: Option<ID>,
    pub case_id: Option<ID>,
    /// Only support still under way (`true`) or ended (`false`).
    pub open: Option<bool>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct AcceptPsychReferralInput {
    pub referral_id: ID,
    pub practitioner_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct AssignPractitionerInput {
    pub referral_id: ID,
    pub practitioner_id: ID,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct PlannedSessionsInput {
    pub kind: SessionKind,
    pub count: i32,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct SetSupportPlanInput {
    pub referral_id: ID,
    /// Sessions planned, by kind (each kind once).
    pub sessions: Vec<PlannedSessionsInput>,
    /// The goals of the support (1 to 10).
    pub goals: Vec<String>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct ShareSupportSummaryInput {
    pub referral_id: ID,
    /// What the agencies supervising the case may read.
    pub summary: String,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct SupportGoalOutcomeInput {
    pub goal_id: ID,
    pub outcome: SupportGoalOutcome,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct CloseSupportInput {
    pub referral_id: ID,
    /// The closing summary, shared with the agencies supervising the case.
    pub summary: String,
    /// One outcome for every goal of the support plan.
    pub outcomes: Vec<SupportGoalOutcomeInput>,
}
