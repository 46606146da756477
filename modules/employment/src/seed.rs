//! A realistic employment market for the benchmark: employers in every district,
//! open vacancies with shifts (mostly day, some evening and night) and skills, and
//! job-seeker profiles for existing cases (half of them confined to their district).
//! Deterministic: the same sizes give the same data.

use hamkor_api::db::now;
use hamkor_api::seed::national::{finish, insert, next_id};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};
use serde_json::json;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub employers: usize,
    pub vacancies: usize,
    pub seekers: usize,
}

/// (ISCO code, title, skills of the trade).
const TRADES: &[(&str, &str, &[&str])] = &[
    (
        "7212",
        "Welder",
        &["welding", "metal cutting", "grinding", "blueprint reading"],
    ),
    (
        "7411",
        "Electrician",
        &["electrical wiring", "safety", "installation", "troubleshooting"],
    ),
    ("7512", "Baker", &["baking", "food hygiene", "dough preparation"]),
    (
        "8322",
        "Driver",
        &["driving", "vehicle maintenance", "navigation"],
    ),
    ("5414", "Security guard", &["security", "first aid", "patrolling"]),
    ("9333", "Loader", &["lifting", "forklift", "inventory"]),
    ("7115", "Carpenter", &["carpentry", "woodworking", "measuring"]),
    ("7531", "Tailor", &["sewing", "pattern cutting", "embroidery"]),
    ("5120", "Cook", &["cooking", "food hygiene", "menu planning"]),
    ("6111", "Farm worker", &["farming", "irrigation", "harvesting"]),
    (
        "7231",
        "Mechanic",
        &["vehicle maintenance", "diagnostics", "welding"],
    ),
    ("9112", "Cleaner", &["cleaning", "safety"]),
    (
        "4321",
        "Stock clerk",
        &["inventory", "computer literacy", "record keeping"],
    ),
    ("7126", "Plumber", &["plumbing", "pipe fitting", "installation"]),
    (
        "5223",
        "Shop assistant",
        &["customer service", "cash handling", "computer literacy"],
    ),
    ("7112", "Bricklayer", &["masonry", "measuring", "construction"]),
];

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

const LEVELS: &[&str] = &[
    "PRIMARY",
    "BASIC_SECONDARY",
    "SECONDARY",
    "VOCATIONAL_SECONDARY",
    "HIGHER",
];

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

async fn pairs(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<(i64, i64)>> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push((r.try_get_by_index::<i64>(0)?, r.try_get_by_index::<i64>(1)?));
    }
    Ok(out)
}

/// Fill the employment tables of a database that already holds territories, people
/// and cases (the national seed). Enables the module for every organisation.
pub async fn generate(db: &DatabaseConnection, scale: Scale, progress: impl Fn(&str)) -> anyhow::Result<()> {
    let at = now();
    let today = at.date_naive();
    let mut rng = Lcg(2026);
    let admin = pairs(db, "SELECT MIN(id), MIN(id) FROM users").await?[0].0;
    let districts = pairs(db, "SELECT id, region_id FROM districts ORDER BY id").await?;
    let mahallas = pairs(db, "SELECT id, district_id FROM mahallas ORDER BY id").await?;
    anyhow::ensure!(
        !districts.is_empty() && !mahallas.is_empty(),
        "seed the territories first"
    );

    progress("an employment centre, and the module for every organisation");
    let centre = next_id(db, "organisations").await?;
    insert(
        db,
        "organisations",
        &["id", "name", "kind", "active", "created_at", "updated_at"],
        [vec![
            centre.into(),
            "Bench employment centre".into(),
            "EMPLOYMENT_CENTRE".into(),
            true.into(),
            at.into(),
            at.into(),
        ]],
    )
    .await?;
    let orgs = pairs(db, "SELECT id, id FROM organisations").await?;
    let enabled = pairs(
        db,
        "SELECT organisation_id, organisation_id FROM organisation_modules WHERE module_id = 'employment'",
    )
    .await?;
    insert(
        db,
        "organisation_modules",
        &["organisation_id", "module_id", "enabled", "config", "updated_at"],
        orgs.iter()
            .filter(|(id, _)| !enabled.iter().any(|(e, _)| e == id))
            .map(|(id, _)| {
                vec![
                    (*id).into(),
                    "employment".into(),
                    true.into(),
                    json!({}).into(),
                    at.into(),
                ]
            }),
    )
    .await?;

    progress("employers");
    let first_employer = next_id(db, "employment_employers").await?;
    let employers: Vec<(i64, i64, i64, &str)> = (0..scale.employers)
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

    progress("vacancies and their skills");
    let first_vacancy = next_id(db, "employment_vacancies").await?;
    let mut vacancy_rows = Vec::with_capacity(scale.vacancies);
    let mut skill_rows: Vec<Vec<Value>> = Vec::new();
    for i in 0..scale.vacancies {
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

    progress("job seekers");
    let cases = pairs(
        db,
        &format!(
            "SELECT c.id, p.district_id FROM cases c JOIN persons p ON p.id = c.person_id ORDER BY c.id LIMIT {}",
            scale.seekers
        ),
    )
    .await?;
    let first_profile = next_id(db, "employment_profiles").await?;
    let mut profile_rows = Vec::with_capacity(cases.len());
    let mut seeker_skills: Vec<Vec<Value>> = Vec::new();
    let mut confined: Vec<Vec<Value>> = Vec::new();
    for (i, (case, district)) in cases.iter().enumerate() {
        let id = first_profile + i as i64;
        let (code, _, skills) = TRADES[rng.below(TRADES.len())];
        let (other, _, more) = TRADES[rng.below(TRADES.len())];
        let mut mine: Vec<&str> = Vec::new();
        for s in skills.iter().chain(more.iter()).take(2 + rng.below(4)) {
            if !mine.contains(s) {
                mine.push(s);
            }
        }
        for s in &mine {
            seeker_skills.push(vec![id.into(), (*s).into(), (1 + rng.below(5) as i32).into()]);
        }
        profile_rows.push(vec![
            id.into(),
            (*case).into(),
            Some(LEVELS[rng.below(LEVELS.len())]).into(),
            "READY".into(),
            json!([code, other]).into(),
            json!(["uz"]).into(),
            json!([]).into(),
            json!([]).into(),
            admin.into(),
            at.into(),
            at.into(),
        ]);
        if i % 2 == 0 {
            let region = districts
                .iter()
                .find(|(d, _)| d == district)
                .map_or(0, |(_, r)| *r);
            confined.push(vec![
                (*case).into(),
                "STAY_WITHIN_AREA".into(),
                region.into(),
                (*district).into(),
                admin.into(),
                at.into(),
            ]);
        }
    }
    insert(
        db,
        "employment_profiles",
        &[
            "id",
            "case_id",
            "education",
            "readiness",
            "desired_occupations",
            "languages",
            "barriers",
            "work_history",
            "updated_by",
            "created_at",
            "updated_at",
        ],
        profile_rows,
    )
    .await?;
    insert(
        db,
        "employment_profile_skills",
        &["profile_id", "skill", "level"],
        seeker_skills,
    )
    .await?;
    insert(
        db,
        "case_conditions",
        &[
            "case_id",
            "kind",
            "region_id",
            "district_id",
            "created_by",
            "created_at",
        ],
        confined,
    )
    .await?;
    progress("sequences and statistics");
    finish(
        db,
        &[
            "organisations",
            "employment_employers",
            "employment_vacancies",
            "employment_profiles",
        ],
    )
    .await?;
    Ok(())
}
