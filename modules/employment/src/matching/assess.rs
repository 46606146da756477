//! The score of one vacancy for one seeker, factor by factor, in Rust: what explains
//! each result of the ranked SQL (`super::sql`).

use hamkor_api::case::restrictions::Conflict;

use super::{Assessment, Factor, FactorScore, Seeker, Weights, shift, workplace};
use crate::entity::{Openness, vacancy, vacancy_skill};

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

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;
    use hamkor_api::case::conditions::CurfewWindow;
    use hamkor_api::case::restrictions::Restrictions;
    use hamkor_api::territory::resolve::Place;

    use super::super::normalise_skill;
    use super::*;
    use crate::entity::EducationLevel;

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
