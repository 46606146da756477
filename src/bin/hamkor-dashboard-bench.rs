//! `hamkor-dashboard-bench`: time the district and region analytics dashboards on
//! national-scale data.
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres hamkor_bench
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamkor_bench \
//!     cargo run --release --bin hamkor-dashboard-bench -- --cases 200000
//! ```
//!
//! On an empty database it first seeds the national data (as `hamkor-bench` does), and
//! on a database without alerts it adds one alert for every tenth case, raised in the
//! last 60 days, half of them acknowledged. Each scenario is the `analytics` query
//! through the assembled schema, as a district's officer or as an inspector whose scope
//! is a whole region (the widest territorial reader), without the HTTP hop. Then the
//! `riskValidation` query over three years of assessments: the regional reader's region,
//! the same region as a platform admin, and the whole country.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]
// The schema's resolver futures nest deeply; optimised builds need more than the default
// query depth to lay them out.
#![recursion_limit = "256"]

use std::time::Instant;

use anyhow::Context;
use async_graphql::{Request, Variables};
use chrono::Utc;
use clap::Parser;
use hamkor_api::auth::principal::{Principal, RequestMeta, Scope};
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::config::Settings;
use hamkor_api::loaders::Loaders;
use hamkor_api::seed::national::{self, Scale};
use hamkor_api::state::AppState;
use hamkor_api::{bootstrap, db, ids};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

#[derive(Parser)]
#[command(about = "Seed national-scale data (once) and time the analytics dashboards")]
struct Args {
    /// People and cases to generate into an empty database.
    #[arg(long, default_value_t = 200_000)]
    cases: usize,
    /// Timed runs per scenario (after 3 warm-up runs).
    #[arg(long, default_value_t = 30)]
    iterations: usize,
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// One alert for every tenth case, raised in the last 60 days, every other one
/// acknowledged some minutes later.
async fn seed_alerts(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, organisation_id, officer_id FROM cases WHERE id % 10 = 0 ORDER BY id".to_owned(),
        ))
        .await?;
    let now = hamkor_api::db::now();
    let mut alerts = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let case: i64 = r.try_get("", "id")?;
        let org: i64 = r.try_get("", "organisation_id")?;
        let officer: Option<i64> = r.try_get("", "officer_id")?;
        let raised = now - chrono::Duration::hours((i % 1440) as i64);
        let acked = (i % 2 == 0).then(|| raised + chrono::Duration::minutes((i % 300) as i64 + 5));
        alerts.push(vec![
            case.into(),
            org.into(),
            "missed_appointments".into(),
            format!("missed_appointments:{case}:bench").into(),
            "HIGH".into(),
            if acked.is_some() { "ACKNOWLEDGED" } else { "OPEN" }.into(),
            "2 missed appointments within 30 days".into(),
            "PROBATION_OFFICER".into(),
            officer.into(),
            raised.into(),
            acked.into(),
            acked.and(officer).into(),
        ]);
    }
    let n = national::insert(
        db,
        "alerts",
        &[
            "case_id",
            "organisation_id",
            "rule",
            "dedup_key",
            "severity",
            "status",
            "reason",
            "acting_role",
            "assignee_id",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
        ],
        alerts,
    )
    .await?;
    national::finish(db, &["alerts"]).await?;
    Ok(n)
}

struct Scenario {
    name: String,
    level: &'static str,
    who: Principal,
    region: Option<i64>,
    district: Option<i64>,
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

    if scalar(db, "SELECT COUNT(*) FROM cases").await? == 0 {
        println!("seeding {} cases ...", args.cases);
        let started = Instant::now();
        let scale = Scale {
            cases: args.cases,
            ..Scale::default()
        };
        national::generate(&st, scale, |step| println!("  {step}")).await?;
        println!("seeded in {:.0?}", started.elapsed());
    }
    if scalar(db, "SELECT COUNT(*) FROM alerts").await? == 0 {
        let started = Instant::now();
        let n = seed_alerts(db).await?;
        println!("seeded {n} alerts in {:.0?}", started.elapsed());
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // What autovacuum does on a live database: the visibility map lets the
        // dashboards read appointments from the covering index alone.
        for table in ["cases", "appointments", "violations", "alerts", "referrals"] {
            db.execute_unprepared(&format!("VACUUM ANALYZE {table}")).await?;
        }
    }
    let counts = [
        ("mahallas", scalar(db, "SELECT COUNT(*) FROM mahallas").await?),
        ("cases", scalar(db, "SELECT COUNT(*) FROM cases").await?),
        (
            "appointments",
            scalar(db, "SELECT COUNT(*) FROM appointments").await?,
        ),
        ("violations", scalar(db, "SELECT COUNT(*) FROM violations").await?),
        ("alerts", scalar(db, "SELECT COUNT(*) FROM alerts").await?),
    ];

    let district = scalar(
        db,
        "SELECT district_id FROM cases GROUP BY district_id ORDER BY COUNT(*) DESC, district_id LIMIT 1",
    )
    .await?;
    let region = scalar(
        db,
        "SELECT region_id FROM cases GROUP BY region_id ORDER BY COUNT(*) DESC, region_id LIMIT 1",
    )
    .await?;
    let in_region = scalar(
        db,
        &format!("SELECT COUNT(*) FROM cases WHERE region_id = {region}"),
    )
    .await?;
    // The busiest district of that region, for the narrowed region scenario.
    let district_in_region = scalar(
        db,
        &format!(
            "SELECT district_id FROM cases WHERE region_id = {region} GROUP BY district_id ORDER BY COUNT(*) DESC, district_id LIMIT 1"
        ),
    )
    .await?;
    let officer = scalar(
        db,
        &format!("SELECT officer_id FROM cases WHERE district_id = {district} LIMIT 1"),
    )
    .await?;
    let inspector = scalar(
        db,
        &format!("SELECT inspector_id FROM cases WHERE region_id = {region} LIMIT 1"),
    )
    .await?;
    let meta = RequestMeta {
        request_id: "bench".into(),
        client: Some("hamkor-dashboard-bench".into()),
        address: "local".into(),
        device: None,
    };
    let as_officer = load_principal(db, officer, Via::LocalTask, meta.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut regional = load_principal(db, inspector, Via::LocalTask, meta.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    regional.scope = Scope {
        regions: vec![region],
        ..Scope::default()
    };
    let admin = scalar(
        db,
        "SELECT MIN(user_id) FROM user_roles WHERE role = 'PLATFORM_ADMIN'",
    )
    .await?;
    let as_admin = load_principal(db, admin, Via::LocalTask, meta.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let schema = hamkor::build_schema(&st);
    let validations = [
        (
            format!("risk validation: regional reader, its region ({in_region} cases)"),
            regional.clone(),
            Some(ids::encode("Region", region)),
        ),
        (
            "risk validation: platform admin, the same region".to_owned(),
            as_admin.clone(),
            Some(ids::encode("Region", region)),
        ),
        (
            "risk validation: platform admin, the country".to_owned(),
            as_admin,
            None,
        ),
    ];
    let scenarios = [
        Scenario {
            name: "district dashboard: officer, by mahalla".into(),
            level: "MAHALLA",
            who: as_officer.clone(),
            region: None,
            district: None,
        },
        Scenario {
            name: format!("region dashboard: regional reader, by district ({in_region} cases)"),
            level: "DISTRICT",
            who: regional.clone(),
            region: Some(region),
            district: None,
        },
        Scenario {
            name: "region dashboard: regional reader, by mahalla".into(),
            level: "MAHALLA",
            who: regional.clone(),
            region: Some(region),
            district: None,
        },
        Scenario {
            name: "region dashboard: regional reader, one district by mahalla".into(),
            level: "MAHALLA",
            who: regional,
            region: None,
            district: Some(district_in_region),
        },
    ];
    let to = Utc::now().date_naive();
    let from = to - chrono::Duration::days(90);
    let query = "query($i: AnalyticsInput!) { analytics(input: $i) { rows { territoryId name casesActive
        activeHigh appointmentsMissed violations alertsRaised meanMinutesToAcknowledge referralsMade }
        total { casesActive appointmentsAttended appointmentsMissed alertsRaised } } }";

    println!();
    println!("database: {counts:?}; period {from} .. {to}");
    println!();
    println!("| scenario | rows | p50 ms | p95 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for sc in &scenarios {
        let input = json!({
            "level": sc.level,
            "from": from,
            "to": to,
            "regionId": sc.region.map(|r| ids::encode("Region", r)),
            "districtId": sc.district.map(|d| ids::encode("District", d)),
        });
        let (times, first) = hamkor::bench::time(&schema, &sc.name, 3, args.iterations, &mut || {
            Request::new(query)
                .variables(Variables::from_json(json!({"i": input})))
                .data(sc.who.clone())
                .data(meta.clone())
                .data(Loaders::new(db))
        })
        .await?;
        let rows = first["analytics"]["rows"].as_array().map_or(0, Vec::len);
        println!(
            "| {} | {rows} | {:.1} | {:.1} | {:.1} |",
            sc.name,
            times.ms(0.5),
            times.ms(0.95),
            times.max_ms()
        );
    }

    // The instrument's validation over every assessment of the last three years: one
    // grouped statement over the region's cases.
    let query = "query($from: NaiveDate!, $to: NaiveDate!, $t: ID) { riskValidation(from: $from, to: $to, territory: $t) {
        pendingCases whole { cases auc aucLow aucHigh levels { observedRate } }
        groups { dimension key flagged figures { cases auc falsePositiveRate } } } }";
    let (from, to) = (to - chrono::Duration::days(3 * 365), to);
    for (name, who, territory) in &validations {
        let vars = json!({"from": from, "to": to, "t": territory});
        let (times, first) = hamkor::bench::time(&schema, name, 3, args.iterations, &mut || {
            Request::new(query)
                .variables(Variables::from_json(vars.clone()))
                .data(who.clone())
                .data(meta.clone())
                .data(Loaders::new(db))
        })
        .await?;
        let cases = &first["riskValidation"]["whole"]["cases"];
        println!(
            "| {name} | {cases} labelled | {:.1} | {:.1} | {:.1} |",
            times.ms(0.5),
            times.ms(0.95),
            times.max_ms()
        );
    }
    Ok(())
}
