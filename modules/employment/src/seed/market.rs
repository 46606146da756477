//! Employers in every district and their open vacancies, with shifts and skills.

use hamkor_api::seed::national::{insert, next_id};
use sea_orm::{DatabaseConnection, Value};

use super::{LEVELS, Lcg, TRADES, World};

/// Shifts: (start, end) in minutes; None is flexible hours. Weighted by repetition.
const SHIFTS: &[Option<(i32, i32)>] = &[
    Some((480, 1020)),
    Some((480, 1020)),
    Some((540, 1080)),
    Some((420, 960)),
    Some((480, 1020)),
    Some((540, 1080)),
    Some((840, 1380)),
    Some((1320, 360)),
    Some((300, 780)),
    None,
];

/// An employer: `(id, region_id, district_id, openness)`.
pub(super) type Employer = (i64, i64, i64, &'static str);

/// `count` employers of the centre, in random districts.
pub(super) async fn employers(
    db: &DatabaseConnection,
    world: &World,
    rng: &mut Lcg,
    count: usize,
) -> anyhow::Result<Vec<Employer>> {
    let World {
        at,
        admin,
        centre,
        districts,
        ..
    } = world;
    let (at, admin, centre) = (*at, *admin, *centre);
    let first_employer = next_id(db, "employment_employers").await?;
    let employers: Vec<Employer> = (0..count)
        .map(|i| {
            let (d, r) = districts[rng.below(districts.len())];
            let openness = match rng.below(10) {
                0 => "NO",
                1..=3 => "CASE_BY_CASE",
                _ => "YES",
            };
            (first_employer + i as i64, r, d, openness)
        })
        .collect();
    insert(
        db,
        "employment_employers",
        &[
            "id",
            "organisation_id",
            "name",
            "region_id",
            "district_id",
            "openness",
            "created_by",
            "created_at",
            "updated_at",
        ],
        employers.iter().map(|(id, r, d, o)| {
            vec![
                (*id).into(),
                centre.into(),
                format!("Employer {id}").into(),
                (*r).into(),
                (*d).into(),
                (*o).into(),
                admin.into(),
                at.into(),
                at.into(),
            ]
        }),
    )
    .await?;
    Ok(employers)
}

/// `count` open vacancies of random employers, with their skills.
pub(super) async fn vacancies(
    db: &DatabaseConnection,
    world: &World,
    rng: &mut Lcg,
    employers: &[Employer],
    count: usize,
) -> anyhow::Result<()> {
    let World {
        at,
        today,
        admin,
        centre,
        mahallas,
        ..
    } = world;
    let (at, today, admin, centre) = (*at, *today, *admin, *centre);
    let first_vacancy = next_id(db, "employment_vacancies").await?;
    let mut vacancy_rows = Vec::with_capacity(count);
    let mut skill_rows: Vec<Vec<Value>> = Vec::new();
    for i in 0..count {
        let id = first_vacancy + i as i64;
        let (employer, region, district, openness) = employers[rng.below(employers.len())];
        let mahalla = if rng.below(2) == 0 {
            let start = mahallas.partition_point(|(_, d)| *d < district);
            let end = mahallas.partition_point(|(_, d)| *d <= district);
            (end > start).then(|| mahallas[start + rng.below(end - start)].0)
        } else {
            None
        };
        let (code, title, skills) = TRADES[rng.below(TRADES.len())];
        let shift = SHIFTS[rng.below(SHIFTS.len())];
        let required = 1 + rng.below(2);
        let preferred = rng.below(3);
        let mut taken: Vec<&str> = Vec::new();
        for k in 0..(required + preferred).min(skills.len()) {
            let s = skills[(k + rng.below(skills.len())) % skills.len()];
            if taken.contains(&s) {
                continue;
            }
            taken.push(s);
            skill_rows.push(vec![
                id.into(),
                s.into(),
                (k < required).into(),
                region.into(),
                district.into(),
            ]);
        }
        let weight: i32 = skill_rows
            .iter()
            .rev()
            .take(taken.len())
            .map(|r| if r[2] == Value::Bool(Some(true)) { 2 } else { 1 })
            .sum();
        let wage = 2_000_000 + 250_000 * rng.below(12) as i64;
        vacancy_rows.push(vec![
            id.into(),
            employer.into(),
            centre.into(),
            format!("{title} #{id}").into(),
            code.into(),
            code[..2].into(),
            (rng.below(3) == 0).then(|| LEVELS[rng.below(3)]).into(),
            region.into(),
            district.into(),
            mahalla.into(),
            shift.map(|s| s.0).into(),
            shift.map(|s| s.1).into(),
            if shift.is_some() { 31i32 } else { 0 }.into(),
            Some(wage).into(),
            Some(wage + 1_000_000).into(),
            (1 + rng.below(3) as i32).into(),
            0i32.into(),
            (today - chrono::Duration::days(rng.below(30) as i64)).into(),
            Some(today + chrono::Duration::days(30 + rng.below(60) as i64)).into(),
            "OPEN".into(),
            openness.into(),
            weight.into(),
            admin.into(),
            at.into(),
            at.into(),
        ]);
    }
    insert(
        db,
        "employment_vacancies",
        &[
            "id",
            "employer_id",
            "organisation_id",
            "title",
            "occupation_code",
            "occupation_group",
            "min_education",
            "region_id",
            "district_id",
            "mahalla_id",
            "shift_start_minute",
            "shift_end_minute",
            "days",
            "wage_min_uzs",
            "wage_max_uzs",
            "seats",
            "seats_filled",
            "opens_on",
            "closes_on",
            "status",
            "openness",
            "skill_weight",
            "created_by",
            "created_at",
            "updated_at",
        ],
        vacancy_rows,
    )
    .await?;
    insert(
        db,
        "employment_vacancy_skills",
        &["vacancy_id", "skill", "required", "region_id", "district_id"],
        skill_rows,
    )
    .await?;
    Ok(())
}
