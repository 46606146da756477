//! The risk instrument, version `HRA-1`: an assistive, explainable score.
//!
//! Three static factors (criminal history, which does not change) and eight dynamic
//! needs (what supervision and the plan can change), each scored 0–3:
//!
//! | factor | 0 | 1 | 2 | 3 |
//! | --- | --- | --- | --- | --- |
//! | age at first offence | 35 or older | 25–34 | 18–24 | under 18 |
//! | prior convictions | none | 1 | 2 | 3 or more |
//! | offence type | traffic | public order, other | property, drugs | violent |
//! | each dynamic need | none | some | significant | severe |
//!
//! The total (0–33) gives the level by these cut-offs, and the level the date of the
//! next assessment:
//!
//! | total | level | reassess within |
//! | --- | --- | --- |
//! | 0–8 | LOW | 180 days |
//! | 9–15 | MEDIUM | 90 days |
//! | 16–22 | HIGH | 60 days |
//! | 23–33 | VERY_HIGH | 30 days |
//!
//! A dynamic need scored 2 or more is a "high need": the early-warning rules suggest a
//! plan goal for it when the plan has none. The officer may override the level with a
//! reason; the computed level and every factor stay on record next to it.

use async_graphql::Enum;
use chrono::{Duration, NaiveDate};
use sea_orm::entity::prelude::*;

use crate::case::entity::RiskLevel;
use crate::plan::entity::GoalDomain;

/// The version stamped on every assessment scored by this module.
pub const VERSION: &str = "HRA-1";
/// The highest score of one factor.
pub const MAX_FACTOR: i32 = 3;
/// A dynamic need scored at least this is a high need.
pub const HIGH_NEED: i32 = 2;

/// The kind of the offence of the current sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum OffenceType {
    /// Against a person (scores 3).
    Violent,
    /// Theft, fraud, damage (scores 2).
    Property,
    /// Drug-related (scores 2).
    Drug,
    /// Hooliganism and other public-order offences (scores 1).
    PublicOrder,
    /// Traffic offences (scores 0).
    Traffic,
    /// Anything else (scores 1).
    Other,
}

/// Whether a factor is fixed by history or can change under supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RiskFactorKind {
    Static,
    Dynamic,
}

/// One factor of the instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
pub enum RiskFactor {
    AgeAtFirstOffence,
    PriorConvictions,
    OffenceType,
    Employment,
    Education,
    Housing,
    FamilySupport,
    Peers,
    SubstanceUse,
    Attitudes,
    MentalHealth,
}

impl RiskFactor {
    /// The dynamic needs, in the instrument's order.
    pub const NEEDS: [RiskFactor; 8] = [
        Self::Employment,
        Self::Education,
        Self::Housing,
        Self::FamilySupport,
        Self::Peers,
        Self::SubstanceUse,
        Self::Attitudes,
        Self::MentalHealth,
    ];

    pub fn kind(self) -> RiskFactorKind {
        match self {
            Self::AgeAtFirstOffence | Self::PriorConvictions | Self::OffenceType => RiskFactorKind::Static,
            _ => RiskFactorKind::Dynamic,
        }
    }

    /// The plan domain that addresses this need, if the plan has one.
    pub fn plan_domain(self) -> Option<GoalDomain> {
        match self {
            Self::Employment => Some(GoalDomain::Employment),
            Self::Education => Some(GoalDomain::Education),
            Self::Housing => Some(GoalDomain::Housing),
            Self::FamilySupport => Some(GoalDomain::Family),
            Self::SubstanceUse => Some(GoalDomain::Health),
            Self::Attitudes | Self::MentalHealth => Some(GoalDomain::Psychological),
            _ => None,
        }
    }
}

/// The answers an officer gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    pub age_at_first_offence: i32,
    pub prior_convictions: i32,
    pub offence_type: OffenceType,
    /// The eight dynamic needs in [`RiskFactor::NEEDS`] order, each 0–3.
    pub needs: [i32; 8],
}

/// One scored factor, with the answer that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub factor: RiskFactor,
    pub score: i32,
    pub explanation: String,
}

/// Score for the age at the first offence.
pub fn age_score(age: i32) -> i32 {
    match age {
        ..18 => 3,
        18..=24 => 2,
        25..=34 => 1,
        _ => 0,
    }
}

/// Score for the number of prior convictions.
pub fn priors_score(priors: i32) -> i32 {
    priors.clamp(0, MAX_FACTOR)
}

/// Score for the offence type.
pub fn offence_score(t: OffenceType) -> i32 {
    match t {
        OffenceType::Violent => 3,
        OffenceType::Property | OffenceType::Drug => 2,
        OffenceType::PublicOrder | OffenceType::Other => 1,
        OffenceType::Traffic => 0,
    }
}

/// The level of a total, by the documented cut-offs.
pub fn level_of(total: i32) -> RiskLevel {
    match total {
        ..=8 => RiskLevel::Low,
        9..=15 => RiskLevel::Medium,
        16..=22 => RiskLevel::High,
        _ => RiskLevel::VeryHigh,
    }
}

/// Days until the next assessment at `level`.
pub fn reassess_after_days(level: RiskLevel) -> i64 {
    match level {
        RiskLevel::Low => 180,
        RiskLevel::Medium => 90,
        RiskLevel::High => 60,
        RiskLevel::VeryHigh => 30,
    }
}

/// When the next assessment is due for an assessment made on `on` at `level`.
pub fn reassessment_due(on: NaiveDate, level: RiskLevel) -> NaiveDate {
    on + Duration::days(reassess_after_days(level))
}

/// Every factor scored, static first, with the reason for its score.
pub fn score(a: &Answers) -> Vec<Scored> {
    let mut out = vec![
        Scored {
            factor: RiskFactor::AgeAtFirstOffence,
            score: age_score(a.age_at_first_offence),
            explanation: format!("first offence at {}", a.age_at_first_offence),
        },
        Scored {
            factor: RiskFactor::PriorConvictions,
            score: priors_score(a.prior_convictions),
            explanation: format!("{} prior conviction(s)", a.prior_convictions),
        },
        Scored {
            factor: RiskFactor::OffenceType,
            score: offence_score(a.offence_type),
            explanation: format!("offence type {}", crate::enums::enum_name(a.offence_type)),
        },
    ];
    for (factor, need) in RiskFactor::NEEDS.iter().zip(a.needs) {
        out.push(Scored {
            factor: *factor,
            score: need,
            explanation: match need {
                0 => "no need".into(),
                1 => "some need".into(),
                2 => "significant need".into(),
                _ => "severe need".into(),
            },
        });
    }
    out
}

/// Sum of the static and of the dynamic scores.
pub fn totals(scored: &[Scored]) -> (i32, i32) {
    scored.iter().fold((0, 0), |(s, d), f| match f.factor.kind() {
        RiskFactorKind::Static => (s + f.score, d),
        RiskFactorKind::Dynamic => (s, d + f.score),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_change_at_18_25_and_35() {
        assert_eq!([17, 18, 24, 25, 34, 35].map(age_score), [3, 2, 2, 1, 1, 0]);
    }

    #[test]
    fn three_or_more_priors_score_the_maximum() {
        assert_eq!([0, 1, 2, 3, 9].map(priors_score), [0, 1, 2, 3, 3]);
    }

    #[test]
    fn cut_offs_fall_between_8_9_15_16_22_23() {
        use RiskLevel::*;
        assert_eq!(
            [0, 8, 9, 15, 16, 22, 23, 33].map(level_of),
            [Low, Low, Medium, Medium, High, High, VeryHigh, VeryHigh]
        );
    }

    #[test]
    fn higher_levels_are_reassessed_sooner() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("a valid date");
        let on = day(1, 1);
        assert_eq!(reassessment_due(on, RiskLevel::VeryHigh), day(1, 31));
        assert_eq!(reassessment_due(on, RiskLevel::Low), day(6, 30));
    }

    #[test]
    fn the_total_is_the_sum_of_every_factor() {
        let a = Answers {
            age_at_first_offence: 17,
            prior_convictions: 2,
            offence_type: OffenceType::Property,
            needs: [3, 2, 1, 0, 3, 2, 1, 0],
        };
        let (s, d) = totals(&score(&a));
        assert_eq!((s, d), (7, 12));
        assert_eq!(level_of(s + d), RiskLevel::High);
    }
}
