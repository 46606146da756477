//! What a partner may know of a referred person.

use async_graphql::{Context, Object, Result};
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{ReferralStatus, referral};
use super::service::RECIPIENT_ROLES;
use crate::auth::principal::Principal;
use crate::case::graphql::CaseCondition;
use crate::consent::entity as consent;
use crate::consent::entity::DataScope;
use crate::db::now;
use crate::error::ApiResult;
use crate::graphql::context::loaders;
use crate::loaders::{children, one};
use crate::person::entity::Sex;
use crate::territory::graphql::Mahalla;

/// The minimum a partner needs to know of a referred person. Fields outside the
/// consent's data scope are null.
pub struct ReferralSubject {
    pub(super) scope: Vec<DataScope>,
    pub(super) person: crate::person::entity::Model,
    pub(super) case_id: i64,
    pub(super) sentence_end: NaiveDate,
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
        self.person.full_name()
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

/// What the recipient may see of the referred person, and through which consent (or
/// legal basis): only while the referral is ACCEPTED or IN_PROGRESS and its consent is
/// live. `None`: nothing.
pub fn partner_grant(
    r: &referral::Model,
    consent: Option<&consent::Model>,
) -> Option<Vec<consent::DataScope>> {
    use consent::DataScope;
    if !matches!(r.status, ReferralStatus::Accepted | ReferralStatus::InProgress) {
        return None;
    }
    if r.legal_basis.is_some() && r.consent_id.is_none() {
        return Some(vec![
            DataScope::Identity,
            DataScope::Contact,
            DataScope::SentenceConditions,
        ]);
    }
    let c = consent.filter(|c| Some(c.id) == r.consent_id && c.is_live(now()))?;
    let mut scopes = c.scopes();
    if !scopes.contains(&DataScope::Identity) {
        scopes.push(DataScope::Identity);
    }
    Some(scopes)
}

/// Whether `p` reaches case `case_id` as a partner: through an ACCEPTED or IN_PROGRESS
/// referral to their organisation whose consent is live (or that has a legal basis).
pub async fn partner_reaches_case<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    case_id: i64,
) -> ApiResult<bool> {
    Ok(partner_referral(db, p, case_id, None, None).await?.is_some())
}

/// The newest referral through which partner `p` works case `case_id` now: ACCEPTED or
/// IN_PROGRESS, addressed to their organisation, of `module` when given, under a live
/// consent (or a legal basis) whose scope includes `scope` when given.
pub async fn partner_referral<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    case_id: i64,
    module: Option<&str>,
    scope: Option<DataScope>,
) -> ApiResult<Option<referral::Model>> {
    if !p.has_any_role(RECIPIENT_ROLES) {
        return Ok(None);
    }
    let mut q = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(case_id))
        .filter(referral::Column::ToOrganisationId.eq(p.organisation_id))
        .filter(referral::Column::Status.is_in([ReferralStatus::Accepted, ReferralStatus::InProgress]));
    if let Some(m) = module {
        q = q.filter(referral::Column::ModuleId.eq(m));
    }
    for r in q.order_by_desc(referral::Column::Id).all(db).await? {
        let consent = match r.consent_id {
            Some(id) => consent::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let grant = partner_grant(&r, consent.as_ref());
        if grant.is_some_and(|s| scope.is_none_or(|needed| s.contains(&needed))) {
            return Ok(Some(r));
        }
    }
    Ok(None)
}
