//! The statistics of a validation, over counts (never over individual cases).
//!
//! A [`Tally`] holds how many cases with and without the outcome had each instrument
//! total and each level. The AUC is the Mann–Whitney rank statistic (ties count a half);
//! its standard error is DeLong's, computed from the same counts (every case with the
//! same total has the same placement value). Rates carry Wilson score intervals.

use std::collections::BTreeMap;

use crate::case::entity::RiskLevel;

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The levels in order, as indexes of [`Tally::by_level`].
pub const LEVELS: [RiskLevel; 4] = [
    RiskLevel::Low,
    RiskLevel::Medium,
    RiskLevel::High,
    RiskLevel::VeryHigh,
];

pub fn level_index(l: RiskLevel) -> usize {
    match l {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
        RiskLevel::VeryHigh => 3,
    }
}

/// Cases with (`pos`) and without (`neg`) the outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Split {
    pub pos: u64,
    pub neg: u64,
}

impl Split {
    pub fn n(&self) -> u64 {
        self.pos + self.neg
    }
    fn add(&mut self, o: Split) {
        self.pos += o.pos;
        self.neg += o.neg;
    }
}

/// Outcome counts of a set of cases by instrument total and by level.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub by_total: BTreeMap<i32, Split>,
    pub by_level: [Split; 4],
}

impl Tally {
    /// Count `count` cases of `total` and `level` with (`outcome`) or without the outcome.
    pub fn add(&mut self, total: i32, level: RiskLevel, outcome: bool, count: u64) {
        let s = if outcome {
            Split { pos: count, neg: 0 }
        } else {
            Split { pos: 0, neg: count }
        };
        self.by_total.entry(total).or_default().add(s);
        self.by_level[level_index(level)].add(s);
    }

    pub fn all(&self) -> Split {
        let mut s = Split::default();
        for l in &self.by_level {
            s.add(*l);
        }
        s
    }

    /// Cases at or above `cut` (flagged) and below it, each split by outcome.
    pub fn at_cut(&self, cut: RiskLevel) -> (Split, Split) {
        let (mut above, mut below) = (Split::default(), Split::default());
        for (i, s) in self.by_level.iter().enumerate() {
            if i >= level_index(cut) {
                above.add(*s);
            } else {
                below.add(*s);
            }
        }
        (above, below)
    }
}

/// An estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub se: f64,
}

impl Estimate {
    /// The 95% interval, clamped to [0, 1].
    pub fn interval(&self) -> (f64, f64) {
        (
            (self.value - Z95 * self.se).max(0.0),
            (self.value + Z95 * self.se).min(1.0),
        )
    }
}

/// The AUC of the totals (Mann–Whitney) with DeLong's standard error; none without
/// cases of both outcomes.
pub fn auc(t: &Tally) -> Option<Estimate> {
    let all = t.all();
    let (p, n) = (all.pos as f64, all.neg as f64);
    if all.pos == 0 || all.neg == 0 {
        return None;
    }
    // Placements: a positive at total s beats the negatives below s (a half for ties);
    // a negative at s is beaten by the positives above s.
    let mut neg_below = 0.0;
    let mut pos_above = p;
    let mut v10 = Vec::with_capacity(t.by_total.len());
    let mut v01 = Vec::with_capacity(t.by_total.len());
    for s in t.by_total.values() {
        let (sp, sn) = (s.pos as f64, s.neg as f64);
        pos_above -= sp;
        v10.push((sp, (neg_below + 0.5 * sn) / n));
        v01.push((sn, (pos_above + 0.5 * sp) / p));
        neg_below += sn;
    }
    let value = v10.iter().map(|(w, v)| w * v).sum::<f64>() / p;
    let var = |vs: &[(f64, f64)], m: f64| {
        if m < 2.0 {
            return 0.0;
        }
        vs.iter().map(|(w, v)| w * (v - value).powi(2)).sum::<f64>() / (m - 1.0)
    };
    let se = (var(&v10, p) / p + var(&v01, n) / n).sqrt();
    Some(Estimate { value, se })
}

/// `k` of `n`, with its binomial standard error; none when `n` is 0.
pub fn rate(k: u64, n: u64) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let r = k as f64 / n as f64;
    Some(Estimate {
        value: r,
        se: (r * (1.0 - r) / n as f64).sqrt(),
    })
}

/// The Wilson score 95% interval of `k` of `n`.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let z2 = Z95 * Z95;
    let p = k / n;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(pos: &[i32], neg: &[i32]) -> Tally {
        let mut t = Tally::default();
        for s in pos {
            t.add(*s, crate::risk::instrument::level_of(*s), true, 1);
        }
        for s in neg {
            t.add(*s, crate::risk::instrument::level_of(*s), false, 1);
        }
        t
    }

    /// AUC and DeLong's variance computed case by case, as the textbook writes them.
    fn brute(pos: &[i32], neg: &[i32]) -> (f64, f64) {
        let psi = |x: i32, y: i32| match x.cmp(&y) {
            std::cmp::Ordering::Greater => 1.0,
            std::cmp::Ordering::Equal => 0.5,
            std::cmp::Ordering::Less => 0.0,
        };
        let (m, n) = (pos.len() as f64, neg.len() as f64);
        let v10: Vec<f64> = pos
            .iter()
            .map(|x| neg.iter().map(|y| psi(*x, *y)).sum::<f64>() / n)
            .collect();
        let v01: Vec<f64> = neg
            .iter()
            .map(|y| pos.iter().map(|x| psi(*x, *y)).sum::<f64>() / m)
            .collect();
        let a = v10.iter().sum::<f64>() / m;
        let s10 = v10.iter().map(|v| (v - a).powi(2)).sum::<f64>() / (m - 1.0);
        let s01 = v01.iter().map(|v| (v - a).powi(2)).sum::<f64>() / (n - 1.0);
        (a, (s10 / m + s01 / n).sqrt())
    }

    #[test]
    fn the_auc_and_its_error_match_the_case_by_case_formulas_with_ties() {
        let pos = [20, 18, 18, 12, 25, 9, 16, 16];
        let neg = [5, 9, 12, 16, 3, 8, 18, 7, 10, 11];
        let e = auc(&tally(&pos, &neg)).expect("both outcomes");
        let (a, se) = brute(&pos, &neg);
        assert!((e.value - a).abs() < 1e-12, "{} vs {a}", e.value);
        assert!((e.se - se).abs() < 1e-12, "{} vs {se}", e.se);
    }

    #[test]
    fn perfect_separation_has_auc_one_and_no_auc_without_both_outcomes() {
        let e = auc(&tally(&[20, 21], &[3, 4])).expect("both outcomes");
        assert_eq!(e.value, 1.0);
        assert!(auc(&tally(&[20, 21], &[])).is_none());
    }

    #[test]
    fn the_wilson_interval_holds_the_rate_and_stays_within_0_and_1() {
        let (lo, hi) = wilson(0, 20).expect("cases");
        assert_eq!(lo, 0.0);
        assert!(hi > 0.1 && hi < 0.2, "{hi}");
        let (lo, hi) = wilson(30, 100).expect("cases");
        assert!(lo < 0.3 && hi > 0.3);
    }

    #[test]
    fn the_high_cut_off_splits_high_and_very_high_from_the_rest() {
        let t = tally(&[20, 25, 5], &[16, 3, 10]);
        let (above, below) = t.at_cut(RiskLevel::High);
        assert_eq!(above, Split { pos: 2, neg: 1 });
        assert_eq!(below, Split { pos: 1, neg: 2 });
    }
}
