//! A realistic employment market for the benchmark: employers in every district,
//! open vacancies with shifts (mostly day, some evening and night) and skills, and
//! job-seeker profiles for existing cases (half of them confined to their district).
//! Deterministic: the same sizes give the same data.

mod market;
mod seekers;

use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::db::now;
use hamkor_api::seed::national::{finish, insert, next_id};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
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

/// Levels of education, as stored.
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

/// What every step of the generation shares.
struct World {
    at: DateTime<Utc>,
    today: NaiveDate,
    /// The user who "created" every row.
    admin: i64,
    /// The employment centre that registers the employers and publishes the vacancies.
    centre: i64,
    /// `(id, region_id)` of every district, by id.
    districts: Vec<(i64, i64)>,
    /// `(id, district_id)` of every mahalla, by id.
    mahallas: Vec<(i64, i64)>,
}

/// Fill the employment tables of a database that already holds territories, people
/// and cases (the national seed). Enables the module for every organisation.
pub async fn generate(db: &DatabaseConnection, scale: Scale, progress: impl Fn(&str)) -> anyhow::Result<()> {
    let at = now();
    let mut rng = Lcg(2026);
    let admin = pairs(db, "SELECT MIN(id), MIN(id) FROM users").await?[0].0;
    let districts = pairs(db, "SELECT id, region_id FROM districts ORDER BY id").await?;
    let mahallas = pairs(db, "SELECT id, district_id FROM mahallas ORDER BY id").await?;
    anyhow::ensure!(
        !districts.is_empty() && !mahallas.is_empty(),
        "seed the territories first"
    );

    progress("an employment centre, and the module for every organisation");
    let centre = centre(db, at).await?;
    let world = World {
        at,
        today: at.date_naive(),
        admin,
        centre,
        districts,
        mahallas,
    };

    progress("employers");
    let employers = market::employers(db, &world, &mut rng, scale.employers).await?;

    progress("vacancies and their skills");
    market::vacancies(db, &world, &mut rng, &employers, scale.vacancies).await?;

    progress("job seekers");
    seekers::profiles(db, &world, &mut rng, scale.seekers).await?;

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

/// An employment centre, and the module enabled for every organisation.
async fn centre(db: &DatabaseConnection, at: DateTime<Utc>) -> anyhow::Result<i64> {
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
    Ok(centre)
}
