//! `hamkor-load`: the HTTP load benchmark. Serves Hamkor (the `hamkor` binary beside this
//! one, as a child process) on the national data and drives an officer's caseload and
//! case view over HTTP at several concurrencies, beside the raw SQL floor of the same
//! reads run by `pgbench`.
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres hamkor_bench
//! cargo build --release --bin hamkor --bin hamkor-load
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamkor_bench \
//!     target/release/hamkor-load --cases 200000
//! ```
//!
//! The first run seeds an empty database (as `hamkor-bench`); later runs reuse it. For
//! each operation and concurrency it reports requests per second, p50 and p99 latency,
//! SQL statements per request (counted in this process on the same operation, caller
//! included), the server's CPU time per request and its resident memory (from `/proc`).
//! Every response body is checked: one GraphQL error fails the benchmark. On PostgreSQL
//! the statements one request runs are replayed by `pgbench` with their values inlined:
//! with one client that is the database's own time for the request (the floor the
//! server's CPU per request is compared with), with as many clients as the HTTP run it is
//! the throughput the database alone would allow.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]

mod floor;
mod server;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use async_graphql::{Request, Variables};
use clap::Parser;
use hamkor::bench::{Subjects, scalar, seed_if_empty};
use hamkor_api::auth::principal::RequestMeta;
use hamkor_api::auth::service::authenticate;
use hamkor_api::config::Settings;
use hamkor_api::loaders::Loaders;
use hamkor_api::state::AppState;
use hamkor_api::{bootstrap, db, ids};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};

use floor::{Footprint, pgbench};
use server::{Server, drive};

#[derive(Parser)]
#[command(about = "Serve Hamkor and measure the caseload and the case view over HTTP")]
struct Args {
    /// People and cases to generate into an empty database.
    #[arg(long, default_value_t = 200_000)]
    cases: usize,
    /// Concurrent connections, one run per value.
    #[arg(long, value_delimiter = ',', default_value = "8,32")]
    concurrency: Vec<usize>,
    /// Measured seconds per run (after a warm-up of a fifth of it).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Seconds `pgbench` runs the SQL floor of each operation.
    #[arg(long, default_value_t = 10)]
    floor_seconds: u64,
}

const CASELOAD: &str = "query { cases(first: 50, filter: {statuses: [ACTIVE]}) { totalCount
    edges { node { id status riskLevel person { fullName pinfl } mahalla { name }
      appointments(first: 1, filter: {pendingOnly: true}) { edges { node { scheduledAt kind } } } } } } }";

const CASE_VIEW: &str = "query($id: ID!) { case(id: $id) { id status courtName
    person { fullName cases(first: 10) { edges { node { id status
      appointments(first: 2) { totalCount edges { node { scheduledAt } } } } } } }
    conditions { kind } appointments(first: 10) { totalCount edges { node { scheduledAt outcome } } }
    referrals(first: 10) { edges { node { id } } } rehabilitationPlan { id } } }";

struct Operation {
    name: &'static str,
    body: Value,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = Settings::load()?;
    let _telemetry = hamkor_api::telemetry::init(&settings)?;
    let conn = db::connect(&settings.database_url, settings.database_max_connections).await?;
    let modules = hamkor::modules::registry()?;
    db::migrate(&conn, &modules).await?;
    let st = AppState::new(conn, settings.clone(), modules)?;
    bootstrap::ensure_admin(&st).await?;
    seed_if_empty(&st, args.cases).await?;
    let subjects = Subjects::find(&st.db).await?;
    println!(
        "busiest district: {} cases; officer {}, case {}",
        subjects.cases_in_district, subjects.officer, subjects.case
    );

    // The officer signs in over HTTP like any client: give them a password first.
    let password = format!("load-{}", uuid_like());
    let hash = st
        .hasher
        .hash(&SecretString::from(password.clone()))
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e:?}"))?;
    st.db
        .execute_raw(Statement::from_sql_and_values(
            st.db.get_database_backend(),
            match st.db.get_database_backend() {
                DbBackend::Postgres => "UPDATE users SET password_hash = $1 WHERE id = $2",
                _ => "UPDATE users SET password_hash = ? WHERE id = ?",
            },
            [hash.into(), subjects.officer.into()],
        ))
        .await?;
    let username: String = {
        let row = st
            .db
            .query_one_raw(Statement::from_string(
                st.db.get_database_backend(),
                format!("SELECT username FROM users WHERE id = {}", subjects.officer),
            ))
            .await?
            .context("the officer has no user row")?;
        row.try_get_by_index(0)?
    };

    let operations = [
        Operation {
            name: "caseload (50 active cases with person, risk, mahalla, next pending appointment)",
            body: json!({"query": CASELOAD}),
        },
        Operation {
            name: "case view (case, person and their cases, conditions, appointments, referrals, plan; audited)",
            body: json!({"query": CASE_VIEW, "variables": {"id": ids::encode("Case", subjects.case)}}),
        },
    ];

    let server = Server::start(&settings.database_url).await?;
    let client = hamkor_api::webhook::tls::plain_client()?;
    let login = client
        .post(server.url("/graphql"))
        .json(&json!({
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
            "variables": {"u": username, "p": password},
        }))
        .send()
        .await?
        .json::<Value>()
        .await?;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .with_context(|| format!("sign-in refused: {login}"))?
        .to_owned();

    let clk_tck: f64 = String::from_utf8(Command::new("getconf").arg("CLK_TCK").output()?.stdout)?
        .trim()
        .parse()
        .unwrap_or(100.0);

    println!();
    println!(
        "| operation | connections | req/s | p50 ms | p99 ms | statements/request | server CPU ms/request | server RSS MB |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut floors = Vec::new();
    for op in &operations {
        let footprint = footprint(&st, &token, &op.body).await?;
        for &connections in &args.concurrency {
            let warmup = Duration::from_secs(args.seconds.max(5) / 5);
            drive(&server, &token, &op.body, connections, warmup).await?;
            let cpu_before = server.cpu_ticks()?;
            let run = drive(
                &server,
                &token,
                &op.body,
                connections,
                Duration::from_secs(args.seconds),
            )
            .await?;
            let cpu_ms = (server.cpu_ticks()? - cpu_before) as f64 / clk_tck * 1000.0;
            println!(
                "| {} | {connections} | {:.0} | {:.2} | {:.2} | {} | {:.2} | {:.0} |",
                op.name,
                run.per_second(),
                run.quantile_ms(0.5),
                run.quantile_ms(0.99),
                footprint.statements.len(),
                cpu_ms / run.latencies.len() as f64,
                server.rss_kib()? as f64 / 1024.0,
            );
        }
        floors.push((op.name, footprint));
    }
    println!();
    println!(
        "server peak RSS: {:.0} MB",
        server.peak_rss_kib()? as f64 / 1024.0
    );

    if st.db.get_database_backend() == DbBackend::Postgres {
        println!();
        println!(
            "SQL floor: the same statements run by pgbench, values inlined ({} s each)",
            args.floor_seconds
        );
        println!();
        println!(
            "| operation | statements | 1 client: ms per request | 1 client: req/s | {} clients: req/s | 1 client without the read-audit write: ms |",
            args.concurrency[0]
        );
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (name, footprint) in &floors {
            let one = pgbench(&settings.database_url, footprint, 1, args.floor_seconds)?;
            let many = pgbench(
                &settings.database_url,
                footprint,
                args.concurrency[0],
                args.floor_seconds,
            )?;
            // The same reads without the audit record of what was read: its share of the
            // database's time (issue: audited reads must stay cheap).
            let reads_only = Footprint {
                statements: footprint
                    .statements
                    .iter()
                    .filter(|s| !s.trim_start().starts_with("INSERT INTO \"audit_events\""))
                    .cloned()
                    .collect(),
            };
            let unaudited = if reads_only.statements.len() < footprint.statements.len() {
                format!(
                    "{:.3}",
                    pgbench(&settings.database_url, &reads_only, 1, args.floor_seconds)?.latency_ms
                )
            } else {
                "(no audit write)".to_owned()
            };
            println!(
                "| {name} | {} | {:.3} | {:.0} | {:.0} | {unaudited} |",
                footprint.statements.len(),
                one.latency_ms,
                one.tps,
                many.tps
            );
        }
    }
    let audit_rows = scalar(&st.db, "SELECT COUNT(*) FROM audit_events")
        .await
        .unwrap_or(-1);
    println!();
    println!("audit events in the database after the runs: {audit_rows}");
    Ok(())
}

/// A token-free random suffix (the clock is enough for a benchmark's throwaway password).
fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    )
}

/// Run one request of the operation in this process on a connection that records every
/// statement, caller included, as the server would run it.
async fn footprint(st: &AppState, token: &str, body: &Value) -> anyhow::Result<Footprint> {
    let mut conn = db::connect(&st.settings.database_url, 2).await?;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let recording = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let seen = seen.clone();
        let recording = recording.clone();
        conn.set_metric_callback(move |info| {
            if recording.load(std::sync::atomic::Ordering::Relaxed)
                && let Ok(mut seen) = seen.lock()
            {
                seen.push(info.statement.to_string());
            }
        });
    }
    let counted = AppState::new(conn, (*st.settings).clone(), hamkor::modules::registry()?)?;
    let schema = hamkor::build_schema(&counted);
    let meta = RequestMeta {
        request_id: "load".into(),
        client: Some("hamkor-load".into()),
        address: "127.0.0.1".into(),
        device: None,
    };
    let request = || -> anyhow::Result<Request> {
        let mut r = Request::new(body["query"].as_str().context("no query")?);
        if let Some(v) = body.get("variables") {
            r = r.variables(Variables::from_json(v.clone()));
        }
        Ok(r)
    };
    // One run warms the caches a running server would have warm, the second is counted.
    for counted_run in [false, true] {
        recording.store(counted_run, std::sync::atomic::Ordering::Relaxed);
        let caller = authenticate(&counted, token, meta.clone())
            .await
            .map_err(|e| anyhow::anyhow!("authenticating: {e:?}"))?;
        let resp = hamkor::execute(
            &schema,
            request()?
                .data(caller)
                .data(meta.clone())
                .data(Loaders::new(&counted.db)),
        )
        .await;
        if !resp.errors.is_empty() {
            bail!("in-process run failed: {:?}", resp.errors);
        }
    }
    recording.store(false, std::sync::atomic::Ordering::Relaxed);
    let statements = seen.lock().map(|s| s.clone()).unwrap_or_default();
    Ok(Footprint { statements })
}
