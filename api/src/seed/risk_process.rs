//! A documented generating process of risk assessments and outcomes, with known effects,
//! so the validation (and a learned model) can be checked against the truth.
//!
//! For case `i` (all draws from a generator seeded with `seed` and `i`, so the same
//! inputs give the same data):
//!
//! - **sex**: FEMALE with probability `female_share` (0.12), else MALE;
//! - **age at the first offence** `f = 14 + ⌊u²·min(age − 14, 30)⌋` (`u` uniform, at
//!   most the age at the assessment), so most first offences are young;
//! - **prior convictions**: geometric, continuing with probability `λ/(1+λ)` where
//!   `λ = 0.4 + 0.25·(age − f)/10`, at most 8;
//! - **offence type**: VIOLENT 0.20, PROPERTY 0.25, DRUG 0.20, PUBLIC_ORDER 0.15,
//!   OTHER 0.10, TRAFFIC 0.10;
//! - **the eight needs**: `clamp(round(1 + 1.4·z + e), 0, 3)` with one latent
//!   `z = u₁ + u₂ + u₃ − 1.5` per case and `e ~ N(0, 0.7²)` per need;
//! - the instrument (HRA-1) scores these answers as an officer's assessment would;
//! - **the true probability** of the outcome within the window is logistic:
//!
//!   `logit p = β₀ + β_f·age_score(f) + β_p·min(priors, 5) + β_o·offence_score
//!              + β_n·Σ needs + β_a·(age − 35)/10 [+ shift, in the biased group]`
//!
//!   with β₀ = −3.6, β_f = 0.30, β_p = 0.35, β_o = 0.20, β_n = 0.15, β_a = −0.10
//!   ([`Coefficients::default`]). HRA-1's levels then see true mean rates of about
//!   0.09 (LOW), 0.21 (MEDIUM), 0.42 (HIGH), 0.66 (VERY_HIGH), inside the bands of
//!   outcome version 1, and the total's AUC is about 0.73;
//! - **the outcome** is drawn with probability `p`; when it happens, on day `d` uniform
//!   in 1–365 after the assessment: a NEW_OFFENCE violation (half of outcomes; MODERATE
//!   or SERIOUS), a SERIOUS violation of another kind (LEFT_AREA or SUBSTANCE_USE, three
//!   in ten), or the case revoked (two in ten). Events after `now` are not written.
//!
//! **The optional bias** ([`Bias`]): in one region, the true log-odds are lower by
//! `shift` (1.2 by default) while the instrument scores the same answers the same way —
//! its levels overstate that region's risk. A validation should flag that region (its
//! calibration, and more false positives) and no other group.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::case::entity::RiskLevel;
use crate::person::entity::Sex;
use crate::risk::instrument::{self, Answers, OffenceType};
use crate::supervision::entity::{ViolationKind, ViolationSeverity};

/// The stated coefficients of the true log-odds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    pub intercept: f64,
    /// Per point of HRA-1's age-at-first-offence score (0–3).
    pub first_offence_score: f64,
    /// Per prior conviction, up to 5.
    pub priors: f64,
    /// Per point of HRA-1's offence-type score (0–3).
    pub offence_score: f64,
    /// Per point of the needs' sum (0–24).
    pub needs: f64,
    /// Per ten years of age at the assessment above 35.
    pub age_decades: f64,
}

impl Default for Coefficients {
    fn default() -> Self {
        Self {
            intercept: -3.6,
            first_offence_score: 0.30,
            priors: 0.35,
            offence_score: 0.20,
            needs: 0.15,
            age_decades: -0.10,
        }
    }
}

/// A documented bias: the true log-odds of one region's cases move by `shift`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bias {
    pub region_id: i64,
    pub shift: f64,
}

impl Bias {
    /// The documented bias of the given region: −1.2 on the log-odds.
    pub fn region(region_id: i64) -> Self {
        Self {
            region_id,
            shift: -1.2,
        }
    }
}

/// The process's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Process {
    pub seed: u64,
    pub female_share: f64,
    pub coefficients: Coefficients,
    pub bias: Option<Bias>,
}

impl Default for Process {
    fn default() -> Self {
        Self {
            seed: 24,
            female_share: 0.12,
            coefficients: Coefficients::default(),
            bias: None,
        }
    }
}

/// What the process is told about a case.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts {
    pub index: usize,
    pub region_id: i64,
    pub birth: NaiveDate,
    pub assessed_at: DateTime<Utc>,
}

/// An outcome event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Violation(ViolationKind, ViolationSeverity),
    Revocation,
}

/// What the process drew for a case.
#[derive(Debug, Clone, Copy)]
pub struct Draw {
    pub sex: Sex,
    pub answers: Answers,
    pub total: i32,
    pub level: RiskLevel,
    /// The true probability of the outcome within the window.
    pub p: f64,
    pub region_id: i64,
    pub assessed_at: DateTime<Utc>,
    /// The outcome, when it happened (possibly after `now`: then it is not written).
    pub event: Option<(DateTime<Utc>, Event)>,
}

fn normal(rng: &mut StdRng) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Age in whole years on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Draw case `c`.
pub fn draw(pr: &Process, c: &CaseFacts) -> Draw {
    let mut rng = StdRng::seed_from_u64(pr.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ c.index as u64);
    let age = age_on(c.birth, c.assessed_at.date_naive()).max(15);
    let sex = if rng.random::<f64>() < pr.female_share {
        Sex::Female
    } else {
        Sex::Male
    };
    let u: f64 = rng.random();
    let first = (14 + (u * u * f64::from((age - 14).min(30))) as i32).min(age);
    let lambda = 0.4 + 0.25 * f64::from(age - first) / 10.0;
    let mut priors = 0;
    while priors < 8 && rng.random::<f64>() < lambda / (1.0 + lambda) {
        priors += 1;
    }
    let u: f64 = rng.random();
    let offence_type = match u {
        u if u < 0.20 => OffenceType::Violent,
        u if u < 0.45 => OffenceType::Property,
        u if u < 0.65 => OffenceType::Drug,
        u if u < 0.80 => OffenceType::PublicOrder,
        u if u < 0.90 => OffenceType::Other,
        _ => OffenceType::Traffic,
    };
    let z: f64 = (0..3).map(|_| rng.random::<f64>()).sum::<f64>() - 1.5;
    let mut needs = [0; 8];
    for n in &mut needs {
        *n = (1.0 + 1.4 * z + 0.7 * normal(&mut rng)).round().clamp(0.0, 3.0) as i32;
    }
    let answers = Answers {
        age_at_first_offence: first,
        prior_convictions: priors,
        offence_type,
        needs,
    };
    let (s, d) = instrument::totals(&instrument::score(&answers));
    let k = pr.coefficients;
    let mut eta = k.intercept
        + k.first_offence_score * f64::from(instrument::age_score(first))
        + k.priors * f64::from(priors.min(5))
        + k.offence_score * f64::from(instrument::offence_score(offence_type))
        + k.needs * f64::from(needs.iter().sum::<i32>())
        + k.age_decades * f64::from(age - 35) / 10.0;
    if let Some(b) = pr.bias
        && b.region_id == c.region_id
    {
        eta += b.shift;
    }
    let p = 1.0 / (1.0 + (-eta).exp());
    let happened = rng.random::<f64>() < p;
    let day = rng.random_range(1..=365);
    let u: f64 = rng.random();
    let event = happened.then(|| {
        let kind = match u {
            u if u < 0.25 => Event::Violation(ViolationKind::NewOffence, ViolationSeverity::Moderate),
            u if u < 0.50 => Event::Violation(ViolationKind::NewOffence, ViolationSeverity::Serious),
            u if u < 0.65 => Event::Violation(ViolationKind::LeftArea, ViolationSeverity::Serious),
            u if u < 0.80 => Event::Violation(ViolationKind::SubstanceUse, ViolationSeverity::Serious),
            _ => Event::Revocation,
        };
        (c.assessed_at + Duration::days(day) - Duration::hours(1), kind)
    });
    Draw {
        sex,
        answers,
        total: s + d,
        level: instrument::level_of(s + d),
        p,
        region_id: c.region_id,
        assessed_at: c.assessed_at,
        event,
    }
}

/// The AUC the instrument's total has when outcomes follow the true probabilities:
/// each case counts `p` as a case with the outcome and `1 − p` as one without.
pub fn true_auc<'a>(draws: impl IntoIterator<Item = &'a Draw>) -> f64 {
    let mut pos = [0.0f64; 34];
    let mut neg = [0.0f64; 34];
    for d in draws {
        let t = d.total.clamp(0, 33) as usize;
        pos[t] += d.p;
        neg[t] += 1.0 - d.p;
    }
    let (sp, sn): (f64, f64) = (pos.iter().sum(), neg.iter().sum());
    let (mut below, mut auc) = (0.0, 0.0);
    for t in 0..34 {
        auc += pos[t] * (below + 0.5 * neg[t]);
        below += neg[t];
    }
    auc / (sp * sn)
}

/// The AUC the true probability itself has when outcomes follow it (the best any model
/// of these cases can expect): each case counts `p` as one with the outcome and `1 − p`
/// as one without, ranked by `p`.
pub fn true_probability_auc<'a>(draws: impl IntoIterator<Item = &'a Draw>) -> f64 {
    let mut ps: Vec<f64> = draws.into_iter().map(|d| d.p).collect();
    ps.sort_by(f64::total_cmp);
    let (sp, sn): (f64, f64) = (ps.iter().sum(), ps.iter().map(|p| 1.0 - p).sum());
    let (mut below, mut auc) = (0.0, 0.0);
    let mut i = 0;
    while i < ps.len() {
        // Equal probabilities tie: a half each way.
        let mut j = i;
        let (mut pos, mut neg) = (0.0, 0.0);
        while j < ps.len() && ps[j] == ps[i] {
            pos += ps[j];
            neg += 1.0 - ps[j];
            j += 1;
        }
        auc += pos * (below + 0.5 * neg);
        below += neg;
        i = j;
    }
    auc / (sp * sn)
}

/// The mean true probability of the draws at each level (LOW to VERY_HIGH).
pub fn true_level_rates<'a>(draws: impl IntoIterator<Item = &'a Draw>) -> [Option<f64>; 4] {
    let mut sum = [0.0; 4];
    let mut n = [0u64; 4];
    for d in draws {
        let i = crate::risk::validation::stats::level_index(d.level);
        sum[i] += d.p;
        n[i] += 1;
    }
    std::array::from_fn(|i| (n[i] > 0).then(|| sum[i] / n[i] as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(pr: &Process, n: usize) -> Vec<Draw> {
        let at = DateTime::parse_from_rfc3339("2025-01-01T09:00:00Z")
            .expect("a date")
            .with_timezone(&Utc);
        (0..n)
            .map(|i| {
                draw(
                    pr,
                    &CaseFacts {
                        index: i,
                        region_id: (i % 14) as i64,
                        birth: NaiveDate::from_ymd_opt(1960 + (i % 45) as i32, 3, 1).expect("a date"),
                        assessed_at: at,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_cases() {
        let pr = Process::default();
        let (a, b) = (draws(&pr, 50), draws(&pr, 50));
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.answers == y.answers && x.p == y.p)
        );
    }

    #[test]
    fn the_levels_true_rates_rise_and_fall_in_their_documented_bands() {
        let d = draws(&Process::default(), 20_000);
        let rates = true_level_rates(&d);
        let bands = [(0.0, 0.15), (0.15, 0.35), (0.35, 0.60), (0.60, 1.0)];
        for (r, (lo, hi)) in rates.iter().zip(bands) {
            let r = r.expect("cases at every level");
            assert!(r > lo && r < hi, "{rates:?}");
        }
        let auc = true_auc(&d);
        assert!((0.70..0.76).contains(&auc), "{auc}");
    }

    #[test]
    fn the_bias_lowers_only_its_regions_probabilities() {
        let plain = draws(&Process::default(), 2_000);
        let biased = draws(
            &Process {
                bias: Some(Bias::region(3)),
                ..Process::default()
            },
            2_000,
        );
        for (i, (a, b)) in plain.iter().zip(&biased).enumerate() {
            assert_eq!(a.total, b.total);
            if i % 14 == 3 {
                assert!(b.p < a.p);
            } else {
                assert_eq!(a.p, b.p);
            }
        }
    }
}
