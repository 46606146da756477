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

use std::collections::BTreeSet;

use async_graphql::{Enum, SimpleObject};
use chrono::{NaiveDate, NaiveTime, Timelike};
use hamkor_api::case::restrictions::{Conflict, Restrictions};
use hamkor_api::territory::resolve::Place;
use sea_orm::{DatabaseBackend, Value};
use serde::{Deserialize, Serialize};

use crate::entity::{EducationLevel, Openness, vacancy, vacancy_skill};

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

fn hundredths(weight: u32, value: f64) -> i64 {
    (f64::from(weight) * value * 100.0).round() as i64
}

/// Judge `v` (with its skills) for `who`.
pub fn assess(who: &Seeker, v: &vacancy::Model, skills: &[vacancy_skill::Model], w: &Weights) -> Assessment {
    let mut factors = Vec::with_capacity(7);
    let mut conflicts = Vec::new();
    let mut add = |factor: Factor, weight: u32, value: f64, explanation: String| {
        factors.push((factor, weight, value, explanation));
    };

    // Skills.
    let (mut have_req, mut have_pref, mut missing) = (0, 0, Vec::new());
    for s in skills {
        let has = who.skills.contains(&s.skill);
        match (s.required, has) {
            (true, true) => have_req += 1,
            (false, true) => have_pref += 1,
            (true, false) => missing.push(s.skill.clone()),
            (false, false) => {}
        }
    }
    let value = if v.skill_weight == 0 {
        1.0
    } else {
        f64::from(2 * have_req + have_pref) / f64::from(v.skill_weight)
    };
    let required = skills.iter().filter(|s| s.required).count();
    let preferred = skills.len() - required;
    let mut text = if skills.is_empty() {
        "the vacancy asks for no particular skills".to_owned()
    } else {
        format!("has {have_req} of {required} required and {have_pref} of {preferred} preferred skills")
    };
    if !missing.is_empty() {
        text.push_str(&format!("; missing: {}", missing.join(", ")));
    }
    add(Factor::Skills, w.skills, value, text);

    // Occupation.
    let group = |c: &str| c.get(..2).unwrap_or(c).to_owned();
    let (value, text) = if who.desired.is_empty() {
        (0.5, "the person named no occupation".to_owned())
    } else if who.desired.contains(&v.occupation_code) {
        (
            1.0,
            format!("occupation {} is one the person wants", v.occupation_code),
        )
    } else if who.desired.iter().any(|d| group(d) == v.occupation_group) {
        (
            0.5,
            format!("occupation {} is near one the person wants", v.occupation_code),
        )
    } else {
        (
            0.0,
            format!("occupation {} is not one the person wants", v.occupation_code),
        )
    };
    add(Factor::Occupation, w.occupation, value, text);

    // Education.
    let (value, text) = match (v.min_education, who.education) {
        (None, _) => (1.0, "no minimum education".to_owned()),
        (Some(min), Some(level)) if level.rank() >= min.rank() => {
            (1.0, format!("meets the minimum {}", min.name()))
        }
        (Some(min), Some(_)) => (0.0, format!("below the minimum {}", min.name())),
        (Some(min), None) => (
            0.5,
            format!("minimum {}; the person's education is not recorded", min.name()),
        ),
    };
    add(Factor::Education, w.education, value, text);

    // Shift against the curfew.
    let (value, text) = match shift(v) {
        None => (1.0, "flexible hours".to_owned()),
        Some((start, end)) => match who.restrictions.curfew_conflict(start, end) {
            Some(c) => {
                let why = format!(
                    "the shift {}–{}: {}",
                    start.format("%H:%M"),
                    end.format("%H:%M"),
                    c.reason()
                );
                conflicts.push(why.clone());
                (0.0, why)
            }
            None if who.restrictions.curfews.is_empty() => (1.0, "no curfew".to_owned()),
            None => (
                1.0,
                format!(
                    "the shift {}–{} is outside the curfew",
                    start.format("%H:%M"),
                    end.format("%H:%M")
                ),
            ),
        },
    };
    add(Factor::Shift, w.shift, value, text);

    // Workplace against the areas.
    let (value, text) = match who.restrictions.area_conflict(&workplace(v)) {
        Some(c @ (Conflict::OutsideAllowedArea(_) | Conflict::InsideForbiddenArea(_))) => {
            let why = format!("the workplace: {}", c.reason());
            conflicts.push(why.clone());
            (0.0, why)
        }
        Some(Conflict::Curfew(_)) | None => (
            1.0,
            "the workplace is within the areas the person may be in".to_owned(),
        ),
    };
    add(Factor::Area, w.area, value, text);

    // Employer openness.
    let (value, text) = match v.openness {
        Openness::Yes => (1.0, "the employer hires people with a record".to_owned()),
        Openness::CaseByCase => (0.5, "the employer decides case by case".to_owned()),
        Openness::No => {
            let why = "the employer does not hire people with a record".to_owned();
            conflicts.push(why.clone());
            (0.0, why)
        }
    };
    add(Factor::Openness, w.openness, value, text);

    // Distance by territory.
    let (value, text) = if v.mahalla_id.is_some() && v.mahalla_id == who.home.mahalla_id {
        (1.0, "in the person's own mahalla")
    } else if Some(v.district_id) == who.home.district_id {
        (0.7, "in the person's district")
    } else if Some(v.region_id) == who.home.region_id {
        (0.3, "in the person's region, another district")
    } else {
        (0.0, "outside the person's region")
    };
    add(Factor::Distance, w.distance, value, text.to_owned());

    let factors: Vec<FactorScore> = factors
        .into_iter()
        .map(|(factor, weight, value, explanation)| FactorScore {
            factor,
            weight: i32::try_from(weight).unwrap_or(i32::MAX),
            value,
            points: hundredths(weight, value) as f64 / 100.0,
            explanation,
        })
        .collect();
    let total: i64 = factors
        .iter()
        .zip([
            w.skills,
            w.occupation,
            w.education,
            w.shift,
            w.area,
            w.openness,
            w.distance,
        ])
        .map(|(f, weight)| hundredths(weight, f.value))
        .sum();
    Assessment {
        score: total as f64 / 100.0,
        factors,
        conflicts,
    }
}

/// A SQL text with its parameters, written for one backend.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    /// The query without its order and limit (for counting).
    pub base: String,
    pub values: Vec<Value>,
    postgres: bool,
}

impl Sql {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            postgres: backend == DatabaseBackend::Postgres,
            ..Default::default()
        }
    }

    /// A placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        if self.postgres {
            format!("${}", self.values.len())
        } else {
            "?".to_owned()
        }
    }

    /// A parenthesised list of placeholders (never empty: callers check).
    pub fn bind_list<T: Into<Value> + Clone>(&mut self, items: &[T]) -> String {
        let marks: Vec<String> = items.iter().map(|i| self.bind(i.clone())).collect();
        format!("({})", marks.join(", "))
    }
}

fn minute(t: NaiveTime) -> i32 {
    (t.hour() * 60 + t.minute()) as i32
}

/// SQL: the vacancy `v`'s shift misses every curfew of `r` (flexible hours do).
pub fn shift_fits_sql(r: &Restrictions) -> String {
    let mut overlaps = Vec::new();
    for w in &r.curfews {
        let (cs, ce) = (minute(w.start), minute(w.end));
        let segments = if cs < ce {
            vec![(cs, ce)]
        } else {
            vec![(cs, 1440), (0, ce)]
        };
        for (a, b) in segments {
            overlaps.push(format!(
                "((v.shift_start_minute < v.shift_end_minute AND v.shift_start_minute < {b} AND {a} < v.shift_end_minute) \
                 OR (v.shift_start_minute > v.shift_end_minute AND (v.shift_start_minute < {b} OR {a} < v.shift_end_minute)))"
            ));
        }
    }
    if overlaps.is_empty() {
        "1 = 1".to_owned()
    } else {
        format!(
            "(v.shift_start_minute IS NULL OR NOT ({}))",
            overlaps.join(" OR ")
        )
    }
}

fn inside_sql(area: &Place) -> String {
    match (area.mahalla_id, area.district_id, area.region_id) {
        (Some(m), _, _) => format!("(v.mahalla_id IS NOT NULL AND v.mahalla_id = {m})"),
        (None, Some(d), _) => format!("v.district_id = {d}"),
        (None, None, Some(r)) => format!("v.region_id = {r}"),
        (None, None, None) => "1 = 1".to_owned(),
    }
}

/// SQL: the workplace of `v` lies within every allowed area and outside every
/// forbidden one.
pub fn area_fits_sql(r: &Restrictions) -> String {
    let mut all: Vec<String> = r.stay_within.iter().map(inside_sql).collect();
    all.extend(r.stay_out.iter().map(|a| format!("NOT ({})", inside_sql(a))));
    if all.is_empty() {
        "1 = 1".to_owned()
    } else {
        format!("({})", all.join(" AND "))
    }
}

fn f(x: u32) -> String {
    format!("{x}.0")
}

/// SQL: the score of vacancy `v` for `who` (`m.pts`: the points of the person's skills
/// among the vacancy's, 2 per required and 1 per preferred skill).
///
/// With `probe`, the points are counted per candidate through the `(vacancy_id, skill)`
/// index instead (for a search narrowed to one district, where a join would be planned
/// badly and gains nothing).
pub fn score_sql(sql: &mut Sql, who: &Seeker, w: &Weights, probe: bool) -> String {
    let skills = if who.skills.is_empty() {
        "(CASE WHEN v.skill_weight = 0 THEN 1.0 ELSE 0.0 END)".to_owned()
    } else if probe {
        let list: Vec<String> = who.skills.iter().cloned().collect();
        let list = sql.bind_list(&list);
        format!(
            "(CASE WHEN v.skill_weight = 0 THEN 1.0 ELSE 1.0 * (SELECT COALESCE(SUM(CASE WHEN s.required THEN 2 ELSE 1 END), 0) \
             FROM employment_vacancy_skills s WHERE s.vacancy_id = v.id AND s.skill IN {list}) / v.skill_weight END)"
        )
    } else {
        "(CASE WHEN v.skill_weight = 0 THEN 1.0 ELSE 1.0 * COALESCE(m.pts, 0) / v.skill_weight END)"
            .to_owned()
    };
    let occupation = if who.desired.is_empty() {
        "0.5".to_owned()
    } else {
        let codes = sql.bind_list(&who.desired);
        let groups: Vec<String> = who
            .desired
            .iter()
            .map(|d| d.get(..2).unwrap_or(d).to_owned())
            .collect();
        let groups = sql.bind_list(&groups);
        format!(
            "(CASE WHEN v.occupation_code IN {codes} THEN 1.0 WHEN v.occupation_group IN {groups} THEN 0.5 ELSE 0.0 END)"
        )
    };
    let education = match who.education {
        None => "(CASE WHEN v.min_education IS NULL THEN 1.0 ELSE 0.5 END)".to_owned(),
        Some(level) => {
            let ok: Vec<String> = level.at_most().into_iter().map(EducationLevel::name).collect();
            let ok = sql.bind_list(&ok);
            format!("(CASE WHEN v.min_education IS NULL OR v.min_education IN {ok} THEN 1.0 ELSE 0.0 END)")
        }
    };
    let shift = format!(
        "(CASE WHEN {} THEN 1.0 ELSE 0.0 END)",
        shift_fits_sql(&who.restrictions)
    );
    let area = format!(
        "(CASE WHEN {} THEN 1.0 ELSE 0.0 END)",
        area_fits_sql(&who.restrictions)
    );
    let openness =
        "(CASE v.openness WHEN 'YES' THEN 1.0 WHEN 'CASE_BY_CASE' THEN 0.5 ELSE 0.0 END)".to_owned();
    let mut distance = String::from("(CASE");
    if let Some(m) = who.home.mahalla_id {
        distance.push_str(&format!(" WHEN v.mahalla_id = {m} THEN 1.0"));
    }
    if let Some(d) = who.home.district_id {
        distance.push_str(&format!(" WHEN v.district_id = {d} THEN 0.7"));
    }
    if let Some(r) = who.home.region_id {
        distance.push_str(&format!(" WHEN v.region_id = {r} THEN 0.3"));
    }
    distance.push_str(" ELSE 0.0 END)");
    format!(
        "({} * {skills} + {} * {occupation} + {} * {education} + {} * {shift} + {} * {area} + {} * {openness} + {} * {distance})",
        f(w.skills),
        f(w.occupation),
        f(w.education),
        f(w.shift),
        f(w.area),
        f(w.openness),
        f(w.distance),
    )
}

/// SQL: `v` is flagged (breaks the curfew or an area, or its employer says no).
pub fn conflicted_sql(who: &Seeker) -> String {
    format!(
        "(CASE WHEN {} AND {} AND v.openness <> 'NO' THEN 0 ELSE 1 END)",
        shift_fits_sql(&who.restrictions),
        area_fits_sql(&who.restrictions)
    )
}

/// Filters of a search for vacancies.
#[derive(Debug, Clone, Default)]
pub struct VacancySearch {
    /// Vacancies in this place.
    pub place: Option<Place>,
    /// ISCO code prefix (`72`, `7212`).
    pub occupation: Option<String>,
    /// At least this monthly wage (by the vacancy's upper bound).
    pub min_wage_uzs: Option<i64>,
    /// List flagged vacancies too (after every fitting one).
    pub include_conflicting: bool,
    /// Search the whole country; by default (without `place`) the search stays within
    /// the person's region, where people under supervision look for work.
    pub anywhere: bool,
}

/// The ranked query: `(id, score, conflicted)` of open vacancies for `who`, best first,
/// `limit` rows from `offset`.
pub fn ranked_sql(
    backend: DatabaseBackend,
    who: &Seeker,
    w: &Weights,
    search: &VacancySearch,
    today: NaiveDate,
    limit: u64,
    offset: u64,
) -> Sql {
    let mut sql = Sql::new(backend);
    // A search that stays within one district (asked for, or the sentence's own area)
    // has a few hundred candidates: probe their skills one by one.
    let narrow = search.place.is_some_and(|p| p.district_id.is_some())
        || (!search.include_conflicting
            && who
                .restrictions
                .stay_within
                .iter()
                .any(|a| a.district_id.is_some()));
    let score = score_sql(&mut sql, who, w, narrow);
    let conflicted = conflicted_sql(who);
    // Where to look; the skills are counted over the same place only.
    let (scope, skill_scope) = match (&search.place, search.anywhere, who.home.region_id) {
        (Some(place), _, _) => (
            Some(inside_sql(place)),
            match (place.district_id, place.region_id) {
                (Some(d), _) => Some(format!("s.district_id = {d}")),
                (None, Some(r)) => Some(format!("s.region_id = {r}")),
                _ => None,
            },
        ),
        (None, false, Some(region)) => (
            Some(format!("v.region_id = {region}")),
            Some(format!("s.region_id = {region}")),
        ),
        _ => (None, None),
    };
    // Bound in the order the text reads them (SQLite's `?` are positional).
    let join = if who.skills.is_empty() || narrow {
        String::new()
    } else {
        let skills: Vec<String> = who.skills.iter().cloned().collect();
        let list = sql.bind_list(&skills);
        let scope = skill_scope.map(|c| format!(" AND {c}")).unwrap_or_default();
        format!(
            "LEFT JOIN (SELECT s.vacancy_id AS vacancy_id, SUM(CASE WHEN s.required THEN 2 ELSE 1 END) AS pts \
             FROM employment_vacancy_skills s WHERE s.skill IN {list}{scope} GROUP BY s.vacancy_id) m \
             ON m.vacancy_id = v.id"
        )
    };
    let mut wheres = vec![
        "v.status = 'OPEN'".to_owned(),
        "v.seats_filled < v.seats".to_owned(),
    ];
    let t1 = sql.bind(today);
    wheres.push(format!("v.opens_on <= {t1}"));
    let t2 = sql.bind(today);
    wheres.push(format!("(v.closes_on IS NULL OR v.closes_on >= {t2})"));
    if !search.include_conflicting {
        wheres.push(shift_fits_sql(&who.restrictions));
        wheres.push(area_fits_sql(&who.restrictions));
        wheres.push("v.openness <> 'NO'".to_owned());
    }
    wheres.extend(scope);
    if let Some(code) = &search.occupation {
        let like = sql.bind(format!("{code}%"));
        wheres.push(format!("v.occupation_code LIKE {like}"));
    }
    if let Some(min) = search.min_wage_uzs {
        let min = sql.bind(min);
        wheres.push(format!("(v.wage_max_uzs IS NULL OR v.wage_max_uzs >= {min})"));
    }
    sql.base = format!(
        "SELECT v.id AS id, CAST({score} AS DOUBLE PRECISION) AS score, {conflicted} AS conflicted \
         FROM employment_vacancies v {join} WHERE {}",
        wheres.join(" AND ")
    );
    sql.text = format!(
        "{} ORDER BY conflicted ASC, score DESC, v.id ASC LIMIT {limit} OFFSET {offset}",
        sql.base
    );
    sql
}

/// A skill name as stored: trimmed, lower case, single spaces.
pub fn normalise_skill(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hamkor_api::case::conditions::CurfewWindow;

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("time")
    }

    fn vacancy(shift: Option<(i32, i32)>, district: i64, openness: Openness) -> vacancy::Model {
        let now = chrono::Utc::now();
        vacancy::Model {
            id: 1,
            employer_id: 1,
            organisation_id: 1,
            external_id: None,
            title: "Welder".into(),
            occupation_code: "7212".into(),
            occupation_group: "72".into(),
            min_education: Some(EducationLevel::BasicSecondary),
            region_id: 1,
            district_id: district,
            mahalla_id: None,
            shift_start_minute: shift.map(|s| s.0),
            shift_end_minute: shift.map(|s| s.1),
            days: 31,
            wage_min_uzs: None,
            wage_max_uzs: None,
            seats: 1,
            seats_filled: 0,
            opens_on: now.date_naive(),
            closes_on: None,
            status: crate::entity::VacancyStatus::Open,
            openness,
            skill_weight: 5,
            description: None,
            created_by: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn skill(name: &str, required: bool) -> vacancy_skill::Model {
        vacancy_skill::Model {
            id: 0,
            vacancy_id: 1,
            skill: name.into(),
            required,
            region_id: 1,
            district_id: 10,
        }
    }

    fn seeker() -> Seeker {
        Seeker {
            skills: ["welding".to_owned()].into_iter().collect(),
            education: Some(EducationLevel::Secondary),
            desired: vec!["7212".into()],
            home: Place {
                region_id: Some(1),
                district_id: Some(10),
                mahalla_id: Some(100),
            },
            restrictions: Restrictions {
                curfews: vec![CurfewWindow {
                    start: t("22:00"),
                    end: t("06:00"),
                }],
                stay_within: vec![Place {
                    region_id: Some(1),
                    district_id: Some(10),
                    mahalla_id: None,
                }],
                stay_out: vec![],
            },
        }
    }

    #[test]
    fn the_factors_sum_to_the_score() {
        let v = vacancy(Some((480, 1020)), 10, Openness::CaseByCase);
        let skills = [
            skill("welding", true),
            skill("grinding", true),
            skill("safety", false),
        ];
        let a = assess(&seeker(), &v, &skills, &Weights::default());
        let sum: f64 = a.factors.iter().map(|f| f.points).sum();
        assert!((sum - a.score).abs() < 1e-9, "{sum} vs {}", a.score);
        // skills 35 × 2/5 = 14, occupation 10, education 15, shift 10, area 10,
        // openness 5, distance 7.
        assert!((a.score - 71.0).abs() < 1e-9, "{}", a.score);
        assert!(a.conflicts.is_empty());
        let missing = &a.factors[0].explanation;
        assert!(missing.contains("grinding"), "{missing}");
    }

    #[test]
    fn a_night_shift_and_an_out_of_area_job_are_flagged() {
        let night = vacancy(Some((1200, 240)), 10, Openness::Yes);
        let a = assess(&seeker(), &night, &[], &Weights::default());
        assert_eq!(a.conflicts.len(), 1);
        assert_eq!(a.factors[3].factor, Factor::Shift);
        assert_eq!(a.factors[3].value, 0.0);
        let away = vacancy(Some((480, 1020)), 11, Openness::Yes);
        let a = assess(&seeker(), &away, &[], &Weights::default());
        assert_eq!(a.factors[4].value, 0.0);
        assert!(a.conflicts[0].contains("district"), "{:?}", a.conflicts);
        let closed = vacancy(None, 10, Openness::No);
        assert_eq!(
            assess(&seeker(), &closed, &[], &Weights::default())
                .conflicts
                .len(),
            1
        );
    }

    #[test]
    fn an_evening_shift_ending_at_the_curfew_fits() {
        let v = vacancy(Some((840, 1320)), 10, Openness::Yes);
        assert!(
            assess(&seeker(), &v, &[], &Weights::default())
                .conflicts
                .is_empty()
        );
        let late = vacancy(Some((840, 1321)), 10, Openness::Yes);
        assert!(
            !assess(&seeker(), &late, &[], &Weights::default())
                .conflicts
                .is_empty()
        );
    }

    #[test]
    fn skills_are_normalised() {
        assert_eq!(normalise_skill("  Arc   Welding "), "arc welding");
    }
}
