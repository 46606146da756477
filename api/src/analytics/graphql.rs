//! GraphQL types and the query of the analytics dashboards.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::service::{AnalyticsLevel, Computed, Dashboard, Figures, compute};
use crate::graphql::context::{principal, state};
use crate::ids;

/// The figures of one territory for the period, or the total over all of them.
#[derive(SimpleObject)]
pub struct TerritoryFigures {
    /// The region, district or mahalla (absent on the total).
    pub territory_id: Option<ID>,
    /// Its name (absent on the total).
    pub name: Option<String>,
    /// Cases now PENDING.
    pub cases_pending: i64,
    /// Cases now ACTIVE.
    pub cases_active: i64,
    pub cases_suspended: i64,
    pub cases_completed: i64,
    pub cases_revoked: i64,
    /// Active cases at each risk level, and without an assessment.
    pub active_low: i64,
    pub active_medium: i64,
    pub active_high: i64,
    pub active_very_high: i64,
    pub active_unassessed: i64,
    /// Appointments of the period by outcome (kept, missed, excused).
    pub appointments_attended: i64,
    pub appointments_missed: i64,
    pub appointments_excused: i64,
    /// Violations that occurred in the period.
    pub violations: i64,
    /// Alerts raised in the period, and how many of them were acknowledged.
    pub alerts_raised: i64,
    pub alerts_acknowledged: i64,
    /// Mean minutes from raising to acknowledging.
    pub mean_minutes_to_acknowledge: Option<f64>,
    /// Referrals sent in the period, and where they ended.
    pub referrals_made: i64,
    pub referrals_completed: i64,
    pub referrals_declined: i64,
    pub referrals_cancelled: i64,
    /// Referrals of the period of each module that counts them, by module id.
    pub module_referrals: Vec<ModuleReferralFigures>,
    /// Figures that modules contribute to the row (`Module.id` and a key of the
    /// module's, like `training`'s `trained_share`); none on the total.
    pub module_figures: Vec<ModuleTerritoryFigure>,
    /// Employment referrals of the period, and those completed (a job kept).
    #[graphql(deprecation = "Use `moduleReferrals` (module id `employment`).")]
    pub employment_referrals: i64,
    #[graphql(deprecation = "Use `moduleReferrals` (module id `employment`).")]
    pub employment_completed: i64,
    /// Education referrals of the period, and those completed.
    #[graphql(deprecation = "Use `moduleReferrals` (module id `education`).")]
    pub education_referrals: i64,
    #[graphql(deprecation = "Use `moduleReferrals` (module id `education`).")]
    pub education_completed: i64,
    /// Psychological-support referrals of the period, and those completed.
    #[graphql(deprecation = "Use `moduleReferrals` (module id `psych_support`).")]
    pub psych_support_referrals: i64,
    #[graphql(deprecation = "Use `moduleReferrals` (module id `psych_support`).")]
    pub psych_support_completed: i64,
}

/// One figure a module contributes to a territory's row.
#[derive(SimpleObject)]
pub struct ModuleTerritoryFigure {
    /// The module's id (`Module.id`).
    pub module_id: String,
    /// The figure's name within the module (`trained_share`).
    pub key: String,
    pub value: f64,
}

/// One module's referrals of the period in a territory.
#[derive(SimpleObject)]
pub struct ModuleReferralFigures {
    /// The module's id (`Module.id`).
    pub module_id: String,
    /// Its referrals sent in the period.
    pub referrals: i64,
    /// Those of them completed.
    pub completed: i64,
}

impl TerritoryFigures {
    fn new(f: Figures, id: Option<ID>, name: Option<String>) -> Self {
        // The fields that named three modules before `moduleReferrals`: kept for the
        // clients that read them, 0 when the module is not compiled in.
        let legacy = |id: &str| f.module(id).map_or((0, 0), |m| (m.referrals, m.completed));
        Self {
            territory_id: id,
            name,
            cases_pending: f.cases_pending,
            cases_active: f.cases_active,
            cases_suspended: f.cases_suspended,
            cases_completed: f.cases_completed,
            cases_revoked: f.cases_revoked,
            active_low: f.active_low,
            active_medium: f.active_medium,
            active_high: f.active_high,
            active_very_high: f.active_very_high,
            active_unassessed: f.active_unassessed,
            appointments_attended: f.appointments_attended,
            appointments_missed: f.appointments_missed,
            appointments_excused: f.appointments_excused,
            violations: f.violations,
            alerts_raised: f.alerts_raised,
            alerts_acknowledged: f.alerts_acknowledged,
            mean_minutes_to_acknowledge: f.mean_minutes_to_acknowledge,
            referrals_made: f.referrals_made,
            referrals_completed: f.referrals_completed,
            referrals_declined: f.referrals_declined,
            referrals_cancelled: f.referrals_cancelled,
            module_referrals: f
                .modules
                .iter()
                .map(|m| ModuleReferralFigures {
                    module_id: m.module_id.to_owned(),
                    referrals: m.referrals,
                    completed: m.completed,
                })
                .collect(),
            module_figures: f
                .contributed
                .iter()
                .map(|c| ModuleTerritoryFigure {
                    module_id: c.module_id.to_owned(),
                    key: c.key.to_owned(),
                    value: c.value,
                })
                .collect(),
            employment_referrals: legacy("employment").0,
            employment_completed: legacy("employment").1,
            education_referrals: legacy("education").0,
            education_completed: legacy("education").1,
            psych_support_referrals: legacy("psych_support").0,
            psych_support_completed: legacy("psych_support").1,
        }
    }
}

/// A dashboard: one row per territory in the caller's scope, and the total.
#[derive(SimpleObject)]
pub struct Analytics {
    pub level: AnalyticsLevel,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One row per territory with cases the caller supervises, by id.
    pub rows: Vec<TerritoryFigures>,
    pub total: TerritoryFigures,
}

/// What to compute.
#[derive(InputObject)]
pub struct AnalyticsInput {
    /// Group by region, district or mahalla.
    pub level: AnalyticsLevel,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period (inclusive; at most three years after `from`).
    pub to: NaiveDate,
    /// Only this region.
    pub region_id: Option<ID>,
    /// Only this district.
    pub district_id: Option<ID>,
}

impl AnalyticsInput {
    /// The dashboard this input asks for.
    pub fn parse(&self) -> crate::error::ApiResult<Dashboard> {
        let d = Dashboard {
            level: self.level,
            from: self.from,
            to: self.to,
            region_id: ids::decode_opt(self.region_id.as_ref(), "Region", "input.regionId")?,
            district_id: ids::decode_opt(self.district_id.as_ref(), "District", "input.districtId")?,
        };
        d.check()?;
        Ok(d)
    }
}

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// Figures by region, district or mahalla for a period, over the cases the caller
    /// supervises (their territory only), computed in the database. The same figures
    /// are served as CSV at `GET /analytics.csv`.
    async fn analytics(&self, ctx: &Context<'_>, input: AnalyticsInput) -> Result<Analytics> {
        let p = principal(ctx)?;
        let d = input.parse()?;
        let st = state(ctx)?;
        let Computed { rows, total, .. } = compute(&st.db, &st.modules, p, &d).await?;
        Ok(Analytics {
            level: d.level,
            from: d.from,
            to: d.to,
            rows: rows
                .into_iter()
                .map(|(f, name)| {
                    let id = ids::encode(d.level.type_name(), f.territory_id);
                    TerritoryFigures::new(f, Some(id), Some(name))
                })
                .collect(),
            total: TerritoryFigures::new(total, None, None),
        })
    }
}
