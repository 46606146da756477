//! Who may see and change what: roles × organisation × territory × grant × consent.
//!
//! One file per concern, so that a question about a rule leads to one place:
//!
//! - [`case`]: how much of a case a caller may see ([`CaseAccess`]), as a SQL condition
//!   for lists and in memory for one loaded case;
//! - [`case_fields`]: which parts of a case each level shows — a mahalla member
//!   sees the person, the basic facts, conditions and plan, not the sentence details,
//!   risk, appointments, violations, referrals or alerts;
//! - [`events`]: which domain events (and which of their payload keys) each level
//!   receives — the field rule applied to the event feeds and webhooks;
//! - [`partner`]: what a partner organisation reaches through the referrals it
//!   received and the person's consent (or a legal basis);
//! - [`mahalla`]: who may read, work and keep a mahalla's own records (roster,
//!   programme, conferences).
//!
//! The helpers below are shared by all of them.

pub mod case;
pub mod case_fields;
pub mod events;
pub mod mahalla;
pub mod partner;

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition};

pub use case::{
    CaseAccess, best_role_access, case_access, cases_with_access, of_cases, require_case_access,
    visible_cases,
};
pub use case_fields::{CaseField, require_field};
pub use mahalla::MahallaRight;
pub use partner::{
    PARTNER_ROLES, is_recipient, partner_grant, partner_reaches_case, partner_referral,
    require_partner_staff, visible_referrals,
};

use crate::auth::principal::{Principal, Scope};
use crate::error::{ApiError, ApiResult};
use crate::user::entity::Role;

/// Require an authenticated caller.
pub fn authenticated(p: Option<&Principal>) -> ApiResult<&Principal> {
    p.ok_or_else(ApiError::unauthenticated)
}

/// Require one of `roles`.
pub fn require_any_role(p: &Principal, roles: &[Role]) -> ApiResult<()> {
    if p.has_any_role(roles) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Rows inside `scope` by their denormalised territory columns (`region`, `district`,
/// `mahalla`). A national scope matches everything unless `local_only`.
pub fn within(
    scope: &Scope,
    local_only: bool,
    region: impl ColumnTrait,
    district: impl ColumnTrait,
    mahalla: impl ColumnTrait,
) -> Condition {
    if scope.national {
        return if local_only {
            Condition::all().add(never())
        } else {
            Condition::all()
        };
    }
    let mut any = Condition::any().add(never());
    if !scope.regions.is_empty() {
        any = any.add(region.is_in(scope.regions.clone()));
    }
    if !scope.districts.is_empty() {
        any = any.add(district.is_in(scope.districts.clone()));
    }
    if !scope.mahallas.is_empty() {
        any = any.add(mahalla.is_in(scope.mahallas.clone()));
    }
    any
}

/// An always-false condition (an explicit `1 = 0`, so that an empty OR never turns into
/// "everything"). It is written into the SQL as a literal, not as bound values: the
/// planner then folds `1 = 0 OR x` to `x` even in a prepared statement's generic plan.
/// With `$1 = $2` it could not, and PostgreSQL read the caseload by walking the whole
/// primary key backwards (8 ms against 0.3 ms on the national data).
pub fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};
    use sea_orm::{ColumnTrait, Condition};

    use crate::case::entity::case;

    /// The always-false arm of an access condition is a literal, so a prepared
    /// statement's generic plan can drop it; only the caller's own values are bound.
    #[test]
    fn the_never_arm_is_a_literal_not_bound_values() {
        let condition = Condition::any()
            .add(super::never())
            .add(case::Column::DistrictId.is_in([6]));
        let mut q = Query::select();
        q.column(case::Column::Id)
            .from(case::Entity)
            .cond_where(condition);
        let (pg, values) = q.build(PostgresQueryBuilder);
        assert!(pg.contains("1 = 0"), "{pg}");
        assert_eq!(values.0.len(), 1, "{pg}");
        let (sqlite, values) = q.build(SqliteQueryBuilder);
        assert!(sqlite.contains("1 = 0"), "{sqlite}");
        assert_eq!(values.0.len(), 1, "{sqlite}");
    }
}
