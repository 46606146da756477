//! Who may do what in the module, and the one way a change is recorded.
//!
//! The provider is the organisation a psychological-support referral is addressed to.
//! Its practitioners (PARTNER_STAFF) do the clinical work and alone read confidential
//! notes and screenings; its admins manage practitioners and assignments. The agencies
//! that supervise the case (Supervise access or more: probation officers, prevention
//! inspectors) follow attendance, the plan, safety flags and what the practitioner
//! shares. Mahalla members see nothing of it.

use hamkor_api::access::{CaseAccess, cases_with_access, of_cases};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::referral::entity::{ReferralStatus, referral};
use hamkor_api::referral::service::get_of_module_for_change;
use hamkor_api::user::entity::Role;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::Value as Json;

use crate::ID;
use crate::entity::support;

/// A practitioner of organisation `organisation_id`: its PARTNER_STAFF.
pub fn is_practitioner_of(p: &Principal, organisation_id: i64) -> bool {
    p.organisation_id == organisation_id && p.has_role(Role::PartnerStaff)
}

/// Staff or admin of organisation `organisation_id`.
pub fn is_member_of(p: &Principal, organisation_id: i64) -> bool {
    p.organisation_id == organisation_id && p.has_any_role(&[Role::PartnerStaff, Role::OrgAdmin])
}

/// Require the caller to be a practitioner of the referral's provider.
pub fn require_practitioner(p: &Principal, r: &referral::Model) -> ApiResult<()> {
    if is_practitioner_of(p, r.to_organisation_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the provider's practitioners do this".into(),
        ))
    }
}

/// Rows (with a `case_id` and an `organisation_id` column) that `p` may see: the
/// provider's members, and the agencies supervising the case.
pub fn provider_or_supervisor(p: &Principal, org: impl ColumnTrait, case: impl ColumnTrait) -> Condition {
    let mut any = Condition::any().add(of_cases(case, cases_with_access(p, CaseAccess::Supervise)));
    if p.has_any_role(&[Role::PartnerStaff, Role::OrgAdmin]) {
        any = any.add(org.eq(p.organisation_id));
    }
    any
}

/// The SQL condition selecting the support records `p` may see.
pub fn visible_supports(p: &Principal) -> Condition {
    provider_or_supervisor(p, support::Column::OrganisationId, support::Column::CaseId)
}

/// A referral of this module under way (ACCEPTED or IN_PROGRESS), locked for a change by
/// one of the provider's practitioners, with its support record.
pub async fn work_in_progress(
    txn: &DatabaseTransaction,
    p: &Principal,
    referral_id: i64,
) -> ApiResult<(referral::Model, support::Model)> {
    let r = get_of_module_for_change(txn, p, referral_id, ID).await?;
    require_practitioner(p, &r)?;
    if !matches!(r.status, ReferralStatus::Accepted | ReferralStatus::InProgress) {
        return Err(ApiError::Conflict("the referral is not under way".into()));
    }
    let s = support_of(txn, r.id)
        .await?
        .ok_or_else(|| ApiError::Conflict("assign a practitioner to the referral first".into()))?;
    Ok((r, s))
}

/// The support record of a referral, if it has one.
pub async fn support_of<C: ConnectionTrait>(db: &C, referral_id: i64) -> ApiResult<Option<support::Model>> {
    Ok(support::Entity::find()
        .filter(support::Column::ReferralId.eq(referral_id))
        .one(db)
        .await?)
}

/// Who is told about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The provider's staff only (clinical work: notes, screening results).
    Provider,
    /// The provider and the agencies supervising the case (attendance, plan, flags).
    ProviderAndCase,
}

/// Audit a change and emit its domain event, in the change's transaction. The event's
/// aggregate is the referral, so it reaches exactly the referral's audiences; its
/// payload holds ids and enumerations only.
pub async fn record_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    s: &support::Model,
    (action, event_type): (&'static str, &'static str),
    target: (&'static str, i64),
    audience: Audience,
    payload: Json,
) -> ApiResult<()> {
    let mut payload = payload;
    if let Json::Object(map) = &mut payload {
        map.insert("referralId".into(), s.referral_id.into());
        map.insert("module".into(), ID.into());
    }
    audit::record(
        txn,
        p,
        Entry::new(action)
            .target(target.0, target.1)
            .case(s.case_id)
            .detail(payload.clone()),
    )
    .await?;
    let mut event = NewEvent::new(event_type, "Referral", s.referral_id)
        .organisation(s.organisation_id)
        .payload(payload);
    if audience == Audience::ProviderAndCase {
        event = event.case(s.case_id);
    }
    events::emit(txn, Some(p), event).await?;
    Ok(())
}
