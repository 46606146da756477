//! `hamkor-bench`: seed national-scale data and time the API's everyday reads.
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres hamkor_bench
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamkor_bench \
//!     cargo run --release --bin hamkor-bench -- --cases 200000
//! ```
//!
//! The first run fills an empty database (every district, ~9,400 mahallas, the given
//! number of people and cases, 15 appointments per case); later runs reuse the data and
//! only measure. Each scenario runs a real GraphQL operation through the assembled schema
//! (resolvers, loaders, access rules, SQL) as a real officer or inspector would, without
//! the HTTP hop.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]
// The schema's resolver futures nest deeply; optimised builds need more than the default
// query depth to lay them out.
#![recursion_limit = "256"]

use async_graphql::{Request, Variables};
use clap::Parser;
use hamkor::bench::{Subjects, scalar, seed_if_empty};
use hamkor_api::auth::principal::{Principal, RequestMeta};
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::config::Settings;
use hamkor_api::loaders::Loaders;
use hamkor_api::pagination::encode_cursor;
use hamkor_api::state::AppState;
use hamkor_api::{bootstrap, db, ids};
use serde_json::json;

#[derive(Parser)]
#[command(about = "Seed national-scale data (once) and time the main reads")]
struct Args {
    /// People and cases to generate into an empty database.
    #[arg(long, default_value_t = 200_000)]
    cases: usize,
    /// Timed runs per scenario (after 3 warm-up runs).
    #[arg(long, default_value_t = 30)]
    iterations: usize,
    /// Time offline sync instead (an inspector of about 300 cases: first pull,
    /// incremental pull, a push of 200 changes).
    #[arg(long)]
    sync: bool,
}

struct Scenario {
    name: &'static str,
    query: &'static str,
    variables: serde_json::Value,
    as_inspector: bool,
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

    seed_if_empty(&st, args.cases).await?;
    let counts = [
        ("mahallas", scalar(db, "SELECT COUNT(*) FROM mahallas").await?),
        ("people", scalar(db, "SELECT COUNT(*) FROM persons").await?),
        ("cases", scalar(db, "SELECT COUNT(*) FROM cases").await?),
        (
            "appointments",
            scalar(db, "SELECT COUNT(*) FROM appointments").await?,
        ),
        ("notes", scalar(db, "SELECT COUNT(*) FROM case_notes").await?),
    ];

    if args.sync {
        return sync(&st, args.iterations).await;
    }

    let Subjects {
        district,
        cases_in_district: in_district,
        officer,
        inspector,
        mahalla,
        case,
        person: pinfl,
    } = Subjects::find(db).await?;
    let deep = scalar(
        db,
        &format!(
            "SELECT id FROM cases WHERE district_id = {district} AND status = 'ACTIVE' ORDER BY id DESC LIMIT 1 OFFSET 400"
        ),
    )
    .await
    .unwrap_or(case);
    let meta = RequestMeta {
        request_id: "bench".into(),
        client: Some("hamkor-bench".into()),
        address: "local".into(),
        device: None,
    };
    let as_officer = load_principal(db, officer, Via::LocalTask, meta.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let as_inspector = load_principal(db, inspector, Via::LocalTask, meta.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let schema = hamkor::build_schema(&st);
    let model = approved_model(&st, &meta).await?;

    let now = chrono::Utc::now();
    let scenarios = [
        Scenario {
            name: "officer: first page of active cases, with person, mahalla, conditions, 3 latest appointments",
            query: "query { cases(first: 20, filter: {statuses: [ACTIVE]}) { totalCount edges { node { id status riskLevel
                      person { fullName } mahalla { name } conditions { kind curfewStart curfewEnd }
                      appointments(first: 3) { edges { node { scheduledAt outcome } } } } } } }",
            variables: json!({}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: caseload of 50 active cases",
            query: "query { cases(first: 50, filter: {statuses: [ACTIVE]}) { edges { node { id status riskLevel
                      person { fullName } } } } }",
            variables: json!({}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: the same 50 with their attention scores (audited)",
            query: "query { cases(first: 50, filter: {statuses: [ACTIVE]}) { edges { node { id status riskLevel
                      person { fullName } attention { score band reasons { label } } } } } }",
            variables: json!({}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: first 50 active cases by attention (the district's caseload scored)",
            query: "query { cases(first: 50, filter: {statuses: [ACTIVE]}, orderBy: ATTENTION) { edges { node { id
                      person { fullName } attention { score } } } } }",
            variables: json!({}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: high-risk cases of one mahalla",
            query: "query($m: ID!) { cases(first: 20, filter: {mahallaIds: [$m], riskLevels: [HIGH, VERY_HIGH]}) {
                      totalCount edges { node { id person { fullName } } } } }",
            variables: json!({"m": ids::encode("Mahalla", mahalla)}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: page 21 of active cases (cursor)",
            query: "query($after: String) { cases(first: 20, after: $after, filter: {statuses: [ACTIVE]}) {
                      edges { node { id person { fullName } } } pageInfo { hasNextPage } } }",
            variables: json!({"after": encode_cursor(deep)}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: one case in full (audited read, notes, violations, history)",
            query: "query($id: ID!) { case(id: $id) { id status courtName person { fullName pinfl }
                      conditions { kind } notes(first: 10) { totalCount edges { node { body } } }
                      violations(first: 10) { totalCount } statusHistory(first: 5) { edges { node { toStatus } } }
                      appointments(first: 10) { totalCount edges { node { scheduledAt outcome } } } } }",
            variables: json!({"id": ids::encode("Case", case)}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: people search by name",
            query: "query { people(first: 20, filter: {search: \"familiya123\"}) { edges { node { fullName } } } }",
            variables: json!({}),
            as_inspector: false,
        },
        Scenario {
            name: "officer: person by id with their cases",
            query: "query($id: ID!) { person(id: $id) { fullName pinfl cases { edges { node { status } } } } }",
            variables: json!({"id": ids::encode("Person", pinfl)}),
            as_inspector: false,
        },
        Scenario {
            name: "inspector: appointments of the coming 14 days still without outcome",
            query: "query($from: DateTime!, $to: DateTime!) { appointments(first: 50, filter: {from: $from, to: $to, pendingOnly: true}) {
                      edges { node { scheduledAt kind case { id person { fullName } } } } } }",
            variables: json!({"from": now, "to": now + chrono::Duration::days(14)}),
            as_inspector: true,
        },
    ];

    println!();
    println!("busiest district: {in_district} cases; database: {counts:?}");
    match model {
        Some(v) => println!("attention: approved risk model version {v}"),
        None => println!("attention: no approved risk model (its scenarios score nothing)"),
    }
    println!();
    println!("| scenario | p50 ms | p95 ms | max ms |");
    println!("| --- | ---: | ---: | ---: |");
    for sc in &scenarios {
        let who: &Principal = if sc.as_inspector {
            &as_inspector
        } else {
            &as_officer
        };
        let (times, _) = hamkor::bench::time(&schema, sc.name, 3, args.iterations, &mut || {
            Request::new(sc.query)
                .variables(Variables::from_json(sc.variables.clone()))
                .data(who.clone())
                .data(meta.clone())
                .data(Loaders::new(db))
        })
        .await?;
        println!(
            "| {} | {:.1} | {:.1} | {:.1} |",
            sc.name,
            times.ms(0.5),
            times.ms(0.95),
            times.max_ms()
        );
    }
    Ok(())
}

/// The approved learned risk model's version, for the attention scenarios: when there
/// is none, one is trained on the seed's assessments and approved by the platform admin
/// (as `hamkor model train` and `approveRiskModel` would).
async fn approved_model(st: &AppState, meta: &RequestMeta) -> anyhow::Result<Option<i32>> {
    use hamkor_api::risk::model::{self, TrainOptions, features::FeatureSet};
    fn api(e: hamkor_api::error::ApiError) -> anyhow::Error {
        anyhow::anyhow!("{}", e.message())
    }
    let set = FeatureSet::of(&st.modules, st.db.get_database_backend());
    if let Some((m, _)) = model::approved(&st.db, &set).await.map_err(api)? {
        return Ok(Some(m.version));
    }
    let trained = match model::train(&st.db, &st.modules, None, TrainOptions::default()).await {
        Ok(m) => m,
        Err(e) => {
            println!("no risk model could be trained: {}", e.message());
            return Ok(None);
        }
    };
    let admin = scalar(
        &st.db,
        "SELECT user_id FROM user_roles WHERE role = 'PLATFORM_ADMIN' ORDER BY user_id LIMIT 1",
    )
    .await?;
    let admin = load_principal(&st.db, admin, Via::LocalTask, meta.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    model::approve(&st.db, &st.modules, &admin, trained.id)
        .await
        .map_err(api)?;
    Ok(Some(trained.version))
}

/// The sync scenarios, as an inspector whose scope holds about 300 cases (see
/// [`hamkor::sync_bench::inspector`]).
async fn sync(st: &AppState, iterations: usize) -> anyhow::Result<()> {
    let db = &st.db;
    let (inspector, mahallas, cases) = hamkor::sync_bench::inspector(st, 300).await?;
    let meta = RequestMeta {
        request_id: "bench".into(),
        client: Some("hamkor-bench".into()),
        address: "local".into(),
        device: None,
    };
    let who = load_principal(db, inspector, Via::LocalTask, meta)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let schema = hamkor::build_schema(st);
    println!("inspector of {mahallas} mahallas holding {cases} cases; median of {iterations} runs");
    println!();
    println!("| scenario | median | JSON |");
    println!("| --- | ---: | ---: |");
    hamkor::sync_bench::bench(&schema, st, &who, iterations).await
}
