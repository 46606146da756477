//! Mahalla-, district- and region-level figures, computed in the database.
//!
//! Each kind of record is counted by one `GROUP BY` over the cases the caller may
//! supervise (the access rule as a SQL condition, so the figures never leave the
//! caller's territory), joined on the case and filtered by the period with the
//! `(case_id, time)` indexes. Nothing is loaded into memory but one row per territory.
//!
//! Cases are counted as they stand now (status, and risk level of the active ones);
//! appointments, violations, alerts and referrals by when they happened in the period.

//!
//! Modules that count their referrals ([`Module::counts_referrals`]) get one entry each
//! in every row, keyed by module id; the core names no module.
//!
//! [`Module::counts_referrals`]: crate::module::Module::counts_referrals

mod counts;
mod figures;

use std::collections::BTreeMap;

use async_graphql::Enum;
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use counts::dashboard;
pub use figures::{ContributedFigure, Figures, ModuleFigures, csv_header, total};

use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::error::{ApiError, ApiResult};
use crate::module::Registry;

/// The territorial level the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AnalyticsLevel {
    Region,
    District,
    Mahalla,
}

impl AnalyticsLevel {
    pub(super) fn column(self) -> case::Column {
        match self {
            Self::Region => case::Column::RegionId,
            Self::District => case::Column::DistrictId,
            Self::Mahalla => case::Column::MahallaId,
        }
    }

    /// The GraphQL type name of a unit at this level.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Region => "Region",
            Self::District => "District",
            Self::Mahalla => "Mahalla",
        }
    }
}

/// What to compute: the level, the period (inclusive dates) and an optional narrowing.
#[derive(Debug, Clone, Copy)]
pub struct Dashboard {
    pub level: AnalyticsLevel,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
}

/// Longest period one dashboard covers.
pub const MAX_PERIOD_DAYS: u64 = 3 * 366;

impl Dashboard {
    /// Check the period, naming the offending field.
    pub fn check(&self) -> ApiResult<()> {
        if self.from > self.to {
            return Err(ApiError::bad_input("input.to", "must not be before input.from"));
        }
        if self.to > self.from + Days::new(MAX_PERIOD_DAYS) {
            return Err(ApiError::bad_input(
                "input.to",
                "the period is at most three years",
            ));
        }
        Ok(())
    }

    pub(super) fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let end = (self.to + Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        (start, end)
    }
}

/// The ids of the modules whose referrals the dashboards count, in registry order.
pub fn counted_modules(modules: &Registry) -> Vec<&'static str> {
    modules
        .all()
        .filter(|m| m.counts_referrals())
        .map(|m| m.id())
        .collect()
}

/// A computed dashboard: its rows with their territories' names, and the total.
pub struct Computed {
    /// The modules counted, in the order of every row's entries.
    pub modules: Vec<&'static str>,
    pub rows: Vec<(Figures, String)>,
    pub total: Figures,
}

/// The rows of a dashboard with their territories' names, and the total.
pub async fn compute(
    db: &DatabaseConnection,
    modules: &Registry,
    p: &Principal,
    d: &Dashboard,
) -> ApiResult<Computed> {
    let registry = modules;
    let modules = counted_modules(modules);
    let mut rows = dashboard(db, &modules, p, d).await?;
    contribute(db, registry, d.level, &mut rows).await?;
    let names = names(db, d.level, rows.iter().map(|r| r.territory_id).collect()).await?;
    let total = total(&modules, &rows);
    let named = rows
        .into_iter()
        .map(|r| {
            let name = names.get(&r.territory_id).cloned().unwrap_or_default();
            (r, name)
        })
        .collect();
    Ok(Computed {
        modules,
        rows: named,
        total,
    })
}

/// Add each module's figures ([`Module::territory_figures`]) to the rows they are of.
///
/// [`Module::territory_figures`]: crate::module::Module::territory_figures
async fn contribute(
    db: &DatabaseConnection,
    modules: &Registry,
    level: AnalyticsLevel,
    rows: &mut [Figures],
) -> ApiResult<()> {
    let units: Vec<i64> = rows.iter().map(|r| r.territory_id).collect();
    for m in modules.all() {
        let figures = m
            .territory_figures(db, level, &units)
            .await
            .map_err(|e| ApiError::Internal(e.context(format!("figures of module {}", m.id()))))?;
        for f in figures {
            if let Some(row) = rows.iter_mut().find(|r| r.territory_id == f.territory_id) {
                row.contributed.push(ContributedFigure {
                    module_id: m.id(),
                    key: f.key,
                    value: f.value,
                });
            }
        }
    }
    Ok(())
}

/// Names of the territories of `rows` at `level`, by id.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    level: AnalyticsLevel,
    ids: Vec<i64>,
) -> ApiResult<BTreeMap<i64, String>> {
    use crate::territory::entity::{district, mahalla, region};
    Ok(match level {
        AnalyticsLevel::Region => region::Entity::find()
            .filter(region::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name_uz))
            .collect(),
        AnalyticsLevel::District => district::Entity::find()
            .filter(district::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name_uz))
            .collect(),
        AnalyticsLevel::Mahalla => mahalla::Entity::find()
            .filter(mahalla::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
    })
}
