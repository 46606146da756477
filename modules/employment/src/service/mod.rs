//! The employment module's rules, below the GraphQL layer.

pub mod applications;
pub mod outcomes;
pub mod profiles;
pub mod vacancies;

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::user::entity::Role;

/// Roles of a partner that publish vacancies and work referrals.
pub const STAFF_ROLES: &[Role] = &[Role::PartnerStaff, Role::OrgAdmin];

/// Refuse a caller who is not staff of `organisation_id`.
pub fn require_staff(p: &Principal, organisation_id: i64) -> ApiResult<()> {
    if p.organisation_id == organisation_id && p.has_any_role(STAFF_ROLES) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only staff of the organisation that owns it may do this".into(),
        ))
    }
}
