//! Which roles and territories a user may be given: a role fits only its kind of
//! organisation, platform-wide roles are the platform admin's to grant, and a scope
//! lies inside the organisation's territory.

use std::collections::BTreeSet;

use sea_orm::ActiveEnum;

use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::organisation::{self, OrganisationKind};
use crate::territory::resolve::Place;
use crate::user::entity::Role;

/// Most territories a user's scope may list (wider scopes use a district or region).
pub const MAX_TERRITORIES: usize = 200;

/// A username: 3–64 characters of `a-z 0-9 . _ -`, case-insensitive (stored lower case).
pub fn parse_username(field: &str, value: &str) -> ApiResult<String> {
    let v = value.trim().to_lowercase();
    let ok_chars = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=64).contains(&v.len()) || !ok_chars {
        return Err(ApiError::bad_input(
            field,
            "must be 3 to 64 characters: letters, digits, '.', '_' or '-'",
        ));
    }
    Ok(v)
}

/// Whether a user of an organisation of `kind` may hold `role`.
pub fn role_fits_organisation(role: Role, kind: OrganisationKind) -> bool {
    use OrganisationKind as K;
    match role {
        Role::PlatformAdmin | Role::OrgAdmin | Role::Auditor => true,
        Role::ProbationOfficer => kind == K::ProbationService,
        Role::PreventionInspector => kind == K::InternalAffairs,
        Role::MahallaMember => kind == K::MahallaCommittee,
        Role::PartnerStaff => matches!(
            kind,
            K::EmploymentCentre | K::Health | K::Education | K::Ngo | K::Other
        ),
    }
}

/// Whether `p` may manage the users of organisation `organisation_id`.
pub fn can_manage(p: &Principal, organisation_id: i64) -> bool {
    p.has_role(Role::PlatformAdmin) || (p.has_role(Role::OrgAdmin) && p.organisation_id == organisation_id)
}

/// Roles and scope requested for a user, checked against its organisation.
pub(crate) fn check_roles_and_scope(
    p: Option<&Principal>,
    org: &organisation::Model,
    roles: &BTreeSet<Role>,
    territories: &[Place],
) -> ApiResult<()> {
    if roles.is_empty() {
        return Err(ApiError::bad_input(
            "input.roles",
            "at least one role is required",
        ));
    }
    let platform_admin = p.is_none_or(|p| p.has_role(Role::PlatformAdmin));
    for role in roles {
        if matches!(role, Role::PlatformAdmin | Role::Auditor) && !platform_admin {
            return Err(ApiError::Forbidden(
                "only the platform admin may grant this role".into(),
            ));
        }
        if !role_fits_organisation(*role, org.kind) {
            return Err(ApiError::bad_input(
                "input.roles",
                format!(
                    "{} does not fit an organisation of kind {}",
                    role.to_value(),
                    org.kind.to_value()
                ),
            ));
        }
    }
    if territories.len() > MAX_TERRITORIES {
        return Err(ApiError::bad_input(
            "input.territoryIds",
            format!("at most {MAX_TERRITORIES} territories; use a district or region instead"),
        ));
    }
    let org_place = organisation::service::place(org);
    if let Some(i) = territories.iter().position(|t| !org_place.contains(t)) {
        return Err(ApiError::bad_input(
            format!("input.territoryIds[{i}]"),
            "lies outside the organisation's territory",
        ));
    }
    if roles.contains(&Role::MahallaMember) {
        let mahallas = territories.iter().filter(|t| t.mahalla_id.is_some()).count();
        if mahallas != 1 || territories.len() != 1 {
            return Err(ApiError::bad_input(
                "input.territoryIds",
                "a mahalla member belongs to exactly one mahalla",
            ));
        }
    }
    if roles.contains(&Role::PreventionInspector) && territories.is_empty() {
        return Err(ApiError::bad_input(
            "input.territoryIds",
            "a prevention inspector needs the mahallas (or district) they cover",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_to_lower_case() {
        assert_eq!(
            parse_username("u", " Aziz.Karimov ").ok().as_deref(),
            Some("aziz.karimov")
        );
        assert!(parse_username("u", "ab").is_err());
        assert!(parse_username("u", "has space").is_err());
        assert!(parse_username("u", "юзер").is_err());
    }

    #[test]
    fn operational_roles_fit_only_their_kind_of_organisation() {
        assert!(role_fits_organisation(
            Role::ProbationOfficer,
            OrganisationKind::ProbationService
        ));
        assert!(!role_fits_organisation(
            Role::ProbationOfficer,
            OrganisationKind::Ngo
        ));
        assert!(role_fits_organisation(
            Role::MahallaMember,
            OrganisationKind::MahallaCommittee
        ));
        assert!(!role_fits_organisation(
            Role::PartnerStaff,
            OrganisationKind::ProbationService
        ));
        assert!(role_fits_organisation(Role::OrgAdmin, OrganisationKind::Ngo));
    }
}
