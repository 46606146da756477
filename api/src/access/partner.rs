//! What a partner organisation reaches: the referrals it received, and the referred
//! person's data within the consent's scope (or a recorded legal basis).
//!
//! A partner never sees a case itself. It sees a referral once it is sent to it, and
//! the person behind it only while the referral is ACCEPTED or IN_PROGRESS and its
//! consent is live; what it then sees is the consent's data scope (identity always).
//! The supervising agencies see referrals through their access to the case.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{CaseField, cases_with_access, of_cases};
use crate::auth::principal::Principal;
use crate::consent::entity::{self as consent, DataScope};
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::referral::entity::{ReferralStatus, referral};
use crate::user::entity::Role;

/// Roles of a partner organisation that work what it offers and the referrals it
/// receives.
pub const PARTNER_ROLES: &[Role] = &[Role::PartnerStaff, Role::OrgAdmin];

/// What the agencies supervising a case see of a referred person: everything a
/// consent can cover.
pub const SUPERVISOR_SCOPE: [DataScope; 4] = [
    DataScope::Identity,
    DataScope::Contact,
    DataScope::SentenceConditions,
    DataScope::RehabilitationPlan,
];

/// Refuse a caller who is not partner staff (or the admin) of `organisation_id`.
pub fn require_partner_staff(p: &Principal, organisation_id: i64) -> ApiResult<()> {
    if p.organisation_id == organisation_id && p.has_any_role(PARTNER_ROLES) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only staff of the organisation that owns it may do this".into(),
        ))
    }
}

/// The SQL condition selecting the referrals `p` may see: those of cases they supervise
/// (not mahalla members: referrals are the agencies' work), and those sent (not drafts)
/// to their organisation if they handle its referrals.
pub fn visible_referrals(p: &Principal) -> Condition {
    let mut any = Condition::any().add(of_cases(
        referral::Column::CaseId,
        cases_with_access(p, CaseField::Referrals.needs()),
    ));
    if p.has_any_role(PARTNER_ROLES) {
        any = any.add(
            Condition::all()
                .add(referral::Column::ToOrganisationId.eq(p.organisation_id))
                .add(referral::Column::Status.ne(ReferralStatus::Draft)),
        );
    }
    any
}

/// Whether `p` handles referrals received by their organisation, for `r`.
pub fn is_recipient(p: &Principal, r: &referral::Model) -> bool {
    r.to_organisation_id == p.organisation_id && p.has_any_role(PARTNER_ROLES)
}

/// What the recipient may see of the referred person, and through which consent (or
/// legal basis): only while the referral is ACCEPTED or IN_PROGRESS and its consent is
/// live. `None`: nothing.
pub fn partner_grant(r: &referral::Model, consent: Option<&consent::Model>) -> Option<Vec<DataScope>> {
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
    if !p.has_any_role(PARTNER_ROLES) {
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
