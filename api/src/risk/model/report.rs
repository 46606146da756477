//! The validation report of a model on its test cases: AUC with DeLong's interval,
//! calibration per band and per decile, error rates at the HIGH band, and the same
//! per sex, age band and region with the departures the instrument's validation flags
//! (the same code: a score is counted as a total in per-mille, its band as a level).

use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use serde::{Deserialize, Serialize};

use super::features::CaseFeatures;
use crate::case::entity::RiskLevel;
use crate::enums::enum_name;
use crate::risk::validation::query::AGE_BANDS;
use crate::risk::validation::report::{Figures, Tolerance, departures, figures};
use crate::risk::validation::stats::Tally;

/// The band of a score: LOW under 0.15, MEDIUM under 0.35, HIGH under 0.60, else
/// VERY_HIGH (the bands HRA-1's levels are expected to meet under outcome version 1).
pub const BAND_CUTS: [f64; 3] = [0.15, 0.35, 0.60];

pub fn band_of(p: f64) -> RiskLevel {
    match p {
        p if p < BAND_CUTS[0] => RiskLevel::Low,
        p if p < BAND_CUTS[1] => RiskLevel::Medium,
        p if p < BAND_CUTS[2] => RiskLevel::High,
        _ => RiskLevel::VeryHigh,
    }
}

/// The bands as the validation's level bands.
pub fn bands() -> Vec<(RiskLevel, f64, f64)> {
    vec![
        (RiskLevel::Low, 0.0, BAND_CUTS[0]),
        (RiskLevel::Medium, BAND_CUTS[0], BAND_CUTS[1]),
        (RiskLevel::High, BAND_CUTS[1], BAND_CUTS[2]),
        (RiskLevel::VeryHigh, BAND_CUTS[2], 1.0),
    ]
}

/// One band of the test cases.
#[derive(Debug, Clone, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct BandFigures {
    pub band: RiskLevel,
    pub suppressed: bool,
    pub cases: Option<u64>,
    pub outcomes: Option<u64>,
    pub observed_rate: Option<f64>,
    pub expected_min: f64,
    pub expected_max: f64,
    pub within_band: Option<bool>,
}

/// One tenth of the test cases by score.
#[derive(Debug, Clone, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct DecileFigures {
    /// 1 (lowest scores) to 10.
    pub decile: i32,
    pub cases: u64,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// The figures of a set of test cases.
#[derive(Debug, Clone, Default, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct SetFigures {
    pub suppressed: bool,
    pub cases: Option<u64>,
    pub outcomes: Option<u64>,
    pub base_rate: Option<f64>,
    pub auc: Option<f64>,
    pub auc_low: Option<f64>,
    pub auc_high: Option<f64>,
    /// Share of the cases without the outcome scored HIGH or above.
    pub false_positive_rate: Option<f64>,
    /// Share of the cases with the outcome scored below HIGH.
    pub false_negative_rate: Option<f64>,
}

/// One group's figures and departures from the whole.
#[derive(Debug, Clone, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct GroupFigures {
    /// SEX, AGE_BAND or REGION.
    pub dimension: String,
    pub key: String,
    pub figures: SetFigures,
    pub auc_difference: Option<f64>,
    pub calibration_difference: Option<f64>,
    pub false_positive_rate_difference: Option<f64>,
    pub false_negative_rate_difference: Option<f64>,
    /// The figures beyond the tolerance (AUC, CALIBRATION, FALSE_POSITIVE_RATE,
    /// FALSE_NEGATIVE_RATE).
    pub flags: Vec<String>,
}

/// A model's validation report.
#[derive(Debug, Clone, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub outcome_version: i32,
    pub train_from: chrono::DateTime<chrono::Utc>,
    pub train_to: chrono::DateTime<chrono::Utc>,
    /// The test cases are those assessed from here on (the newest).
    pub test_from: chrono::DateTime<chrono::Utc>,
    pub test_to: chrono::DateTime<chrono::Utc>,
    pub train_cases: u64,
    pub test_cases: u64,
    pub min_cell_size: u64,
    pub test: SetFigures,
    pub bands: Vec<BandFigures>,
    pub deciles: Vec<DecileFigures>,
    pub groups: Vec<GroupFigures>,
}

fn set_figures(f: &Figures) -> SetFigures {
    let interval = f.auc.map(|a| a.interval());
    SetFigures {
        suppressed: f.suppressed,
        cases: f.cases,
        outcomes: f.outcomes,
        base_rate: f.base_rate,
        auc: f.auc.map(|a| a.value),
        auc_low: interval.map(|i| i.0),
        auc_high: interval.map(|i| i.1),
        false_positive_rate: f.false_positive_rate.map(|e| e.value),
        false_negative_rate: f.false_negative_rate.map(|e| e.value),
    }
}

fn tally<'a>(scored: impl Iterator<Item = (&'a CaseFeatures, f64)>) -> Tally {
    let mut t = Tally::default();
    for (c, p) in scored {
        t.add((p * 1000.0).round() as i32, band_of(p), c.outcome, 1);
    }
    t
}

/// Calibration per decile of score.
pub fn deciles(scored: &[(&CaseFeatures, f64)]) -> Vec<DecileFigures> {
    let mut sorted: Vec<(bool, f64)> = scored.iter().map(|(c, p)| (c.outcome, *p)).collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let n = sorted.len();
    (0..10)
        .filter_map(|d| {
            let part = &sorted[n * d / 10..n * (d + 1) / 10];
            (!part.is_empty()).then(|| {
                let k = part.len() as f64;
                DecileFigures {
                    decile: d as i32 + 1,
                    cases: part.len() as u64,
                    mean_predicted: part.iter().map(|x| x.1).sum::<f64>() / k,
                    observed_rate: part.iter().filter(|x| x.0).count() as f64 / k,
                }
            })
        })
        .collect()
}

fn age_band(age: i32) -> &'static str {
    AGE_BANDS[match age {
        ..25 => 0,
        25..35 => 1,
        35..45 => 2,
        45..55 => 3,
        _ => 4,
    }]
}

/// Figures of scored cases: the whole, its bands and deciles, and the groups.
pub fn evaluate(
    scored: &[(&CaseFeatures, f64)],
    min_cell: u64,
    tolerance: Tolerance,
) -> (
    SetFigures,
    Vec<BandFigures>,
    Vec<DecileFigures>,
    Vec<GroupFigures>,
) {
    let bands = bands();
    let whole_tally = tally(scored.iter().copied());
    let whole = figures(&whole_tally, &bands, min_cell);
    let band_figures = whole
        .levels
        .iter()
        .map(|l| BandFigures {
            band: l.level,
            suppressed: l.suppressed,
            cases: l.cases,
            outcomes: l.outcomes,
            observed_rate: l.observed,
            expected_min: l.band.map_or(0.0, |b| b.0),
            expected_max: l.band.map_or(1.0, |b| b.1),
            within_band: l.within_band,
        })
        .collect();
    let mut groups: BTreeMap<(&'static str, String), Vec<(&CaseFeatures, f64)>> = BTreeMap::new();
    for (c, p) in scored {
        let sex = c.sex.map_or_else(|| "UNKNOWN".to_owned(), enum_name);
        groups.entry(("SEX", sex)).or_default().push((c, *p));
        groups
            .entry(("AGE_BAND", age_band(c.age).to_owned()))
            .or_default()
            .push((c, *p));
        groups
            .entry(("REGION", c.region_id.to_string()))
            .or_default()
            .push((c, *p));
    }
    let group_figures = groups
        .into_iter()
        .map(|((dimension, key), members)| {
            let t = tally(members.iter().copied());
            let f = figures(&t, &bands, min_cell);
            let d = departures(&t, &f, &whole_tally, &whole, tolerance);
            GroupFigures {
                dimension: dimension.to_owned(),
                key,
                figures: set_figures(&f),
                auc_difference: d.auc,
                calibration_difference: d.calibration.map(|c| c.value),
                false_positive_rate_difference: d.false_positive_rate,
                false_negative_rate_difference: d.false_negative_rate,
                flags: d.flags.iter().map(|m| enum_name(*m)).collect(),
            }
        })
        .collect();
    (set_figures(&whole), band_figures, deciles(scored), group_figures)
}
