//! `hamkor-employment-bench`: seed an employment market (100,000 open vacancies, 10,000
//! job seekers by default) and time `employment.matches` for one person.
//!
//! ```sh
//! # SQLite
//! DATABASE_URL='sqlite://bench-employment.db?mode=rwc' \
//!     cargo run --release --bin hamkor-employment-bench
//! # PostgreSQL
//! createdb -h 127.0.0.1 -U postgres hamkor_bench_employment
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamkor_bench_employment \
//!     cargo run --release --bin hamkor-employment-bench
//! ```
//!
//! The first run fills an empty database (territories, the job seekers' cases through
//! the national seed, then employers, vacancies and profiles); later runs only measure.
//! Each call is the real GraphQL operation through the assembled schema (guards,
//! resolvers, loaders, SQL), as the person's probation officer, without the HTTP hop.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]
// The schema's resolver futures nest deeply; optimised builds need more than the default
// query depth to lay them out.
#![recursion_limit = "256"]

use std::time::Instant;

use anyhow::Context;
use async_graphql::{Request, Variables};
use clap::Parser;
use hamkor_api::auth::principal::RequestMeta;
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::config::Settings;
use hamkor_api::loaders::Loaders;
use hamkor_api::module::service::enabled_for;
use hamkor_api::seed::national::{self, Scale};
use hamkor_api::state::AppState;
use hamkor_api::{bootstrap, db, ids};
use hamkor_employment::seed;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

#[derive(Parser)]
#[command(about = "Seed an employment market (once) and time matching")]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    vacancies: usize,
    /// Job seekers (each a case with a profile; half confined to their district).
    #[arg(long, default_value_t = 10_000)]
    seekers: usize,
    #[arg(long, default_value_t = 5_000)]
    employers: usize,
    /// Timed calls per scenario (after 5 warm-up calls).
    #[arg(long, default_value_t = 200)]
    iterations: usize,
}

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = Settings::load()?;
    let _telemetry = hamkor_api::telemetry::init(&settings)?;
    let conn = db::connect(&settings.database_url, settings.database_max_connections).await?;
    let modules = hamkor::modules::registry()?;
    db::migrate(&conn, &modules).await?;
    let st = AppState::new(conn, settings, modules)?;
    bootstrap::ensure_admin(&st).await?;
    let db = &st.db;

    if scalar(db, "SELECT COUNT(*) FROM employment_vacancies").await? == 0 {
        println!("seeding into {} ...", db::redact(&st.settings.database_url));
        let started = Instant::now();
        if scalar(db, "SELECT COUNT(*) FROM cases").await? == 0 {
            let scale = Scale {
                cases: args.seekers,
                appointments_per_case: 0,
                ..Scale::default()
            };
            national::generate(&st, scale, |step| println!("  {step}")).await?;
        }
        let scale = seed::Scale {
            employers: args.employers,
            vacancies: args.vacancies,
            seekers: args.seekers,
        };
        seed::generate(db, scale, |step| println!("  {step}")).await?;
        println!("seeded in {:.0?}", started.elapsed());
    } else {
        println!("reusing the employment market already in the database");
    }
    let counts = [
        (
            "open vacancies",
            scalar(
                db,
                "SELECT COUNT(*) FROM employment_vacancies WHERE status = 'OPEN'",
            )
            .await?,
        ),
        (
            "vacancy skills",
            scalar(db, "SELECT COUNT(*) FROM employment_vacancy_skills").await?,
        ),
        (
            "job seekers",
            scalar(db, "SELECT COUNT(*) FROM employment_profiles").await?,
        ),
        (
            "employers",
            scalar(db, "SELECT COUNT(*) FROM employment_employers").await?,
        ),
    ];
    println!("database: {counts:?}");

    // Two seekers: one confined to their district (as most sentences are), one free to
    // move (ranked within their region, and across the whole country on request).
    let confined = scalar(
        db,
        "SELECT MIN(p.case_id) FROM employment_profiles p JOIN case_conditions c ON c.case_id = p.case_id AND c.kind = 'STAY_WITHIN_AREA'",
    )
    .await?;
    let free = scalar(
        db,
        "SELECT MIN(p.case_id) FROM employment_profiles p WHERE NOT EXISTS \
         (SELECT 1 FROM case_conditions c WHERE c.case_id = p.case_id AND c.kind = 'STAY_WITHIN_AREA')",
    )
    .await?;
    let schema = hamkor::build_schema(&st);
    let meta = RequestMeta {
        request_id: "bench".into(),
        client: Some("hamkor-employment-bench".into()),
        address: "local".into(),
        device: None,
    };
    let query = "query($c: ID!, $f: EmploymentMatchFilter) { employment { matches(caseId: $c, first: 20, filter: $f) {
        edges { node { score maxScore fits conflicts vacancy { id title employer { name } district { nameUz } }
        factors { factor points explanation } } } } } }";
    let scenarios = [
        (
            "top 20 matches, seeker confined to their district",
            confined,
            json!(null),
        ),
        (
            "top 20 matches, seeker free to move, own region",
            free,
            json!(null),
        ),
        (
            "top 20 incl. flagged, seeker free to move, own region",
            free,
            json!({"includeConflicting": true}),
        ),
        (
            "top 20 matches, seeker free to move, whole country",
            free,
            json!({"anywhere": true}),
        ),
    ];
    println!();
    println!("| scenario | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, case, filter) in scenarios {
        let officer = scalar(db, &format!("SELECT officer_id FROM cases WHERE id = {case}")).await?;
        let who = load_principal(db, officer, Via::LocalTask, meta.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let vars = json!({"c": ids::encode("Case", case), "f": filter});
        let enabled = enabled_for(db, &st.modules, who.organisation_id)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        let (times, first) = hamkor::bench::time(&schema, name, 5, args.iterations, &mut || {
            Request::new(query)
                .variables(Variables::from_json(vars.clone()))
                .data(who.clone())
                .data(meta.clone())
                .data(enabled.clone())
                .data(Loaders::new(db))
        })
        .await?;
        let n = first["employment"]["matches"]["edges"]
            .as_array()
            .map_or(0, Vec::len);
        anyhow::ensure!(n == 20, "{name}: {n} matches");
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} |",
            times.ms(0.5),
            times.ms(0.99),
            times.max_ms()
        );
    }
    Ok(())
}
