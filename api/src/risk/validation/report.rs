//! From counts to the published figures: rates, AUC, calibration per level, error rates
//! at the HIGH cut-off, per group and for the whole, with small cells suppressed and
//! groups that depart from the whole flagged.
//!
//! **Small cells.** A set of fewer than `min_cell` cases publishes nothing but the fact
//! that it was suppressed; a rate conditional on the outcome (AUC, false-negative rate)
//! needs `min_cell` cases with the outcome, one conditional on its absence (AUC,
//! false-positive rate) `min_cell` without. Where exactly one set of a partition (the
//! groups of a dimension, the levels of a set) is suppressed, the smallest shown one is
//! suppressed too, so that no suppressed count can be recovered by subtraction.
//!
//! **Flags.** A group's figure departs from the whole's when its whole 95% interval
//! lies beyond the tolerance: `|group − whole| − 1.96·se(group) > tolerance`. The
//! calibration difference is the group's mean of (outcome − the whole's observed rate
//! at the case's level): 0 when the levels mean for the group what they mean overall.

use super::stats::{Estimate, LEVELS, Split, Tally, Z95, auc, rate, wilson};
use crate::case::entity::RiskLevel;

/// How far a group may depart from the whole before it is flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    pub auc: f64,
    pub calibration: f64,
    pub error_rate: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            auc: 0.05,
            calibration: 0.05,
            error_rate: 0.10,
        }
    }
}

/// One level of a set of cases.
#[derive(Debug, Clone)]
pub struct LevelFigures {
    pub level: RiskLevel,
    pub suppressed: bool,
    pub cases: Option<u64>,
    pub outcomes: Option<u64>,
    pub observed: Option<f64>,
    /// Wilson 95% interval of the observed rate.
    pub observed_interval: Option<(f64, f64)>,
    /// The band of outcome rates the level is expected to show, if one is on record.
    pub band: Option<(f64, f64)>,
    /// Whether the observed interval meets the band.
    pub within_band: Option<bool>,
}

/// The figures of a set of cases (the whole, or one group).
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub suppressed: bool,
    pub cases: Option<u64>,
    pub outcomes: Option<u64>,
    pub base_rate: Option<f64>,
    pub base_rate_interval: Option<(f64, f64)>,
    pub auc: Option<Estimate>,
    pub levels: Vec<LevelFigures>,
    /// Share of the cases without the outcome at HIGH or above.
    pub false_positive_rate: Option<Estimate>,
    /// Share of the cases with the outcome below HIGH.
    pub false_negative_rate: Option<Estimate>,
}

/// A figure a group is compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum FairnessMetric {
    Auc,
    Calibration,
    FalsePositiveRate,
    FalseNegativeRate,
}

/// How a group's figures differ from the whole's.
#[derive(Debug, Clone, Default)]
pub struct Departures {
    pub auc: Option<f64>,
    /// The calibration difference (see the module documentation) and its error.
    pub calibration: Option<Estimate>,
    pub false_positive_rate: Option<f64>,
    pub false_negative_rate: Option<f64>,
    /// The figures whose departure lies beyond the tolerance.
    pub flags: Vec<FairnessMetric>,
}

fn enough(k: u64, min_cell: u64) -> bool {
    k >= min_cell
}

/// The figures of `t`, or a suppressed set when it is too small.
pub fn figures(t: &Tally, bands: &[(RiskLevel, f64, f64)], min_cell: u64) -> Figures {
    let all = t.all();
    if !enough(all.n(), min_cell) {
        return Figures {
            suppressed: true,
            ..Figures::default()
        };
    }
    let mut levels: Vec<LevelFigures> = LEVELS
        .iter()
        .zip(t.by_level)
        .map(|(l, s)| level_figures(*l, s, bands, min_cell))
        .collect();
    let sizes: Vec<u64> = t.by_level.iter().map(Split::n).collect();
    secondary(
        &sizes,
        &mut levels,
        |l| l.suppressed,
        |l| *l = suppressed_level(l.level, bands),
    );
    let (above, below) = t.at_cut(RiskLevel::High);
    Figures {
        suppressed: false,
        cases: Some(all.n()),
        outcomes: Some(all.pos),
        base_rate: rate(all.pos, all.n()).map(|e| e.value),
        base_rate_interval: wilson(all.pos, all.n()),
        auc: (enough(all.pos, min_cell) && enough(all.neg, min_cell))
            .then(|| auc(t))
            .flatten(),
        levels,
        false_positive_rate: enough(all.neg, min_cell)
            .then(|| rate(above.neg, all.neg))
            .flatten(),
        false_negative_rate: enough(all.pos, min_cell)
            .then(|| rate(below.pos, all.pos))
            .flatten(),
    }
}

fn band_of(level: RiskLevel, bands: &[(RiskLevel, f64, f64)]) -> Option<(f64, f64)> {
    bands.iter().find(|b| b.0 == level).map(|b| (b.1, b.2))
}

fn suppressed_level(level: RiskLevel, bands: &[(RiskLevel, f64, f64)]) -> LevelFigures {
    LevelFigures {
        level,
        suppressed: true,
        cases: None,
        outcomes: None,
        observed: None,
        observed_interval: None,
        band: band_of(level, bands),
        within_band: None,
    }
}

fn level_figures(level: RiskLevel, s: Split, bands: &[(RiskLevel, f64, f64)], min_cell: u64) -> LevelFigures {
    if s.n() > 0 && !enough(s.n(), min_cell) {
        return suppressed_level(level, bands);
    }
    let band = band_of(level, bands);
    let interval = wilson(s.pos, s.n());
    LevelFigures {
        level,
        suppressed: false,
        cases: Some(s.n()),
        outcomes: Some(s.pos),
        observed: rate(s.pos, s.n()).map(|e| e.value),
        observed_interval: interval,
        band,
        within_band: band.zip(interval).map(|((lo, hi), (a, b))| a <= hi && b >= lo),
    }
}

/// Where exactly one non-empty member of a partition is suppressed, suppress the
/// smallest shown non-empty one as well.
pub fn secondary<T>(
    sizes: &[u64],
    items: &mut [T],
    is_suppressed: impl Fn(&T) -> bool,
    suppress: impl Fn(&mut T),
) {
    let hidden = items
        .iter()
        .zip(sizes)
        .filter(|(it, n)| **n > 0 && is_suppressed(it))
        .count();
    if hidden != 1 {
        return;
    }
    let smallest = items
        .iter()
        .zip(sizes)
        .enumerate()
        .filter(|(_, (it, n))| **n > 0 && !is_suppressed(it))
        .min_by_key(|(_, (_, n))| **n)
        .map(|(i, _)| i);
    if let Some(i) = smallest {
        suppress(&mut items[i]);
    }
}

/// How the group `g` departs from the whole `w` (both already computed with
/// [`figures`]), and which departures lie beyond `tol`.
pub fn departures(g_tally: &Tally, g: &Figures, w_tally: &Tally, w: &Figures, tol: Tolerance) -> Departures {
    if g.suppressed || w.suppressed {
        return Departures::default();
    }
    let beyond = |diff: f64, se: f64, tol: f64| diff.abs() - Z95 * se > tol;
    let mut d = Departures::default();
    if let (Some(a), Some(b)) = (g.auc, w.auc) {
        let diff = a.value - b.value;
        d.auc = Some(diff);
        if beyond(diff, a.se, tol.auc) {
            d.flags.push(FairnessMetric::Auc);
        }
    }
    // Calibration against the whole's observed rate at each level.
    let n = g_tally.all().n() as f64;
    let (mut excess, mut var) = (0.0, 0.0);
    for (gs, ws) in g_tally.by_level.iter().zip(&w_tally.by_level) {
        if gs.n() == 0 {
            continue;
        }
        let r = ws.pos as f64 / ws.n().max(1) as f64;
        excess += gs.pos as f64 - gs.n() as f64 * r;
        var += gs.n() as f64 * r * (1.0 - r);
    }
    let cal = Estimate {
        value: excess / n,
        se: var.sqrt() / n,
    };
    d.calibration = Some(cal);
    if beyond(cal.value, cal.se, tol.calibration) {
        d.flags.push(FairnessMetric::Calibration);
    }
    if let (Some(a), Some(b)) = (g.false_positive_rate, w.false_positive_rate) {
        let diff = a.value - b.value;
        d.false_positive_rate = Some(diff);
        if beyond(diff, a.se, tol.error_rate) {
            d.flags.push(FairnessMetric::FalsePositiveRate);
        }
    }
    if let (Some(a), Some(b)) = (g.false_negative_rate, w.false_negative_rate) {
        let diff = a.value - b.value;
        d.false_negative_rate = Some(diff);
        if beyond(diff, a.se, tol.error_rate) {
            d.flags.push(FairnessMetric::FalseNegativeRate);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(rows: &[(i32, bool, u64)]) -> Tally {
        let mut t = Tally::default();
        for (total, outcome, n) in rows {
            t.add(*total, crate::risk::instrument::level_of(*total), *outcome, *n);
        }
        t
    }

    #[test]
    fn a_set_below_the_minimum_cell_publishes_nothing() {
        let f = figures(&tally(&[(5, true, 3), (20, false, 5)]), &[], 10);
        assert!(f.suppressed);
        assert_eq!(f.cases, None);
    }

    #[test]
    fn a_lone_small_level_takes_the_next_smallest_with_it() {
        let t = tally(&[(5, false, 40), (12, true, 30), (18, true, 15), (25, true, 3)]);
        let f = figures(&t, &[], 10);
        let shown: Vec<bool> = f.levels.iter().map(|l| l.suppressed).collect();
        assert_eq!(shown, [false, false, true, true]);
        assert_eq!(f.cases, Some(88));
    }

    #[test]
    fn the_auc_needs_enough_cases_on_both_sides() {
        let f = figures(&tally(&[(5, false, 40), (20, true, 5)]), &[], 10);
        assert!(f.auc.is_none() && f.false_negative_rate.is_none());
        assert!(f.false_positive_rate.is_some());
    }

    #[test]
    fn a_group_whose_levels_mean_less_is_flagged_on_calibration_only_beyond_the_tolerance() {
        let whole = tally(&[(5, true, 100), (5, false, 900), (20, true, 400), (20, false, 600)]);
        let low = tally(&[(5, true, 5), (5, false, 95), (20, true, 10), (20, false, 90)]);
        let same = tally(&[(5, true, 10), (5, false, 90), (20, true, 40), (20, false, 60)]);
        let (wf, tol) = (figures(&whole, &[], 10), Tolerance::default());
        let d = departures(&low, &figures(&low, &[], 10), &whole, &wf, tol);
        assert!(d.flags.contains(&FairnessMetric::Calibration), "{d:?}");
        let d = departures(&same, &figures(&same, &[], 10), &whole, &wf, tol);
        assert!(d.flags.is_empty(), "{d:?}");
    }
}
