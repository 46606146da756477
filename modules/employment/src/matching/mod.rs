//! Explainable matching of a job seeker with vacancies.
//!
//! A vacancy's score is the sum over seven factors of `weight × value`, each value in
//! [0, 1]; the weights are the matching organisation's configuration (default below,
//! 100 in all). The values:
//!
//! | factor | value |
//! | --- | --- |
//! | skills | (2 × required skills the person has + preferred skills the person has) ÷ (2 × required + preferred); 1 when the vacancy lists none |
//! | occupation | 1 when the vacancy's ISCO code is one the person wants, 0.5 for the same sub-major group (first two digits) or when the person named none, else 0 |
//! | education | 1 when the person meets the minimum (or there is none), 0.5 when the person's level is unknown, else 0 |
//! | shift | 1 when the shift hours miss every curfew, else 0 (and the vacancy is flagged) |
//! | area | 1 when the workplace lies within every area the person must stay within and outside those they must keep out of, else 0 (flagged) |
//! | openness | employer hires people with a record: yes 1, case by case 0.5, no 0 (flagged) |
//! | distance | workplace in the person's mahalla 1, district 0.7, region 0.3, else 0 |
//!
//! A flagged vacancy (curfew, area, an employer that says no) is never ranked as a fit:
//! it is left out, or with `includeConflicting` listed after every fitting one, with
//! the reason. The same rules run as SQL (to rank in the database, without loading the
//! vacancies) and in Rust (to explain each result); a test holds them to each other.

mod assess;
mod sql;

use std::collections::BTreeSet;

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveTime;
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::territory::resolve::Place;
use serde::{Deserialize, Serialize};

pub use assess::assess;
pub use sql::{Sql, VacancySearch, area_fits_sql, conflicted_sql, ranked_sql, score_sql, shift_fits_sql};

use crate::entity::{EducationLevel, vacancy};

/// The weight of each factor (any non-negative numbers; the score's maximum is their sum).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    #[serde(default = "w35")]
    pub skills: u32,
    #[serde(default = "w10")]
    pub occupation: u32,
    #[serde(default = "w15")]
    pub education: u32,
    #[serde(default = "w10")]
    pub shift: u32,
    #[serde(default = "w10")]
    pub area: u32,
    #[serde(default = "w10")]
    pub openness: u32,
    #[serde(default = "w10")]
    pub distance: u32,
}

fn w35() -> u32 {
    35
}
fn w15() -> u32 {
    15
}
fn w10() -> u32 {
    10
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            skills: 35,
            occupation: 10,
            education: 15,
            shift: 10,
            area: 10,
            openness: 10,
            distance: 10,
        }
    }
}

impl Weights {
    pub fn total(&self) -> u32 {
        self.skills
            + self.occupation
            + self.education
            + self.shift
            + self.area
            + self.openness
            + self.distance
    }
}

/// A factor of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "EmploymentMatchFactor", visible = "crate::employment_visible")]
pub enum Factor {
    Skills,
    Occupation,
    Education,
    Shift,
    Area,
    Openness,
    Distance,
}

/// One factor's share of a score, and why.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "EmploymentFactorScore", visible = "crate::employment_visible")]
pub struct FactorScore {
    pub factor: Factor,
    pub weight: i32,
    /// In [0, 1].
    pub value: f64,
    /// `weight × value`, rounded to hundredths; the factors' points sum to the score.
    pub points: f64,
    pub explanation: String,
}

/// Who is looking for work.
#[derive(Debug, Clone, Default)]
pub struct Seeker {
    /// Normalised skill names.
    pub skills: BTreeSet<String>,
    pub education: Option<EducationLevel>,
    /// ISCO codes wanted.
    pub desired: Vec<String>,
    /// Where the person lives.
    pub home: Place,
    pub restrictions: Restrictions,
}

/// A vacancy judged for one seeker.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub score: f64,
    pub factors: Vec<FactorScore>,
    /// Why it must not be taken up (empty when it fits).
    pub conflicts: Vec<String>,
}

fn minute_time(m: i32) -> Option<NaiveTime> {
    let m = u32::try_from(m).ok()?;
    NaiveTime::from_hms_opt((m / 60) % 24, m % 60, 0)
}

/// A vacancy's daily shift (None for flexible hours).
pub fn shift(v: &vacancy::Model) -> Option<(NaiveTime, NaiveTime)> {
    Some((
        minute_time(v.shift_start_minute?)?,
        minute_time(v.shift_end_minute?)?,
    ))
}

/// Where the work is.
pub fn workplace(v: &vacancy::Model) -> Place {
    Place {
        region_id: Some(v.region_id),
        district_id: Some(v.district_id),
        mahalla_id: v.mahalla_id,
    }
}

/// A skill name as stored: trimmed, lower case, single spaces.
pub fn normalise_skill(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}
