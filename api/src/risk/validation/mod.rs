//! Validation of a risk instrument against outcomes on record: how well its totals rank
//! the cases that went on to the outcome (AUC with a 95% interval), whether each level's
//! observed outcome rate meets its band, and the same per sex, age band and region with
//! the error rates at the HIGH cut-off, flagging groups that depart from the whole.
//!
//! **Who reads it.** Aggregated figures only, never a case: probation officers and
//! prevention inspectors over the cases they supervise (the dashboards' rule,
//! `cases_with_access(p, Supervise)`), platform admins over every case (they approve
//! what is used on the evidence of these figures). Everyone else — mahalla members,
//! partner staff, organisation admins, auditors — is refused. Small cells are
//! suppressed ([`report`]); every read is audited (`risk.validation.read`).

pub mod csv;
pub mod query;
pub mod report;
pub mod stats;

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ActiveEnum, ColumnTrait, Condition, DatabaseConnection};
use serde_json::json;

use self::query::{AGE_BANDS, Counting, Row};
use self::report::{Departures, Figures, Tolerance, departures, figures, secondary};
use self::stats::Tally;
use super::outcome::{self, OutcomeDefinition};
use crate::access::{CaseAccess, cases_with_access};
use crate::analytics::service::{AnalyticsLevel, names};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::person::entity::Sex;
use crate::user::entity::Role;

/// Longest period of index assessments one validation covers.
pub const MAX_PERIOD_DAYS: u64 = 10 * 366;

/// A territory to narrow the validation to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Territory {
    Region(i64),
    District(i64),
    Mahalla(i64),
}

/// What to validate.
#[derive(Debug, Clone)]
pub struct Request {
    /// The instrument version (`HRA-1`).
    pub instrument: String,
    /// The outcome definition's version; the newest when none.
    pub outcome_version: Option<i32>,
    /// The period of the index assessments (inclusive dates).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub territory: Option<Territory>,
    pub tolerance: Tolerance,
}

/// The dimension a group is taken along.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, async_graphql::Enum)]
pub enum GroupDimension {
    Sex,
    AgeBand,
    Region,
}

/// One group's figures and how they depart from the whole.
#[derive(Debug, Clone)]
pub struct Group {
    pub dimension: GroupDimension,
    /// `MALE`, `FEMALE` or `UNKNOWN`; an age band (`UNDER_25`, `25_34`, …, `55_PLUS`);
    /// a region's id.
    pub key: String,
    pub region_id: Option<i64>,
    /// The region's name.
    pub name: Option<String>,
    pub figures: Figures,
    pub departures: Departures,
}

/// A validation.
#[derive(Debug, Clone)]
pub struct Validation {
    pub instrument: String,
    pub outcome: OutcomeDefinition,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub territory: Option<Territory>,
    pub as_of: DateTime<Utc>,
    pub min_cell: u64,
    pub tolerance: Tolerance,
    /// Cases assessed in the period whose outcome is not known yet (window open, case
    /// open); none when fewer than the minimum cell and not zero.
    pub pending: Option<u64>,
    pub whole: Figures,
    pub groups: Vec<Group>,
}

impl Request {
    /// Check the request, naming the offending field.
    pub fn check(&self) -> ApiResult<()> {
        if self.instrument.trim().is_empty() || self.instrument.len() > 32 {
            return Err(ApiError::bad_input(
                "instrument",
                "give an instrument version, e.g. HRA-1",
            ));
        }
        if self.from > self.to {
            return Err(ApiError::bad_input("to", "must not be before from"));
        }
        if self.to > self.from + Days::new(MAX_PERIOD_DAYS) {
            return Err(ApiError::bad_input("to", "the period is at most ten years"));
        }
        let t = self.tolerance;
        for (field, v) in [
            ("tolerance.auc", t.auc),
            ("tolerance.calibration", t.calibration),
            ("tolerance.errorRate", t.error_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(ApiError::bad_input(field, "must be between 0 and 1"));
            }
        }
        Ok(())
    }
}

/// The cases whose figures `p` may read, as a condition on `cases`.
pub fn readable_cases(p: &Principal) -> ApiResult<Condition> {
    if p.is_platform_admin() {
        return Ok(Condition::all());
    }
    if p.has_any_role(&[Role::ProbationOfficer, Role::PreventionInspector]) {
        return Ok(cases_with_access(p, CaseAccess::Supervise));
    }
    Err(ApiError::forbidden())
}

fn territory_condition(t: Option<Territory>) -> Condition {
    match t {
        None => Condition::all(),
        Some(Territory::Region(id)) => Condition::all().add(case::Column::RegionId.eq(id)),
        Some(Territory::District(id)) => Condition::all().add(case::Column::DistrictId.eq(id)),
        Some(Territory::Mahalla(id)) => Condition::all().add(case::Column::MahallaId.eq(id)),
    }
}

fn sex_key(s: Option<Sex>) -> String {
    s.map_or_else(|| "UNKNOWN".to_owned(), |s| s.to_value())
}

/// Validate for `p` (audited), as of now.
pub async fn validate(
    db: &DatabaseConnection,
    p: &Principal,
    r: &Request,
    min_cell: u64,
) -> ApiResult<Validation> {
    r.check()?;
    let cases = readable_cases(p)?;
    let outcome = outcome::definition(db, r.outcome_version, "outcome").await?;
    let bands = outcome::bands(db, &r.instrument, outcome.version).await?;
    let start = r.from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = (r.to + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let as_of = now();
    let rows = query::count(
        db,
        Counting {
            instrument: &r.instrument,
            start,
            end,
            outcome: &outcome,
            cases: Condition::all().add(cases).add(territory_condition(r.territory)),
            now: as_of,
        },
    )
    .await?;
    let min_cell = min_cell.max(1);
    let (whole_tally, pending, by_group) = tally(&rows);
    let whole = figures(&whole_tally, &bands, min_cell);
    let region_names = names(
        db,
        AnalyticsLevel::Region,
        by_group
            .keys()
            .filter(|(d, _, _)| *d == GroupDimension::Region)
            .map(|(_, id, _)| *id)
            .collect(),
    )
    .await?;
    let mut groups: Vec<Group> = Vec::new();
    let mut sizes: Vec<u64> = Vec::new();
    let mut dim_start = 0;
    let mut last_dim = None;
    for ((dimension, order, key), t) in &by_group {
        if last_dim.is_some_and(|d| d != *dimension) {
            suppress_partition(&sizes[dim_start..], &mut groups[dim_start..]);
            dim_start = groups.len();
        }
        last_dim = Some(*dimension);
        let f = figures(t, &bands, min_cell);
        let region_id = (*dimension == GroupDimension::Region).then_some(*order);
        sizes.push(t.all().n());
        groups.push(Group {
            dimension: *dimension,
            key: key.clone(),
            region_id,
            name: region_id.and_then(|id| region_names.get(&id).cloned()),
            departures: departures(t, &f, &whole_tally, &whole, r.tolerance),
            figures: f,
        });
    }
    suppress_partition(&sizes[dim_start..], &mut groups[dim_start..]);
    audit::record(
        db,
        p,
        Entry::new("risk.validation.read").detail(json!({
            "instrument": r.instrument,
            "outcomeVersion": outcome.version,
            "from": r.from,
            "to": r.to,
            "territory": r.territory.map(|t| format!("{t:?}")),
            "cases": whole.cases,
        })),
    )
    .await?;
    Ok(Validation {
        instrument: r.instrument.clone(),
        outcome,
        from: r.from,
        to: r.to,
        territory: r.territory,
        as_of,
        min_cell,
        tolerance: r.tolerance,
        pending: (pending == 0 || pending >= min_cell).then_some(pending),
        whole,
        groups,
    })
}

fn suppress_partition(sizes: &[u64], groups: &mut [Group]) {
    secondary(
        sizes,
        groups,
        |g| g.figures.suppressed,
        |g| {
            g.figures = Figures {
                suppressed: true,
                ..Figures::default()
            };
            g.departures = Departures::default();
        },
    );
}

/// Groups by dimension, then by their natural order (sex, age band, region id).
type Groups = BTreeMap<(GroupDimension, i64, String), Tally>;

/// The whole's tally, the pending count and each group's tally, from the rows.
fn tally(rows: &[Row]) -> (Tally, u64, Groups) {
    let mut whole = Tally::default();
    let mut pending = 0;
    let mut groups: Groups = BTreeMap::new();
    for r in rows {
        if !r.labelled {
            pending += r.count;
            continue;
        }
        whole.add(r.total, r.level, r.outcome, r.count);
        let sex_order = match r.sex {
            Some(Sex::Male) => 0,
            Some(Sex::Female) => 1,
            None => 2,
        };
        for key in [
            (GroupDimension::Sex, sex_order, sex_key(r.sex)),
            (
                GroupDimension::AgeBand,
                r.age_band as i64,
                AGE_BANDS[r.age_band].to_owned(),
            ),
            (GroupDimension::Region, r.region_id, r.region_id.to_string()),
        ] {
            groups
                .entry(key)
                .or_default()
                .add(r.total, r.level, r.outcome, r.count);
        }
    }
    (whole, pending, groups)
}
