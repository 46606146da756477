//! Who may see and change what in the module, as SQL conditions and checks.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::user::entity::Role;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition};

use crate::entity::{certificate, enrolment, reminder};

/// Roles that run an organisation's courses.
pub const STAFF: [Role; 2] = [Role::PartnerStaff, Role::OrgAdmin];

/// Whether `p` works the courses of `organisation_id` (its staff, or the platform admin).
pub fn runs_courses_of(p: &Principal, organisation_id: i64) -> bool {
    p.is_platform_admin() || (p.organisation_id == organisation_id && p.has_any_role(&STAFF))
}

/// FORBIDDEN unless `p` runs the courses of `organisation_id`.
pub fn require_staff_of(p: &Principal, organisation_id: i64) -> ApiResult<()> {
    if runs_courses_of(p, organisation_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the staff of the course's organisation do this".into(),
        ))
    }
}

/// Whether `p` administers the learners of `organisation_id`.
pub fn admin_of(p: &Principal, organisation_id: i64) -> bool {
    p.is_platform_admin() || (p.organisation_id == organisation_id && p.has_role(Role::OrgAdmin))
}

fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// The enrolments `p` sees: their own; their organisation's learners' (its admin); the
/// learners of their organisation's courses (its staff); all (the platform admin).
pub fn enrolments(p: &Principal) -> Condition {
    use enrolment::Column as E;
    if p.is_platform_admin() {
        return Condition::all();
    }
    let mut any = Condition::any().add(E::UserId.eq(p.user_id));
    if p.has_role(Role::OrgAdmin) {
        any = any.add(E::LearnerOrganisationId.eq(p.organisation_id));
    }
    if p.has_any_role(&STAFF) {
        any = any.add(E::OrganisationId.eq(p.organisation_id));
    }
    any
}

/// The certificates `p` sees: their own, and their organisation's learners' (its admin).
pub fn certificates(p: &Principal) -> Condition {
    use certificate::Column as C;
    if p.is_platform_admin() {
        return Condition::all();
    }
    let mut any = Condition::any().add(C::UserId.eq(p.user_id));
    if p.has_role(Role::OrgAdmin) {
        any = any.add(C::LearnerOrganisationId.eq(p.organisation_id));
    }
    any
}

/// The reminders `p` sees: their own, and their organisation's learners' (its admin).
pub fn reminders(p: &Principal) -> Condition {
    use reminder::Column as R;
    if p.is_platform_admin() {
        return Condition::all();
    }
    let mut any = Condition::any().add(R::UserId.eq(p.user_id));
    if p.has_role(Role::OrgAdmin) {
        any = any.add(R::LearnerOrganisationId.eq(p.organisation_id));
    }
    any
}

/// A condition matching no row (for callers who see none).
pub fn none() -> Condition {
    nothing()
}
