//! The authenticated caller, as every service sees it.

use std::collections::BTreeSet;

use crate::organisation::entity::OrganisationKind;
use crate::user::entity::{Role, UserKind};

/// Facts about the HTTP request that the audit log records.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The request id (`x-request-id`), echoed in responses and logs.
    pub request_id: String,
    /// The client application, from the `x-client-name` header (or the service
    /// account's client id).
    pub client: Option<String>,
    /// The client's network address, for failed-login limits.
    pub address: String,
    /// The registered field device a synced change came from (its global id): recorded
    /// in the audit detail and the event payload as `deviceId`.
    pub device: Option<String>,
}

/// A set of territories. `national` covers everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub national: bool,
    pub regions: Vec<i64>,
    pub districts: Vec<i64>,
    pub mahallas: Vec<i64>,
}

impl Scope {
    /// Whether a place (given by its mahalla, district and region) lies inside the scope.
    pub fn covers(&self, region_id: i64, district_id: i64, mahalla_id: i64) -> bool {
        self.national
            || self.regions.contains(&region_id)
            || self.districts.contains(&district_id)
            || self.mahallas.contains(&mahalla_id)
    }

    /// Whether the scope names no territory at all (and is not national).
    pub fn is_empty(&self) -> bool {
        !self.national && self.regions.is_empty() && self.districts.is_empty() && self.mahallas.is_empty()
    }
}

/// Who is calling: a user of an organisation with roles and a territorial scope.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub organisation_id: i64,
    pub organisation_kind: OrganisationKind,
    pub kind: UserKind,
    pub roles: BTreeSet<Role>,
    /// Effective territorial scope: the user's own territories, or else the
    /// organisation's territory, or else national.
    pub scope: Scope,
    /// The login session behind the token (none for service accounts).
    pub session_id: Option<i64>,
    pub meta: RequestMeta,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    pub fn is_platform_admin(&self) -> bool {
        self.has_role(Role::PlatformAdmin)
    }

    /// Whether the caller is a supervised person using their own app (no roles, no
    /// territory; only the fields modules allow them).
    pub fn is_supervised_person(&self) -> bool {
        self.kind == crate::user::entity::UserKind::SupervisedPerson
    }
}
