//! Who may do what in a mahalla's own work (roster, programme, conferences). Case
//! content reached from there (a task's case, a conference's minutes) keeps the case's
//! own rules (`super::case`).

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait};

use super::{never, within};
use crate::auth::principal::{Principal, Scope};
use crate::error::{ApiError, ApiResult};
use crate::organisation::entity::OrganisationKind;
use crate::territory::entity::mahalla;
use crate::user::entity::Role;

/// What a caller may do in a mahalla, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MahallaRight {
    /// See the roster, the programme and the conferences (probation officers of the
    /// district, and everyone below).
    Read,
    /// Run the programme: plan activities and record what was done (the seven and the
    /// prevention inspector of the mahalla).
    Work,
    /// Keep the roster of the seven (the mahalla committee's administrator).
    Manage,
}

fn local(scope: &Scope, m: &mahalla::Model) -> bool {
    !scope.national && scope.covers(m.region_id, m.district_id, m.id)
}

/// The caller's right in a mahalla, if any.
pub fn right_in(p: &Principal, m: &mahalla::Model) -> Option<MahallaRight> {
    let mut best = None;
    if p.has_role(Role::ProbationOfficer) && p.scope.covers(m.region_id, m.district_id, m.id) {
        best = best.max(Some(MahallaRight::Read));
    }
    if p.has_any_role(&[Role::PreventionInspector, Role::MahallaMember]) && local(&p.scope, m) {
        best = best.max(Some(MahallaRight::Work));
    }
    if p.has_role(Role::OrgAdmin)
        && p.organisation_kind == OrganisationKind::MahallaCommittee
        && local(&p.scope, m)
    {
        best = best.max(Some(MahallaRight::Manage));
    }
    if p.is_platform_admin() {
        best = best.max(Some(MahallaRight::Manage));
    }
    best
}

/// Load a mahalla and require `needed` there; a caller with no right at all is told it
/// does not exist.
pub async fn require<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    mahalla_id: i64,
    needed: MahallaRight,
) -> ApiResult<mahalla::Model> {
    let m = mahalla::Entity::find_by_id(mahalla_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Mahalla"))?;
    match right_in(p, &m) {
        Some(r) if r >= needed => Ok(m),
        Some(_) => Err(ApiError::forbidden()),
        None => Err(ApiError::NotFound("Mahalla")),
    }
}

/// The SQL condition selecting rows (by their denormalised territory columns) of the
/// mahallas where the caller has at least `Read`.
pub fn readable(
    p: &Principal,
    region: impl ColumnTrait + Copy,
    district: impl ColumnTrait + Copy,
    mahalla: impl ColumnTrait + Copy,
) -> Condition {
    let within = |local_only: bool| within(&p.scope, local_only, region, district, mahalla);
    let mut any = Condition::any().add(never());
    if p.is_platform_admin() {
        return Condition::all();
    }
    if p.has_role(Role::ProbationOfficer) {
        any = any.add(within(false));
    }
    if p.has_any_role(&[Role::PreventionInspector, Role::MahallaMember])
        || (p.has_role(Role::OrgAdmin) && p.organisation_kind == OrganisationKind::MahallaCommittee)
    {
        any = any.add(within(true));
    }
    any
}
