//! GraphQL of the instrument's validation: `riskValidation` and `riskOutcomeDefinitions`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::outcome::{self, OutcomeDefinition};
use super::validation::report::{FairnessMetric, Figures, LevelFigures, Tolerance};
use super::validation::{self, GroupDimension, Request, Territory, Validation};
use crate::case::entity::{CaseStatus, RiskLevel};
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::supervision::entity::{ViolationKind, ViolationSeverity};

/// A versioned definition of the outcome an instrument is validated against.
#[derive(SimpleObject)]
pub struct RiskOutcomeDefinition {
    pub version: i32,
    /// Days after the assessment the outcome is looked for.
    pub window_days: i32,
    /// A violation of one of these kinds counts.
    pub violation_kinds: Vec<ViolationKind>,
    /// A violation of one of these severities counts, whatever its kind.
    pub violation_severities: Vec<ViolationSeverity>,
    /// The case reaching one of these statuses counts.
    pub case_statuses: Vec<CaseStatus>,
    pub description: String,
}

impl From<OutcomeDefinition> for RiskOutcomeDefinition {
    fn from(d: OutcomeDefinition) -> Self {
        Self {
            version: d.version,
            window_days: d.window_days,
            violation_kinds: d.violation_kinds,
            violation_severities: d.violation_severities,
            case_statuses: d.case_statuses,
            description: d.description,
        }
    }
}

/// One level's observed outcome rate against its band.
#[derive(SimpleObject)]
pub struct LevelCalibration {
    pub level: RiskLevel,
    /// Too few cases to publish.
    pub suppressed: bool,
    pub cases: Option<i64>,
    pub outcomes: Option<i64>,
    pub observed_rate: Option<f64>,
    /// Wilson 95% interval of the observed rate.
    pub observed_low: Option<f64>,
    pub observed_high: Option<f64>,
    /// The band of outcome rates the level is expected to show.
    pub expected_min: Option<f64>,
    pub expected_max: Option<f64>,
    /// The observed interval meets the band.
    pub within_band: Option<bool>,
}

fn count(v: Option<u64>) -> Option<i64> {
    v.and_then(|n| i64::try_from(n).ok())
}

impl From<LevelFigures> for LevelCalibration {
    fn from(l: LevelFigures) -> Self {
        Self {
            level: l.level,
            suppressed: l.suppressed,
            cases: count(l.cases),
            outcomes: count(l.outcomes),
            observed_rate: l.observed,
            observed_low: l.observed_interval.map(|i| i.0),
            observed_high: l.observed_interval.map(|i| i.1),
            expected_min: l.band.map(|b| b.0),
            expected_max: l.band.map(|b| b.1),
            within_band: l.within_band,
        }
    }
}

/// The figures of a set of labelled cases: all of them, or one group.
#[derive(SimpleObject)]
pub struct ValidationFigures {
    /// Too few cases to publish anything.
    pub suppressed: bool,
    pub cases: Option<i64>,
    /// Cases with the outcome.
    pub outcomes: Option<i64>,
    pub base_rate: Option<f64>,
    pub base_rate_low: Option<f64>,
    pub base_rate_high: Option<f64>,
    /// Area under the ROC curve of the instrument's total (Mann–Whitney).
    pub auc: Option<f64>,
    /// DeLong's standard error of the AUC, and the 95% interval.
    pub auc_standard_error: Option<f64>,
    pub auc_low: Option<f64>,
    pub auc_high: Option<f64>,
    /// Observed outcome rate of each level against its band.
    pub levels: Vec<LevelCalibration>,
    /// Cases without the outcome at HIGH or above, of all without it.
    pub false_positive_rate: Option<f64>,
    /// Cases with the outcome below HIGH, of all with it.
    pub false_negative_rate: Option<f64>,
}

impl From<Figures> for ValidationFigures {
    fn from(f: Figures) -> Self {
        let auc_interval = f.auc.map(|a| a.interval());
        Self {
            suppressed: f.suppressed,
            cases: count(f.cases),
            outcomes: count(f.outcomes),
            base_rate: f.base_rate,
            base_rate_low: f.base_rate_interval.map(|i| i.0),
            base_rate_high: f.base_rate_interval.map(|i| i.1),
            auc: f.auc.map(|a| a.value),
            auc_standard_error: f.auc.map(|a| a.se),
            auc_low: auc_interval.map(|i| i.0),
            auc_high: auc_interval.map(|i| i.1),
            levels: f.levels.into_iter().map(Into::into).collect(),
            false_positive_rate: f.false_positive_rate.map(|e| e.value),
            false_negative_rate: f.false_negative_rate.map(|e| e.value),
        }
    }
}

/// One group (a sex, an age band at the assessment, a region) against the whole.
#[derive(SimpleObject)]
pub struct ValidationGroup {
    pub dimension: GroupDimension,
    /// `MALE`, `FEMALE`, `UNKNOWN`; `UNDER_25`, `25_34`, `35_44`, `45_54`, `55_PLUS`; or
    /// the region's id.
    pub key: String,
    pub region_id: Option<ID>,
    /// The region's name.
    pub name: Option<String>,
    pub figures: ValidationFigures,
    /// The group's figure minus the whole's.
    pub auc_difference: Option<f64>,
    /// Mean of (outcome − the whole's observed rate at the case's level): negative when
    /// the levels overstate the group's outcomes.
    pub calibration_difference: Option<f64>,
    pub false_positive_rate_difference: Option<f64>,
    pub false_negative_rate_difference: Option<f64>,
    /// The figures whose 95% interval lies wholly beyond the tolerance from the whole's.
    pub flags: Vec<FairnessMetric>,
    pub flagged: bool,
}

/// How far a group may depart from the whole before it is flagged.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "FairnessToleranceInput")]
pub struct FairnessTolerance {
    #[graphql(default = 0.05)]
    pub auc: f64,
    #[graphql(default = 0.05)]
    pub calibration: f64,
    /// For the false-positive and false-negative rates.
    #[graphql(default = 0.10)]
    pub error_rate: f64,
}

/// The validation of an instrument against an outcome definition.
#[derive(SimpleObject)]
pub struct RiskValidation {
    pub instrument: String,
    /// The outcome definition, with its version.
    pub outcome: RiskOutcomeDefinition,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub territory_id: Option<ID>,
    /// When the outcomes were read.
    pub as_of: DateTime<Utc>,
    /// Sets of fewer cases are suppressed.
    pub min_cell_size: i64,
    pub tolerance: FairnessTolerance,
    /// Cases assessed in the period whose follow-up is still open (not counted).
    pub pending_cases: Option<i64>,
    /// All labelled cases.
    pub whole: ValidationFigures,
    /// Per sex, age band and region.
    pub groups: Vec<ValidationGroup>,
}

fn territory_id(t: Territory) -> ID {
    match t {
        Territory::Region(id) => ids::encode("Region", id),
        Territory::District(id) => ids::encode("District", id),
        Territory::Mahalla(id) => ids::encode("Mahalla", id),
    }
}

impl From<Validation> for RiskValidation {
    fn from(v: Validation) -> Self {
        Self {
            instrument: v.instrument,
            outcome: v.outcome.into(),
            from: v.from,
            to: v.to,
            territory_id: v.territory.map(territory_id),
            as_of: v.as_of,
            min_cell_size: i64::try_from(v.min_cell).unwrap_or(i64::MAX),
            tolerance: FairnessTolerance {
                auc: v.tolerance.auc,
                calibration: v.tolerance.calibration,
                error_rate: v.tolerance.error_rate,
            },
            pending_cases: count(v.pending),
            whole: v.whole.into(),
            groups: v
                .groups
                .into_iter()
                .map(|g| ValidationGroup {
                    dimension: g.dimension,
                    key: g.key,
                    region_id: g.region_id.map(|id| ids::encode("Region", id)),
                    name: g.name,
                    figures: g.figures.into(),
                    auc_difference: g.departures.auc,
                    calibration_difference: g.departures.calibration.map(|c| c.value),
                    false_positive_rate_difference: g.departures.false_positive_rate,
                    false_negative_rate_difference: g.departures.false_negative_rate,
                    flagged: !g.departures.flags.is_empty(),
                    flags: g.departures.flags,
                })
                .collect(),
        }
    }
}

/// A territory's global id (a region, district or mahalla).
pub fn parse_territory(id: Option<&str>, field: &str) -> ApiResult<Option<Territory>> {
    let Some(id) = id else {
        return Ok(None);
    };
    match ids::decode(id) {
        Some((t, n)) if t == "Region" => Ok(Some(Territory::Region(n))),
        Some((t, n)) if t == "District" => Ok(Some(Territory::District(n))),
        Some((t, n)) if t == "Mahalla" => Ok(Some(Territory::Mahalla(n))),
        _ => Err(ApiError::bad_input(
            field,
            "not the id of a region, district or mahalla",
        )),
    }
}

/// The request the arguments describe.
pub fn request(
    instrument: String,
    outcome: Option<i32>,
    from: NaiveDate,
    to: NaiveDate,
    territory: Option<&str>,
    tolerance: Option<FairnessTolerance>,
) -> ApiResult<Request> {
    let r = Request {
        instrument,
        outcome_version: outcome,
        from,
        to,
        territory: parse_territory(territory, "territory")?,
        tolerance: tolerance.map_or_else(Tolerance::default, |t| Tolerance {
            auc: t.auc,
            calibration: t.calibration,
            error_rate: t.error_rate,
        }),
    };
    r.check()?;
    Ok(r)
}

#[derive(Default)]
pub struct RiskValidationQuery;

#[Object]
impl RiskValidationQuery {
    /// How well an instrument's scores predicted the outcome (by a versioned
    /// definition) of the cases first assessed in the period: AUC with a 95% interval,
    /// calibration per level, and per sex, age band and region with error rates at the
    /// HIGH cut-off and a flag where a group departs from the whole beyond the tolerance.
    /// Aggregated figures only (small cells suppressed), over the cases the caller
    /// supervises (officers, inspectors) or all (platform admins); audited. Also served
    /// as CSV at `GET /risk-validation.csv`.
    #[allow(clippy::too_many_arguments)]
    async fn risk_validation(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = "HRA-1")] instrument: String,
        #[graphql(desc = "The outcome definition's version; the newest when absent.")] outcome: Option<i32>,
        from: NaiveDate,
        to: NaiveDate,
        #[graphql(desc = "A region, district or mahalla.")] territory: Option<ID>,
        tolerance: Option<FairnessTolerance>,
    ) -> Result<RiskValidation> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let r = request(
            instrument,
            outcome,
            from,
            to,
            territory.as_ref().map(|t| t.as_str()),
            tolerance,
        )?;
        let v = validation::validate(&st.db, p, &r, st.settings.validation_min_cell_size).await?;
        Ok(v.into())
    }

    /// The outcome definitions on record, newest version first (same readers as
    /// `riskValidation`; at most 100).
    async fn risk_outcome_definitions(&self, ctx: &Context<'_>) -> Result<Vec<RiskOutcomeDefinition>> {
        let p = principal(ctx)?;
        validation::readable_cases(p)?;
        let defs = outcome::definitions(&state(ctx)?.db).await?;
        Ok(defs.into_iter().map(Into::into).collect())
    }
}
