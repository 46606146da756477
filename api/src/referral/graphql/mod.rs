//! GraphQL types and queries of referrals; the mutations are `mutation.rs`, what a
//! partner sees of the referred person `subject.rs`.

mod mutation;
mod subject;

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};

pub use self::mutation::ReferralMutation;
pub use self::subject::ReferralSubject;
use crate::access::partner::{SUPERVISOR_SCOPE, is_recipient, partner_grant};
use crate::access::{CaseAccess, case_access};
use crate::case::graphql::{Case, case_of};
use crate::consent::graphql::Consent;
use crate::db::now;
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{children, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::plan::graphql::{PlanGoal, fetch_goal};
use crate::referral::entity::{
    CancelReason, DeclineReason, LegalBasis, ReferralStatus, WithdrawalReason, referral, transition,
};
use crate::referral::service::{self, ReferralFilter};
use crate::user::graphql::User;

/// A referral of a case to a partner organisation for a module's service.
pub struct Referral(pub referral::Model);

impl Referral {
    /// The referral's case, and whether the caller supervises it (Supervise access).
    async fn case_and_supervision(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<(crate::case::entity::case::Model, bool)>> {
        let p = principal(ctx)?;
        Ok(one(&loaders(ctx)?.cases, self.0.case_id).await?.map(|c| {
            let supervises = case_access(p, &c).is_some_and(|a| a >= CaseAccess::Supervise);
            (c, supervises)
        }))
    }
}

#[Object]
impl Referral {
    pub async fn id(&self) -> ID {
        ids::encode("Referral", self.0.id)
    }
    /// The referral kind's code (`employment.job_search`); see `Module.referralKinds`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The module that handles the kind.
    async fn module_id(&self) -> &str {
        &self.0.module_id
    }
    async fn status(&self) -> ReferralStatus {
        self.0.status
    }
    /// Why the person is referred.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The module-specific details, as the module validated them.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(self.0.payload.clone())
    }
    /// The case, for callers who may see it (null for the partner: see `subject`).
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    /// What the partner may know of the person, within the consent's data scope: only
    /// while the referral is ACCEPTED or IN_PROGRESS and its consent is live. The
    /// supervising agencies see it whenever they may see the case.
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<ReferralSubject>> {
        let p = principal(ctx)?;
        let l = loaders(ctx)?;
        let Some((c, supervises)) = self.case_and_supervision(ctx).await? else {
            return Ok(None);
        };
        let scope = if supervises {
            Some(SUPERVISOR_SCOPE.to_vec())
        } else if is_recipient(p, &self.0) {
            let consent = match self.0.consent_id {
                Some(id) => one(&l.consents, id).await?,
                None => None,
            };
            partner_grant(&self.0, consent.as_ref())
        } else {
            None
        };
        let Some(scope) = scope else {
            return Ok(None);
        };
        let Some(person) = one(&l.persons, self.0.person_id).await? else {
            return Ok(None);
        };
        Ok(Some(ReferralSubject {
            scope,
            person,
            case_id: c.id,
            sentence_end: c.sentence_end,
        }))
    }
    #[allow(clippy::wrong_self_convention)] // `fromOrganisation` is the published field name.
    async fn from_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.from_organisation_id)
            .await?
            .map(Organisation))
    }
    async fn to_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.to_organisation_id)
            .await?
            .map(Organisation))
    }
    /// The rehabilitation-plan goal the referral serves (null when none was named, or
    /// for a caller who may not see the case's plan).
    async fn plan_goal(&self, ctx: &Context<'_>) -> Result<Option<PlanGoal>> {
        match self.0.plan_goal_id {
            Some(id) => fetch_goal(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The partner's own reference, unique within the partner organisation.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    /// The consent the referral was sent under (absent when sent under a legal basis),
    /// for the agencies supervising the case; the partner sees what it covers in
    /// `subject.dataScope`.
    async fn consent(&self, ctx: &Context<'_>) -> Result<Option<Consent>> {
        let Some(id) = self.0.consent_id else {
            return Ok(None);
        };
        let Some((_, true)) = self.case_and_supervision(ctx).await? else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.consents, id).await?.map(Consent))
    }
    /// The legal ground it was sent on without consent.
    async fn legal_basis(&self) -> Option<LegalBasis> {
        self.0.legal_basis
    }
    async fn legal_basis_reason(&self) -> Option<&str> {
        self.0.legal_basis_note.as_deref()
    }
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    /// When the partner must have accepted or declined.
    async fn first_response_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_response_due_at
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// Still SENT after its first-response deadline.
    async fn overdue(&self) -> bool {
        self.0.is_overdue(now())
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn decline_reason(&self) -> Option<DeclineReason> {
        self.0.decline_reason
    }
    async fn cancel_reason(&self) -> Option<CancelReason> {
        self.0.cancel_reason
    }
    async fn withdrawal_reason(&self) -> Option<WithdrawalReason> {
        self.0.withdrawal_reason
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.created_by).await?.map(User))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Every status change, oldest first: who, when, why.
    async fn transitions(&self, ctx: &Context<'_>) -> Result<Vec<ReferralTransition>> {
        let rows = children(&loaders(ctx)?.transitions_by_referral, self.0.id).await?;
        Ok(rows.into_iter().map(ReferralTransition).collect())
    }
}

/// One status change of a referral.
pub struct ReferralTransition(pub transition::Model);

#[Object]
impl ReferralTransition {
    /// Absent for the creation of the draft.
    async fn from_status(&self) -> Option<ReferralStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> ReferralStatus {
        self.0.to_status
    }
    /// The decline, cancel or withdrawal reason's name.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.actor_user_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn actor_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.actor_organisation_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.organisations, id).await?.map(Organisation))
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// Fetch one referral the caller may see.
pub async fn fetch_referral(ctx: &Context<'_>, id: i64) -> Result<Option<Referral>> {
    let p = principal(ctx)?;
    match service::get(&state(ctx)?.db, p, id).await {
        Ok(r) => Ok(Some(Referral(r))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Which side of referrals to list.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReferralDirection {
    /// Received by the caller's organisation.
    Incoming,
    /// Sent by the caller's organisation.
    Outgoing,
}

#[derive(InputObject, Default)]
pub struct ReferralFilterInput {
    pub direction: Option<ReferralDirection>,
    pub statuses: Option<Vec<ReferralStatus>>,
    pub case_id: Option<ID>,
    pub module_id: Option<String>,
    pub kind: Option<String>,
    /// Only referrals still waiting for a first response past their deadline (true), or
    /// only the others (false).
    pub overdue: Option<bool>,
}

#[derive(Default)]
pub struct ReferralQuery;

#[Object]
impl ReferralQuery {
    /// Referrals the caller may see, newest first: those of cases they may see, and
    /// those sent to their organisation.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ReferralFilterInput>,
    ) -> Result<Conn<Referral>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let filter = ReferralFilter {
            incoming: f.direction.map(|d| d == ReferralDirection::Incoming),
            statuses: f.statuses.unwrap_or_default(),
            case_id: ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")?,
            module_id: crate::validate::optional("filter.moduleId", f.module_id.as_deref(), 64)?,
            kind: crate::validate::optional("filter.kind", f.kind.as_deref(), 64)?,
            overdue: f.overdue,
        };
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, Referral))
    }

    /// The referral your organisation received under your own reference (the
    /// `externalId` set when accepting it, or with `setReferralExternalId`).
    async fn referral_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<Referral>> {
        let p = principal(ctx)?;
        let row = service::by_external_id(&state(ctx)?.db, p, &external_id).await?;
        Ok(row.map(Referral))
    }
}
