//! Drift of the approved model: each month (and on `hamkor model drift`), the
//! population stability index of every feature between the training cases (the
//! decile bins stored with the model) and the cases assessed since the model's data
//! end, and the calibration on those of them now labelled. Beyond the thresholds
//! (`risk_drift_psi`, `risk_drift_calibration`) the report is stored with an OPEN
//! alert for the platform admins, who read and acknowledge it through GraphQL.

use async_graphql::SimpleObject;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{DriftAlertStatus, drift};
use super::features::{self, FeatureSet, Reading, Which};
use super::{approved, report_of, shares};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::{Principal, RequestMeta};
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::risk::entity as assessment;
use crate::risk::outcome;

/// How far is drift.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub psi: f64,
    pub calibration: f64,
    /// Fewest cases a figure is computed on.
    pub min_cases: u64,
}

/// One feature's stability.
#[derive(Debug, Clone, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct FeatureDrift {
    pub feature: String,
    pub psi: f64,
    pub drifted: bool,
}

/// A drift report.
#[derive(Debug, Clone, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    pub model_version: i32,
    /// Cases assessed after this (the model's data end) are compared.
    pub since: DateTime<Utc>,
    pub cases: u64,
    pub psi_threshold: f64,
    pub calibration_threshold: f64,
    /// None when too few cases were assessed since.
    pub features: Vec<FeatureDrift>,
    pub labelled_cases: u64,
    pub mean_score: Option<f64>,
    pub observed_rate: Option<f64>,
    /// |mean score − observed rate| on the newly labelled cases (none when fewer than
    /// the minimum).
    pub calibration_gap: Option<f64>,
    pub drifted: bool,
}

/// The population stability index of `actual` shares against `expected` ones.
pub fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    const FLOOR: f64 = 1e-4;
    expected
        .iter()
        .zip(actual)
        .map(|(e, a)| {
            let (e, a) = (e.max(FLOOR), a.max(FLOOR));
            (a - e) * (a / e).ln()
        })
        .sum()
}

/// Run the check of the approved model as of `at` and store its report (none without an
/// approved model). Audited (`risk.model.drift`).
pub async fn run(
    db: &DatabaseConnection,
    modules: &crate::module::Registry,
    t: Thresholds,
    at: DateTime<Utc>,
) -> ApiResult<Option<drift::Model>> {
    let set = FeatureSet::of(modules, db.get_database_backend());
    let Some((m, spec)) = approved(db, &set).await? else {
        return Ok(None);
    };
    let report = report_of(&m)?;
    let since = report.test_to;
    let def = outcome::definition(db, Some(m.outcome_version), "outcomeVersion").await?;
    let cases = features::read(
        db,
        &set,
        Reading {
            which: Which::Index,
            cases: Condition::all().add(assessment::Column::AssessedAt.gt(since)),
            outcome: Some(&def),
            now: at,
        },
    )
    .await?;
    let enough = cases.len() as u64 >= t.min_cases.max(1);
    let features: Vec<FeatureDrift> = if enough {
        set.features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let b = &spec.bins[i];
                let values: Vec<f64> = cases.iter().map(|c| c.values[i]).collect();
                let psi = psi(&b.shares, &shares(&b.edges, &values));
                FeatureDrift {
                    feature: f.key.clone(),
                    psi,
                    drifted: psi > t.psi,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let labelled: Vec<_> = cases.iter().filter(|c| c.labelled).collect();
    let (mut mean_score, mut observed_rate, mut gap) = (None, None, None);
    if labelled.len() as u64 >= t.min_cases.max(1) {
        let n = labelled.len() as f64;
        let ms = labelled.iter().map(|c| spec.score(&c.values)).sum::<f64>() / n;
        let or = labelled.iter().filter(|c| c.outcome).count() as f64 / n;
        mean_score = Some(ms);
        observed_rate = Some(or);
        gap = Some((ms - or).abs());
    }
    let drifted = features.iter().any(|f| f.drifted) || gap.is_some_and(|g| g > t.calibration);
    let dr = DriftReport {
        model_version: m.version,
        since,
        cases: cases.len() as u64,
        psi_threshold: t.psi,
        calibration_threshold: t.calibration,
        features,
        labelled_cases: labelled.len() as u64,
        mean_score,
        observed_rate,
        calibration_gap: gap,
        drifted,
    };
    let txn = write_txn(db).await?;
    let row =
        drift::ActiveModel {
            model_id: Set(m.id),
            run_at: Set(at),
            report: Set(
                serde_json::to_string(&dr).map_err(|e| ApiError::internal("encoding a drift report", e))?
            ),
            drifted: Set(drifted),
            alert_status: Set(drifted.then_some(DriftAlertStatus::Open)),
            acknowledged_by: Set(None),
            acknowledged_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    audit::record_anonymous(
        &txn,
        None,
        &RequestMeta::default(),
        Entry::new("risk.model.drift")
            .target("RiskModel", m.id)
            .detail(json!({"report": row.id, "drifted": drifted, "cases": dr.cases})),
    )
    .await?;
    txn.commit().await?;
    if drifted {
        tracing::warn!(
            model = m.version,
            report = row.id,
            "the approved risk model has drifted"
        );
    }
    Ok(Some(row))
}

/// A stored report's content.
pub fn report(row: &drift::Model) -> ApiResult<DriftReport> {
    serde_json::from_str(&row.report).map_err(|e| ApiError::internal("decoding a drift report", e))
}

/// Days between two checks.
pub const PERIOD_DAYS: i64 = 30;

/// Whether a check is due: none of the approved model within [`PERIOD_DAYS`].
pub async fn due(db: &DatabaseConnection, set: &FeatureSet, at: DateTime<Utc>) -> ApiResult<bool> {
    let Some((m, _)) = approved(db, set).await? else {
        return Ok(false);
    };
    let last = drift::Entity::find()
        .filter(drift::Column::ModelId.eq(m.id))
        .order_by_desc(drift::Column::Id)
        .one(db)
        .await?;
    Ok(last.is_none_or(|l| l.run_at <= at - Duration::days(PERIOD_DAYS)))
}

/// The monthly job: checks once a day whether a run is due.
pub async fn run_monthly(
    db: DatabaseConnection,
    modules: crate::module::Registry,
    t: Thresholds,
    interval: std::time::Duration,
) {
    let set = FeatureSet::of(&modules, db.get_database_backend());
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let at = now();
        match due(&db, &set, at).await {
            Ok(true) => {
                if let Err(e) = run(&db, &modules, t, at).await {
                    tracing::warn!(error = ?e, "risk model drift check failed; retrying tomorrow");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = ?e, "risk model drift check failed; retrying tomorrow"),
        }
    }
}

/// Most drift reports listed at once.
pub const MAX_REPORTS: u64 = 100;

/// Drift reports, newest first (platform admins); only those with an open alert if asked.
pub async fn list(db: &DatabaseConnection, p: &Principal, open_only: bool) -> ApiResult<Vec<drift::Model>> {
    if !p.is_platform_admin() {
        return Err(ApiError::forbidden());
    }
    let mut q = drift::Entity::find().order_by_desc(drift::Column::Id);
    if open_only {
        q = q.filter(drift::Column::AlertStatus.eq(DriftAlertStatus::Open));
    }
    Ok(sea_orm::QuerySelect::limit(q, MAX_REPORTS).all(db).await?)
}

/// Acknowledge a drift alert (platform admins). Audited (`risk.model.drift_acknowledged`).
pub async fn acknowledge(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<drift::Model> {
    if !p.is_platform_admin() {
        return Err(ApiError::forbidden());
    }
    let txn = write_txn(db).await?;
    let row = drift::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RiskModelDriftReport"))?;
    if row.alert_status != Some(DriftAlertStatus::Open) {
        return Err(ApiError::refused("NO_OPEN_ALERT", "the report has no open alert"));
    }
    let mut am: drift::ActiveModel = row.into();
    am.alert_status = Set(Some(DriftAlertStatus::Acknowledged));
    am.acknowledged_by = Set(Some(p.user_id));
    am.acknowledged_at = Set(Some(now()));
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("risk.model.drift_acknowledged").target("RiskModelDriftReport", row.id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_shares_are_stable_and_a_shifted_population_is_not() {
        let e = [0.1; 10];
        assert!(psi(&e, &e).abs() < 1e-12);
        let shifted = [0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.2, 0.3, 0.3];
        assert!(psi(&e, &shifted) > 0.25);
    }
}
