//! The module's contribution to the analytics dashboards (through the module host's
//! `Module::territory_figures`): the trained share of each territory, over every
//! organisation's active requirements.

use std::collections::BTreeMap;

use hamkor_api::analytics::service::AnalyticsLevel;
use hamkor_api::db::now;
use hamkor_api::module::ModuleFigure;
use sea_orm::DatabaseConnection;

use crate::service::coverage::{self, Counts};

/// `trained_share`: of the people a requirement applies to (each requirement counted
/// once per person), the share holding a valid certificate (compliant or due), per unit
/// of `level` among `units`; and `requirement_holders`, how many that share is of.
pub async fn trained_share(
    db: &DatabaseConnection,
    level: AnalyticsLevel,
    units: &[i64],
) -> anyhow::Result<Vec<ModuleFigure>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let all = coverage::count(db, None, None, now().date_naive())
        .await
        .map_err(crate::anyhow_of)?;
    let mut by_unit: BTreeMap<i64, Counts> = BTreeMap::new();
    for (u, c) in all {
        let key = match level {
            AnalyticsLevel::Region => u.region_id,
            AnalyticsLevel::District => u.district_id,
            AnalyticsLevel::Mahalla => u.mahalla_id,
        };
        if let Some(k) = key.filter(|k| units.contains(k)) {
            by_unit.entry(k).or_default().add(&c);
        }
    }
    let mut out = Vec::new();
    for (unit, c) in by_unit {
        let total = c.total();
        if total == 0 {
            continue;
        }
        out.push(ModuleFigure {
            territory_id: unit,
            key: "trained_share",
            value: (c.compliant + c.due) as f64 / total as f64,
        });
        out.push(ModuleFigure {
            territory_id: unit,
            key: "requirement_holders",
            value: total as f64,
        });
    }
    Ok(out)
}
