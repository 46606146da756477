//! The learned risk model: a regularised logistic regression (`linfa-logistic`) over the
//! features the record holds ([`features`]), trained on the older labelled cases and
//! validated on the newest, stored as a versioned row with its report, and used only
//! once a platform admin has approved it — to order a caseload and to point at the
//! features behind a score. It never sets a risk level and decides nothing.
//!
//! Statuses: DRAFT (trained) → APPROVED (a platform admin, with the report read first;
//! the approved model before it is RETIRED in the same transaction) → RETIRED.

pub mod attention;
pub mod card;
pub mod drift;
pub mod entity;
pub mod features;
pub mod registry;
pub mod report;

use chrono::{DateTime, Utc};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use sea_orm::{Condition, DatabaseConnection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use self::entity::model;
use self::features::{CaseFeatures, FeatureSet, Reading, Which};
pub use self::registry::{MAX_MODELS, approve, approved, get, list, retire, train};
use self::report::Report;
use crate::error::{ApiError, ApiResult};
use crate::risk::outcome;
use crate::risk::validation::report::Tolerance;

/// Per-feature bins of the training distribution (deciles), for the drift check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bins {
    /// Upper edges (a value at most `edges[i]` falls in bin `i`; above the last, the last bin).
    pub edges: Vec<f64>,
    /// Share of the training cases in each bin (`edges.len() + 1` of them).
    pub shares: Vec<f64>,
}

/// The model itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    pub features: Vec<String>,
    /// How an officer reads each feature, as the build that trained it worded it.
    #[serde(default)]
    pub labels: Vec<String>,
    pub coefficients: Vec<f64>,
    pub intercept: f64,
    pub means: Vec<f64>,
    pub sds: Vec<f64>,
    pub bins: Vec<Bins>,
    /// The L2 penalty it was trained with.
    pub alpha: f64,
}

/// One feature's part in a score.
#[derive(Debug, Clone, Copy)]
pub struct Contribution {
    pub feature: usize,
    pub value: f64,
    /// Coefficient × scaled value, on the log-odds.
    pub contribution: f64,
}

impl Spec {
    fn scaled(&self, i: usize, v: f64) -> f64 {
        (v - self.means[i]) / self.sds[i]
    }

    /// The probability of the outcome.
    pub fn score(&self, values: &[f64]) -> f64 {
        let eta = self.intercept
            + values
                .iter()
                .enumerate()
                .map(|(i, v)| self.coefficients[i] * self.scaled(i, *v))
                .sum::<f64>();
        1.0 / (1.0 + (-eta).exp())
    }

    /// Every feature's contribution, largest first.
    pub fn contributions(&self, values: &[f64]) -> Vec<Contribution> {
        let mut c: Vec<Contribution> = values
            .iter()
            .enumerate()
            .map(|(i, v)| Contribution {
                feature: i,
                value: *v,
                contribution: self.coefficients[i] * self.scaled(i, *v),
            })
            .collect();
        c.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        c
    }

    /// Whether the spec's features are the ones this build reads (its modules make
    /// the set: a model trained with a module's features does not score without it).
    pub fn matches_features(&self, set: &FeatureSet) -> bool {
        self.features.len() == set.len()
            && self.features.iter().zip(set.keys()).all(|(a, b)| a == b)
            && self.coefficients.len() == set.len()
    }

    /// How an officer reads feature `i`.
    pub fn label(&self, i: usize) -> &str {
        self.labels
            .get(i)
            .or_else(|| self.features.get(i))
            .map_or("", String::as_str)
    }
}

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// The outcome definition's version; the newest when none.
    pub outcome_version: Option<i32>,
    /// Share of the labelled cases, the newest by assessment, kept for the test.
    pub test_share: f64,
    /// The L2 penalty.
    pub alpha: f64,
    pub min_cell: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            outcome_version: None,
            test_share: 0.2,
            alpha: 1.0,
            min_cell: 10,
        }
    }
}

/// Fewest labelled cases a model is trained on.
pub const MIN_TRAINING_CASES: usize = 200;

fn mean_sd(xs: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = xs.clone().count().max(1) as f64;
    let m = xs.clone().sum::<f64>() / n;
    let var = xs.map(|x| (x - m).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    (m, if sd > 1e-9 { sd } else { 1.0 })
}

/// Decile bins of `values` (duplicates of an edge merged).
pub fn bins_of(values: &[f64]) -> Bins {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mut edges: Vec<f64> = (1..10)
        .filter_map(|d| sorted.get((n * d / 10).saturating_sub(1)).copied())
        .collect();
    edges.dedup();
    if edges
        .last()
        .is_some_and(|e| sorted.last().is_some_and(|m| e >= m))
    {
        edges.pop();
    }
    let shares = shares(&edges, values);
    Bins { edges, shares }
}

/// The share of `values` in each bin of `edges`.
pub fn shares(edges: &[f64], values: &[f64]) -> Vec<f64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for v in values {
        let i = edges.iter().position(|e| v <= e).unwrap_or(edges.len());
        counts[i] += 1;
    }
    let n = values.len().max(1) as f64;
    counts.into_iter().map(|c| c as f64 / n).collect()
}

fn fingerprint(cases: &[CaseFeatures]) -> String {
    let mut ids: Vec<(i64, bool)> = cases.iter().map(|c| (c.case_id, c.outcome)).collect();
    ids.sort_unstable();
    let mut h = Sha256::new();
    for (id, y) in ids {
        h.update(format!("{id}:{};", u8::from(y)));
    }
    format!("{:x}", h.finalize())
}

/// Fit the regression on scaled features; the spec (without bins).
fn fit(set: &FeatureSet, train: &[&CaseFeatures], alpha: f64) -> ApiResult<Spec> {
    let k = set.len();
    let (means, sds): (Vec<f64>, Vec<f64>) = (0..k)
        .map(|i| mean_sd(train.iter().map(move |c| c.values[i])))
        .unzip();
    let mut x = Array2::<f64>::zeros((train.len(), k));
    for (r, c) in train.iter().enumerate() {
        for i in 0..k {
            x[[r, i]] = (c.values[i] - means[i]) / sds[i];
        }
    }
    let y: Array1<bool> = train.iter().map(|c| c.outcome).collect();
    let fitted = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(300)
        .fit(&Dataset::new(x, y))
        .map_err(|e| ApiError::internal("fitting the risk model", anyhow::anyhow!("{e}")))?;
    // The fitted probabilities are of the class `labels().pos` names (the more frequent
    // one, usually no outcome): turn them round so the score is that of the outcome.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(Spec {
        features: set.keys().map(str::to_owned).collect(),
        labels: set.features.iter().map(|f| f.label.clone()).collect(),
        coefficients: fitted.params().iter().map(|c| sign * c).collect(),
        intercept: sign * fitted.intercept(),
        means,
        sds,
        bins: Vec::new(),
        alpha,
    })
}

/// A trained model and its report, before it is stored.
pub struct Trained {
    pub spec: Spec,
    pub report: Report,
    pub fingerprint: String,
}

/// Train on the labelled cases (outcome window passed) as of `at`: the oldest
/// `1 − test_share` by assessment for the fit, the newest for the test.
pub async fn fit_on_record(
    db: &DatabaseConnection,
    set: &FeatureSet,
    o: TrainOptions,
    at: DateTime<Utc>,
) -> ApiResult<Trained> {
    if !(0.05..=0.5).contains(&o.test_share) {
        return Err(ApiError::bad_input("testShare", "must be between 0.05 and 0.5"));
    }
    if !(0.0..=1000.0).contains(&o.alpha) {
        return Err(ApiError::bad_input("alpha", "must be between 0 and 1000"));
    }
    let def = outcome::definition(db, o.outcome_version, "outcomeVersion").await?;
    let mut cases: Vec<CaseFeatures> = features::read(
        db,
        set,
        Reading {
            which: Which::Index,
            cases: Condition::all(),
            outcome: Some(&def),
            now: at,
        },
    )
    .await?
    .into_iter()
    .filter(|c| c.labelled)
    .collect();
    cases.sort_by_key(|c| (c.assessed_at, c.case_id));
    let n = cases.len();
    // The test cases are all those assessed from the cut's time on (cases assessed at
    // the same moment stay together).
    let mut n_train = ((n as f64) * (1.0 - o.test_share)).floor() as usize;
    if let Some(cut) = cases.get(n_train).map(|c| c.assessed_at) {
        n_train = cases.partition_point(|c| c.assessed_at < cut);
    }
    let (train, test) = cases.split_at(n_train);
    let positives = |s: &[CaseFeatures]| s.iter().filter(|c| c.outcome).count();
    if n < MIN_TRAINING_CASES || positives(train) == 0 || positives(train) == train.len() || test.is_empty() {
        return Err(ApiError::refused(
            "NOT_ENOUGH_DATA",
            format!(
                "{n} labelled cases (with and without the outcome) are too few to train on; at least {MIN_TRAINING_CASES}"
            ),
        ));
    }
    let train_refs: Vec<&CaseFeatures> = train.iter().collect();
    let mut spec = fit(set, &train_refs, o.alpha)?;
    spec.bins = (0..set.len())
        .map(|i| bins_of(&train.iter().map(|c| c.values[i]).collect::<Vec<_>>()))
        .collect();
    let scored: Vec<(&CaseFeatures, f64)> = test.iter().map(|c| (c, spec.score(&c.values))).collect();
    let (whole, bands, deciles, groups) = report::evaluate(&scored, o.min_cell, Tolerance::default());
    let report = Report {
        outcome_version: def.version,
        train_from: train[0].assessed_at,
        train_to: train[train.len() - 1].assessed_at,
        test_from: test[0].assessed_at,
        test_to: test[test.len() - 1].assessed_at,
        train_cases: train.len() as u64,
        test_cases: test.len() as u64,
        min_cell_size: o.min_cell,
        test: whole,
        bands,
        deciles,
        groups,
    };
    Ok(Trained {
        spec,
        report,
        fingerprint: fingerprint(&cases),
    })
}

pub(super) fn to_json<T: Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::internal("encoding the risk model", e))
}

/// A stored model's spec.
pub fn spec_of(m: &model::Model) -> ApiResult<Spec> {
    serde_json::from_str(&m.spec).map_err(|e| ApiError::internal("decoding a risk model", e))
}

/// A stored model's report.
pub fn report_of(m: &model::Model) -> ApiResult<Report> {
    serde_json::from_str(&m.report).map_err(|e| ApiError::internal("decoding a risk model's report", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decile_bins_hold_a_tenth_each_on_a_continuous_feature() {
        let v: Vec<f64> = (0..1000).map(f64::from).collect();
        let b = bins_of(&v);
        assert_eq!(b.edges.len(), 9);
        assert!(b.shares.iter().all(|s| (s - 0.1).abs() < 1e-9), "{b:?}");
    }

    #[test]
    fn a_constant_feature_has_one_bin() {
        let b = bins_of(&[2.0; 50]);
        assert!(b.edges.is_empty());
        assert_eq!(b.shares, vec![1.0]);
    }
}
