//! The education module's rules, below the GraphQL layer.

pub mod attendance;
pub mod enrolment;
pub mod programmes;

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::user::entity::Role;

/// Roles of a provider that publish programmes and work enrolments.
pub const PROVIDER_ROLES: &[Role] = &[Role::PartnerStaff, Role::OrgAdmin];

/// Refuse a caller who is not staff of the provider `organisation_id`.
pub fn require_provider(p: &Principal, organisation_id: i64) -> ApiResult<()> {
    if p.organisation_id == organisation_id && p.has_any_role(PROVIDER_ROLES) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only staff of the providing organisation may do this".into(),
        ))
    }
}
