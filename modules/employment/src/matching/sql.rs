//! The same rules as `super::assess`, as SQL: to rank open vacancies in the database
//! without loading them.

use chrono::{NaiveDate, NaiveTime, Timelike};
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::territory::resolve::Place;
use sea_orm::{DatabaseBackend, Value};

use super::{Seeker, Weights};
use crate::entity::EducationLevel;

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
