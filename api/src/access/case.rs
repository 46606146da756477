//! How much of a case a caller may see: the case access levels, from the caller's
//! roles, organisation and territory (or their assignment to the case).
//!
//! The same rule is written twice, on purpose and side by side: once as a SQL
//! condition (so lists are filtered in the database, with indexes) and once in memory
//! (so a single loaded record is checked). Tests compare the two. Which parts of a case
//! each level shows is [`super::case_fields`].

use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, Condition};

use super::{never, within};
use crate::auth::principal::{Principal, Scope};
use crate::case::entity::case;
use crate::error::{ApiError, ApiResult};
use crate::supervision::entity::NoteVisibility;
use crate::user::entity::Role;

/// How much of a case the caller may see, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseAccess {
    /// A mahalla seven member of the case's mahalla: the person, the case's basic facts,
    /// its conditions and plan, notes marked MAHALLA.
    Community,
    /// A prevention inspector of the case's territory (or the assigned one): everything
    /// but notes restricted to the probation service; records visits and violations.
    Supervise,
    /// A probation officer of the lead organisation in its territory (or the assigned
    /// one): everything, and every change.
    Full,
}

impl CaseAccess {
    /// The most restricted note visibility this access level may read.
    pub fn max_note_visibility(self) -> NoteVisibility {
        match self {
            Self::Community => NoteVisibility::Mahalla,
            Self::Supervise => NoteVisibility::Agencies,
            Self::Full => NoteVisibility::Probation,
        }
    }

    /// Note visibilities this access level may read.
    pub fn readable_note_visibilities(self) -> Vec<NoteVisibility> {
        let max = self.max_note_visibility();
        [
            NoteVisibility::Mahalla,
            NoteVisibility::Agencies,
            NoteVisibility::Probation,
        ]
        .into_iter()
        .filter(|v| *v <= max)
        .collect()
    }
}

/// Require at least `needed` access to a case the caller can see; a caller who cannot
/// see the case at all is told it does not exist.
pub fn require_case_access(p: &Principal, c: &case::Model, needed: CaseAccess) -> ApiResult<CaseAccess> {
    match case_access(p, c) {
        Some(level) if level >= needed => Ok(level),
        Some(_) => Err(ApiError::forbidden()),
        None => Err(ApiError::NotFound("Case")),
    }
}

/// The caller's access to one case, if any.
pub fn case_access(p: &Principal, c: &case::Model) -> Option<CaseAccess> {
    let in_scope = p.scope.covers(c.region_id, c.district_id, c.mahalla_id);
    let local_scope = in_scope && !p.scope.national;
    let mut best = None;
    if p.has_role(Role::ProbationOfficer)
        && c.organisation_id == p.organisation_id
        && (in_scope || c.officer_id == Some(p.user_id))
    {
        best = best.max(Some(CaseAccess::Full));
    }
    if p.has_role(Role::PreventionInspector) && (local_scope || c.inspector_id == Some(p.user_id)) {
        best = best.max(Some(CaseAccess::Supervise));
    }
    if p.has_role(Role::MahallaMember) && local_scope {
        best = best.max(Some(CaseAccess::Community));
    }
    best
}

/// The SQL condition selecting exactly the cases [`case_access`] grants.
pub fn visible_cases(p: &Principal) -> Condition {
    cases_with_access(p, CaseAccess::Community)
}

/// The SQL condition selecting the cases on which [`case_access`] grants at least `min`.
pub fn cases_with_access(p: &Principal, min: CaseAccess) -> Condition {
    let mut any = Condition::any().add(never());
    if p.has_role(Role::ProbationOfficer) {
        any = any.add(
            Condition::all()
                .add(case::Column::OrganisationId.eq(p.organisation_id))
                .add(
                    Condition::any()
                        .add(territory(&p.scope, false))
                        .add(case::Column::OfficerId.eq(p.user_id)),
                ),
        );
    }
    if p.has_role(Role::PreventionInspector) && min <= CaseAccess::Supervise {
        any = any
            .add(territory(&p.scope, true))
            .add(case::Column::InspectorId.eq(p.user_id));
    }
    if p.has_role(Role::MahallaMember) && min <= CaseAccess::Community {
        any = any.add(territory(&p.scope, true));
    }
    any
}

/// The highest case access any of the caller's roles can give (for records reached
/// through a case, such as people).
pub fn best_role_access(p: &Principal) -> Option<CaseAccess> {
    if p.has_role(Role::ProbationOfficer) {
        Some(CaseAccess::Full)
    } else if p.has_role(Role::PreventionInspector) {
        Some(CaseAccess::Supervise)
    } else if p.has_role(Role::MahallaMember) {
        Some(CaseAccess::Community)
    } else {
        None
    }
}

/// Cases inside `scope` (by their denormalised territory columns). A national scope
/// matches everything unless `local_only`.
fn territory(scope: &Scope, local_only: bool) -> Condition {
    within(
        scope,
        local_only,
        case::Column::RegionId,
        case::Column::DistrictId,
        case::Column::MahallaId,
    )
}

/// `column IN (SELECT id FROM cases WHERE cond)`: records of the cases `cond` selects
/// (pass [`visible_cases`] or [`cases_with_access`]).
pub fn of_cases(column: impl ColumnTrait, cond: Condition) -> SimpleExpr {
    column.in_subquery(
        sea_orm::sea_query::Query::select()
            .column(case::Column::Id)
            .from(case::Entity)
            .cond_where(cond)
            .to_owned(),
    )
}
