//! Practitioners, providers and support records as GraphQL objects. Each carries the
//! module's `visible` predicate and guard.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::graphql::context::loaders;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::referral::graphql::Referral;
use hamkor_api::user::graphql::User;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::ID as MODULE;
use crate::entity::{
    SessionKind, Specialism, SupportGoalOutcome, TagKind, plan_goal, plan_item, practitioner,
    practitioner_tag, support,
};
use crate::{practitioners, support as supports};

/// A psychologist of a provider organisation.
#[derive(Clone)]
pub struct Practitioner {
    pub model: practitioner::Model,
    pub tags: Vec<practitioner_tag::Model>,
}

impl Practitioner {
    /// Wrap many practitioners with their tags (one query).
    pub async fn wrap_all<C: ConnectionTrait>(
        db: &C,
        rows: Vec<practitioner::Model>,
    ) -> ApiResult<Vec<Self>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut tags = practitioners::tags_of(db, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|model| Self {
                tags: tags.remove(&model.id).unwrap_or_default(),
                model,
            })
            .collect())
    }

    /// Load many practitioners by id, with their tags (two queries).
    pub async fn load_many<C: ConnectionTrait>(db: &C, ids: Vec<i64>) -> ApiResult<HashMap<i64, Self>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = practitioner::Entity::find()
            .filter(practitioner::Column::Id.is_in(ids))
            .all(db)
            .await?;
        Ok(Self::wrap_all(db, rows)
            .await?
            .into_iter()
            .map(|p| (p.model.id, p))
            .collect())
    }
}

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl Practitioner {
    async fn id(&self) -> ID {
        ids::encode("Practitioner", self.model.id)
    }
    /// The practitioner's user account.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.model.user_id).await?.map(User))
    }
    async fn specialisms(&self) -> Vec<Specialism> {
        self.tags
            .iter()
            .filter(|t| t.tag_kind == TagKind::Specialism)
            .filter_map(|t| serde_json::from_value(serde_json::Value::String(t.code.clone())).ok())
            .collect()
    }
    /// Languages the practitioner works in (ISO 639 codes).
    async fn languages(&self) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|t| t.tag_kind == TagKind::Language)
            .map(|t| t.code.as_str())
            .collect()
    }
    /// Whether new referrals and sessions may be given to them.
    async fn active(&self) -> bool {
        self.model.active
    }
}

/// The provider's work on one psychological-support referral, as its provider and the
/// agencies supervising the case see it. Confidential notes and screening results are
/// not part of it: practitioners read them through `confidentialNotes` and
/// `screeningHistory`.
#[derive(Clone)]
pub struct PsychSupportRecord {
    pub model: support::Model,
    pub items: Vec<plan_item::Model>,
    pub goals: Vec<plan_goal::Model>,
    pub practitioner: Option<Practitioner>,
}

impl PsychSupportRecord {
    /// Wrap support records with their plans and practitioners (four queries in all).
    pub async fn wrap_all<C: ConnectionTrait>(db: &C, rows: Vec<support::Model>) -> ApiResult<Vec<Self>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut plans = supports::plans_of(db, &ids).await?;
        let people =
            Practitioner::load_many(db, rows.iter().filter_map(|r| r.practitioner_id).collect()).await?;
        Ok(rows
            .into_iter()
            .map(|model| {
                let (items, goals) = plans.remove(&model.id).unwrap_or_default();
                let practitioner = model.practitioner_id.and_then(|id| people.get(&id).cloned());
                Self {
                    model,
                    items,
                    goals,
                    practitioner,
                }
            })
            .collect())
    }

    pub async fn wrap<C: ConnectionTrait>(db: &C, row: support::Model) -> ApiResult<Self> {
        Self::wrap_all(db, vec![row])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal("wrapping a support record", std::io::Error::other("missing")))
    }
}

#[Object(
    name = "PsychSupport",
    visible = "super::psych_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl PsychSupportRecord {
    async fn id(&self) -> ID {
        ids::encode("PsychSupport", self.model.id)
    }
    /// The referral (its reason and urgency are in `payload`).
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<Referral>> {
        Ok(one(&loaders(ctx)?.referrals, self.model.referral_id)
            .await?
            .map(Referral))
    }
    /// The practitioner assigned.
    async fn practitioner(&self) -> Option<&Practitioner> {
        self.practitioner.as_ref()
    }
    /// The support plan: sessions planned by kind, and its goals (empty until drawn up).
    async fn planned_sessions(&self) -> Vec<PlannedSessions> {
        self.items.iter().cloned().map(PlannedSessions).collect()
    }
    async fn goals(&self) -> Vec<SupportGoal> {
        self.goals.iter().cloned().map(SupportGoal).collect()
    }
    /// What the practitioner chose to share with the agencies supervising the case.
    async fn shared_summary(&self) -> Option<&str> {
        self.model.shared_summary.as_deref()
    }
    async fn shared_summary_at(&self) -> Option<DateTime<Utc>> {
        self.model.shared_summary_at
    }
    /// When a screening last raised an urgent safety flag (PHQ-9 item 9 above 0).
    async fn urgent_flag_raised_at(&self) -> Option<DateTime<Utc>> {
        self.model.urgent_flag_at
    }
    /// A screening total of 10 or more since the plan was last drawn up suggests a review.
    async fn plan_review_suggested(&self) -> bool {
        self.model.plan_review_suggested
    }
    /// The closing summary written when support ended (shared with the agencies).
    async fn closing_summary(&self) -> Option<&str> {
        self.model.closing_summary.as_deref()
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.model.closed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
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

/// An organisation that delivers psychological support, with what its active
/// practitioners offer (their names stay with the organisation).
pub struct PsychProvider {
    pub organisation: hamkor_api::organisation::entity::Model,
    pub offer: practitioners::Offer,
}

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PsychProvider {
    async fn organisation(&self) -> hamkor_api::organisation::graphql::Organisation {
        hamkor_api::organisation::graphql::Organisation(self.organisation.clone())
    }
    /// Active practitioners.
    async fn practitioner_count(&self) -> i32 {
        i32::try_from(self.offer.practitioners).unwrap_or(i32::MAX)
    }
    async fn specialisms(&self) -> Vec<Specialism> {
        self.offer
            .specialisms
            .iter()
            .filter_map(|c| serde_json::from_value(serde_json::Value::String(c.clone())).ok())
            .collect()
    }
    async fn languages(&self) -> Vec<&str> {
        self.offer.languages.iter().map(String::as_str).collect()
    }
}
