//! GraphQL types and operations of referrals.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::entity::{
    CancelReason, DeclineReason, LegalBasis, ReferralStatus, WithdrawalReason, referral, transition,
};
use super::lifecycle::Step;
use super::service::{self, NewReferral, Override, ReferralFilter, partner_grant};
use crate::access::{CaseAccess, case_access};
use crate::case::graphql::{Case, CaseCondition};
use crate::consent::entity::DataScope;
use crate::consent::graphql::Consent;
use crate::db::now;
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{children, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::person::entity::Sex;
use crate::territory::graphql::Mahalla;
use crate::user::graphql::User;

/// A referral of a case to a partner organisation for a module's service.
pub struct Referral(pub referral::Model);

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
        let p = principal(ctx)?;
        let Some(model) = one(&loaders(ctx)?.cases, self.0.case_id).await? else {
            return Ok(None);
        };
        Ok(case_access(p, &model).map(|access| Case { model, access }))
    }
    /// What the partner may know of the person, within the consent's data scope: only
    /// while the referral is ACCEPTED or IN_PROGRESS and its consent is live. The
    /// supervising agencies see it whenever they may see the case.
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<ReferralSubject>> {
        let p = principal(ctx)?;
        let l = loaders(ctx)?;
        let Some(c) = one(&l.cases, self.0.case_id).await? else {
            return Ok(None);
        };
        let scope = if case_access(p, &c).is_some_and(|a| a >= CaseAccess::Supervise) {
            Some(vec![
                DataScope::Identity,
                DataScope::Contact,
                DataScope::SentenceConditions,
                DataScope::RehabilitationPlan,
            ])
        } else if service::is_recipient(p, &self.0) {
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
        let p = principal(ctx)?;
        let l = loaders(ctx)?;
        let supervises = one(&l.cases, self.0.case_id)
            .await?
            .and_then(|c| case_access(p, &c))
            .is_some_and(|a| a >= CaseAccess::Supervise);
        if !supervises {
            return Ok(None);
        }
        Ok(one(&l.consents, id).await?.map(Consent))
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

/// The minimum a partner needs to know of a referred person. Fields outside the
/// consent's data scope are null.
pub struct ReferralSubject {
    scope: Vec<DataScope>,
    person: crate::person::entity::Model,
    case_id: i64,
    sentence_end: NaiveDate,
}

impl ReferralSubject {
    fn has(&self, s: DataScope) -> bool {
        self.scope.contains(&s)
    }
}

#[Object]
impl ReferralSubject {
    /// The data the partner may see.
    async fn data_scope(&self) -> &[DataScope] {
        &self.scope
    }
    async fn full_name(&self) -> String {
        let m = &self.person;
        match &m.patronymic {
            Some(p) => format!("{} {} {}", m.last_name, m.first_name, p),
            None => format!("{} {}", m.last_name, m.first_name),
        }
    }
    async fn birth_year(&self) -> i32 {
        self.person.birth_date.year()
    }
    async fn sex(&self) -> Option<Sex> {
        self.person.sex
    }
    /// CONTACT scope.
    async fn phone(&self) -> Option<&str> {
        self.has(DataScope::Contact)
            .then_some(self.person.phone.as_deref())
            .flatten()
    }
    /// CONTACT scope: the mahalla of residence.
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        if !self.has(DataScope::Contact) {
            return Ok(None);
        }
        Ok(one(&loaders(ctx)?.mahallas, self.person.mahalla_id)
            .await?
            .map(Mahalla))
    }
    /// SENTENCE_CONDITIONS scope.
    async fn sentence_end(&self) -> Option<NaiveDate> {
        self.has(DataScope::SentenceConditions)
            .then_some(self.sentence_end)
    }
    /// SENTENCE_CONDITIONS scope: the conditions in force today (curfew, travel limits).
    async fn conditions(&self, ctx: &Context<'_>) -> Result<Option<Vec<CaseCondition>>> {
        if !self.has(DataScope::SentenceConditions) {
            return Ok(None);
        }
        let rows = children(&loaders(ctx)?.conditions_by_case, self.case_id).await?;
        let today = now().date_naive();
        Ok(Some(
            rows.into_iter()
                .map(CaseCondition)
                .filter(|c| c.in_force(today))
                .collect(),
        ))
    }
    /// REHABILITATION_PLAN scope: the plan's goals, as described.
    async fn plan_goals(&self, ctx: &Context<'_>) -> Result<Option<Vec<String>>> {
        if !self.has(DataScope::RehabilitationPlan) {
            return Ok(None);
        }
        let l = loaders(ctx)?;
        let mut out = Vec::new();
        for plan in children(&l.plan_by_case, self.case_id).await? {
            for goal in children(&l.goals_by_plan, plan.id).await? {
                out.push(goal.description);
            }
        }
        Ok(Some(out))
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
}

#[derive(InputObject)]
pub struct CreateReferralInput {
    pub case_id: ID,
    /// A referral kind's code (see `modules { referralKinds { code } }`).
    pub kind: String,
    /// The partner organisation; it must have the kind's module enabled.
    pub to_organisation_id: ID,
    /// Why the person is referred.
    pub summary: String,
    /// Module-specific details, validated by the module (default: `{}`).
    pub payload: Option<Json<serde_json::Value>>,
}

#[derive(InputObject)]
pub struct SendReferralInput {
    pub id: ID,
    /// Send without the person's consent on this legal ground (audited as an override).
    pub legal_basis: Option<LegalBasis>,
    /// Required with `legalBasis`: the court decision, statute or emergency it rests on.
    pub legal_basis_reason: Option<String>,
}

#[derive(InputObject)]
pub struct ReferralStepInput {
    pub id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct AcceptReferralInput {
    pub id: ID,
    /// The partner's own reference for the referral.
    pub external_id: Option<String>,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct DeclineReferralInput {
    pub id: ID,
    pub reason: DeclineReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct CancelReferralInput {
    pub id: ID,
    pub reason: CancelReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct WithdrawReferralInput {
    pub id: ID,
    pub reason: WithdrawalReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct SetReferralExternalIdInput {
    pub id: ID,
    /// Absent: clear it.
    pub external_id: Option<String>,
}

/// The referral after a change.
#[derive(SimpleObject)]
pub struct ReferralPayload {
    pub referral: Referral,
}

fn referral_id(id: &ID) -> Result<i64, ApiError> {
    ids::decode_as(id, "Referral", "input.id")
}

async fn take_step(
    ctx: &Context<'_>,
    id: &ID,
    step: Step,
    note: Option<&str>,
    external_id: Option<&str>,
) -> Result<ReferralPayload> {
    let p = principal(ctx)?;
    let row = service::step(&state(ctx)?.db, p, referral_id(id)?, step, note, external_id).await?;
    Ok(ReferralPayload {
        referral: Referral(row),
    })
}

#[derive(Default)]
pub struct ReferralMutation;

#[Object]
impl ReferralMutation {
    /// Prepare a referral of a case (a DRAFT, invisible to the partner).
    async fn create_referral(
        &self,
        ctx: &Context<'_>,
        input: CreateReferralInput,
    ) -> Result<ReferralPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let new = NewReferral {
            case_id: ids::decode_as(&input.case_id, "Case", "input.caseId")?,
            kind: input.kind,
            to_organisation_id: ids::decode_as(
                &input.to_organisation_id,
                "Organisation",
                "input.toOrganisationId",
            )?,
            summary: input.summary,
            payload: input.payload.map_or(serde_json::Value::Null, |j| j.0),
        };
        let row = service::create(&st.db, &st.modules, p, new).await?;
        Ok(ReferralPayload {
            referral: Referral(row),
        })
    }

    /// Send a draft: needs a live consent covering the partner and purpose, or a legal
    /// basis with its reason. Starts the first-response deadline.
    async fn send_referral(&self, ctx: &Context<'_>, input: SendReferralInput) -> Result<ReferralPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let legal = match (input.legal_basis, input.legal_basis_reason) {
            (Some(basis), Some(reason)) => Some(Override { basis, reason }),
            (Some(_), None) => {
                return Err(ApiError::bad_input(
                    "input.legalBasisReason",
                    "give the reason for the legal basis",
                )
                .into());
            }
            (None, Some(_)) => {
                return Err(ApiError::bad_input("input.legalBasis", "name the legal basis").into());
            }
            (None, None) => None,
        };
        let row = service::send(&st.db, &st.modules, p, referral_id(&input.id)?, legal).await?;
        Ok(ReferralPayload {
            referral: Referral(row),
        })
    }

    /// Partner: take the person on.
    async fn accept_referral(
        &self,
        ctx: &Context<'_>,
        input: AcceptReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Accept,
            input.note.as_deref(),
            input.external_id.as_deref(),
        )
        .await
    }

    /// Partner: refuse, with a reason.
    async fn decline_referral(
        &self,
        ctx: &Context<'_>,
        input: DeclineReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Decline(input.reason),
            input.note.as_deref(),
            None,
        )
        .await
    }

    /// Partner: the service has started.
    async fn start_referral(&self, ctx: &Context<'_>, input: ReferralStepInput) -> Result<ReferralPayload> {
        take_step(ctx, &input.id, Step::Start, input.note.as_deref(), None).await
    }

    /// Partner: the service was delivered.
    async fn complete_referral(
        &self,
        ctx: &Context<'_>,
        input: ReferralStepInput,
    ) -> Result<ReferralPayload> {
        take_step(ctx, &input.id, Step::Complete, input.note.as_deref(), None).await
    }

    /// Referrer: stop the referral, with a reason.
    async fn cancel_referral(
        &self,
        ctx: &Context<'_>,
        input: CancelReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Cancel(input.reason),
            input.note.as_deref(),
            None,
        )
        .await
    }

    /// Either side: stop a referral under way because the person or partner withdrew.
    async fn withdraw_referral(
        &self,
        ctx: &Context<'_>,
        input: WithdrawReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Withdraw(input.reason),
            input.note.as_deref(),
            None,
        )
        .await
    }

    /// Partner: record or clear its own reference for the referral.
    async fn set_referral_external_id(
        &self,
        ctx: &Context<'_>,
        input: SetReferralExternalIdInput,
    ) -> Result<ReferralPayload> {
        let p = principal(ctx)?;
        let row = service::set_external_id(
            &state(ctx)?.db,
            p,
            referral_id(&input.id)?,
            input.external_id.as_deref(),
        )
        .await?;
        Ok(ReferralPayload {
            referral: Referral(row),
        })
    }
}
