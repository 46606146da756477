//! Who may do what in the module, and the one way a change is recorded.
//!
//! The provider is the organisation a psychological-support referral is addressed to.
//! Its practitioners (PARTNER_STAFF) do the clinical work and alone read confidential
//! notes and screenings; its admins manage practitioners and assignments. The agencies
//! that supervise the case (Supervise access or more: probation officers, prevention
//! inspectors) follow attendance, the plan, safety flags and what the practitioner
//! shares. Mahalla members see nothing of it.
//!
//! Every change a service makes is recorded through `service::record`.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::kit::referral::{UNDER_WAY, Work, visible_records};
use hamkor_api::referral::entity::referral;
use hamkor_api::user::entity::Role;
use sea_orm::Condition;

use crate::ID;
use crate::entity::support;

/// The roles of a provider's members: its practitioners and its admins.
const MEMBERS: &[Role] = &[Role::PartnerStaff, Role::OrgAdmin];

/// Clinical work on a referral under way (sessions, notes, screenings, the plan, the
/// end of support): the provider's practitioners.
pub const PRACTISE: Work = Work {
    module: ID,
    roles: &[Role::PartnerStaff],
    refused: "only the provider's practitioners do this",
    statuses: UNDER_WAY,
    not_now: "the referral is not under way",
};

/// Accepting a referral with its practitioner: the provider's members (the referral's
/// own lifecycle says whether it can still be accepted).
pub const ACCEPT: Work = Work {
    module: ID,
    roles: MEMBERS,
    refused: "only the organisation the referral is addressed to may do this",
    statuses: &[],
    not_now: "",
};

/// Changing the practitioner of a referral under way: the provider's members.
pub const ASSIGN: Work = Work {
    statuses: UNDER_WAY,
    not_now: "the referral is not under way",
    ..ACCEPT
};

/// A practitioner of organisation `organisation_id`: its PARTNER_STAFF.
pub fn is_practitioner_of(p: &Principal, organisation_id: i64) -> bool {
    p.organisation_id == organisation_id && p.has_role(Role::PartnerStaff)
}

/// Staff or admin of organisation `organisation_id`.
pub fn is_member_of(p: &Principal, organisation_id: i64) -> bool {
    p.organisation_id == organisation_id && p.has_any_role(MEMBERS)
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

/// The SQL condition selecting the support records `p` may see.
/// (the provider's members, and the agencies supervising the case).
pub fn visible_supports(p: &Principal) -> Condition {
    visible_records(p, support::Column::OrganisationId, support::Column::CaseId)
}
