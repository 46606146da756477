//! `hamkor-em-bench`: fit tags to cases (once) and measure the electronic-monitoring
//! pipeline: sustained ingest of position fixes with judging on, and the time from a
//! breach being committed to its alert.
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres hamkor_bench_em
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamkor_bench_em \
//!     cargo run --release --bin hamkor-em-bench -- --devices 10000 --seconds 60
//! ```
//!
//! Fixes go through the same pipeline as the HTTPS and MQTT doors (parse, deduplicate,
//! store, judge against a geofenced curfew, open incidents), in-process, without the
//! network hop: `--workers` tasks each post one device's next `--batch` minutes of fixes
//! at a time, as a vendor's buffered upload would. One device in `--breach-every` walks
//! out of its home zone at 22:50 for 20 minutes (inside its 22:00–06:00 curfew, and
//! within the first few messages of each device, so even a short run sends it); its
//! incident's alert is timed. The run fails unless every breach it sent opened exactly
//! one CURFEW incident.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveTime, Utc};
use clap::Parser;
use hamkor_api::config::Settings;
use hamkor_api::seed::national::{self, Scale};
use hamkor_api::state::AppState;
use hamkor_api::{bootstrap, db};
use hamkor_electronic_monitoring::entity::IngestSource;
use hamkor_electronic_monitoring::ingest::pipeline;
use hamkor_electronic_monitoring::{seed, sim};
use sea_orm::{ConnectionTrait, Statement};
use tokio::sync::Mutex;

#[derive(Parser)]
#[command(about = "Fit tags (once) and time the electronic-monitoring pipeline")]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    devices: usize,
    /// How long to ingest.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Concurrent senders.
    #[arg(long, default_value_t = 16)]
    workers: usize,
    /// Fixes (minutes) per message.
    #[arg(long, default_value_t = 10)]
    batch: usize,
    /// One device in this many breaches its curfew.
    #[arg(long, default_value_t = 50)]
    breach_every: usize,
}

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await?;
    Ok(row
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0))
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
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
    if scalar(db, "SELECT COUNT(*) FROM cases").await? < args.devices as i64 {
        println!("seeding {} cases ...", args.devices);
        let scale = Scale {
            cases: args.devices,
            appointments_per_case: 0,
            ..Scale::default()
        };
        national::generate(&st, scale, |step| println!("  {step}")).await?;
    }
    let prefix = format!("bench{}", Utc::now().timestamp());
    let started = Instant::now();
    let fleet = seed::fleet(db, args.devices, &prefix).await?;
    println!("fitted {} tags in {:.1?}", fleet.tagged.len(), started.elapsed());

    tokio::spawn(hamkor_api::alert::engine::run(
        st.db.clone(),
        st.modules.clone(),
        Duration::from_millis(50),
    ));

    // Each device's clock starts at 22:30 local two days ago (in the curfew), a fix a
    // minute. A breaching device is out from minute 20 to minute 40 (22:50–23:10); the
    // message holding its third breaching fix completes the debounce (3 fixes by
    // default) and opens the incident.
    let date = Utc::now()
        .with_timezone(&hamkor_api::case::geofence::CASE_TZ)
        .date_naive()
        - chrono::Duration::days(2);
    let start = sim::local(date, NaiveTime::from_hms_opt(22, 30, 0).unwrap_or_default());
    let breach = (
        start + chrono::Duration::minutes(20),
        start + chrono::Duration::minutes(40),
    );
    let trigger = breach.0 + chrono::Duration::minutes(2);
    let next = Arc::new(AtomicUsize::new(0));
    let fixes = Arc::new(AtomicUsize::new(0));
    let breaches: Arc<Mutex<HashMap<i64, DateTime<Utc>>>> = Arc::default();
    let fleet = Arc::new(fleet);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let rss_before = rss_kib();
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.workers {
        let (st, fleet, next, fixes, breaches) = (
            st.clone(),
            fleet.clone(),
            next.clone(),
            fixes.clone(),
            breaches.clone(),
        );
        let (batch, breach_every) = (args.batch, args.breach_every.max(1));
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let i = n % fleet.tagged.len();
                let round = n / fleet.tagged.len();
                let d = &fleet.tagged[i];
                let from = start + chrono::Duration::minutes((round * batch) as i64);
                let out = i % breach_every == 0;
                let events: Vec<_> = (0..batch)
                    .map(|k| {
                        let at = from + chrono::Duration::minutes(k as i64);
                        let away = out && at >= breach.0 && at < breach.1;
                        let lat = d.home.0 + if away { 800.0 / 110_574.0 } else { 0.0 };
                        sim::fix(
                            &d.serial,
                            format!("{}-{}", d.serial, at.timestamp()),
                            at,
                            lat,
                            d.home.1,
                            12.0,
                        )
                    })
                    .collect();
                let body = sim::batch(&events);
                match pipeline::ingest(&st, &fleet.vendor, IngestSource::Https, &body, None).await {
                    Ok(o) => {
                        fixes.fetch_add(o.accepted, Ordering::Relaxed);
                    }
                    Err(e) => println!("ingest failed: {e:#}"),
                }
                let committed = Utc::now();
                let last = from + chrono::Duration::minutes(batch as i64);
                if out && from <= trigger && trigger < last {
                    breaches.lock().await.entry(d.case_id).or_insert(committed);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let total = fixes.load(Ordering::Relaxed);
    // Let the early-warning engine catch up with the last incidents (at most 30 s).
    let sent = breaches.lock().await.len() as i64;
    let curfew_alerts = format!(
        "SELECT COUNT(*) FROM alerts al JOIN em_incidents i ON i.id = al.subject_id \
         JOIN em_activations a ON a.id = i.activation_id JOIN em_devices d ON d.id = a.device_id \
         WHERE al.rule = 'monitoring_incident' AND i.kind = 'CURFEW' AND d.vendor_id = {}",
        fleet.vendor.id
    );
    let waited = Instant::now();
    while scalar(db, &curfew_alerts).await? < sent && waited.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rss_after = rss_kib();

    // Breach to alert: the first batch that completed a breach's debounce was committed at
    // the recorded time or before; its alert's raise time follows.
    let alerts = {
        let rows = st
            .db
            .query_all_raw(Statement::from_string(
                st.db.get_database_backend(),
                format!(
                    "SELECT al.case_id, al.raised_at FROM alerts al \
                     JOIN em_incidents i ON i.id = al.subject_id \
                     JOIN em_activations a ON a.id = i.activation_id \
                     JOIN em_devices d ON d.id = a.device_id \
                     WHERE al.rule = 'monitoring_incident' AND i.kind = 'CURFEW' AND d.vendor_id = {}",
                    fleet.vendor.id
                ),
            ))
            .await?;
        rows.into_iter()
            .filter_map(|r| {
                Some((
                    r.try_get::<i64>("", "case_id").ok()?,
                    r.try_get::<DateTime<Utc>>("", "raised_at").ok()?,
                ))
            })
            .collect::<Vec<_>>()
    };
    let committed = breaches.lock().await;
    let mut lat: Vec<f64> = alerts
        .iter()
        .filter_map(|(case, raised)| Some((*raised - *committed.get(case)?).num_milliseconds().max(0) as f64))
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!("database: {}", db::redact(&st.settings.database_url));
    println!(
        "ingested {total} fixes in {elapsed:.1} s: {:.0} fixes/s ({} workers, {} fixes per message, judging on)",
        total as f64 / elapsed,
        args.workers,
        args.batch
    );
    println!(
        "breach to alert: {} alerts, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        lat.len(),
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    println!("resident memory: {rss_before} KiB before, {rss_after} KiB after");
    let incidents = scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM em_incidents i \
             JOIN em_activations a ON a.id = i.activation_id \
             JOIN em_devices d ON d.id = a.device_id \
             WHERE i.kind = 'CURFEW' AND d.vendor_id = {}",
            fleet.vendor.id
        ),
    )
    .await?;
    println!(
        "breaches sent: {sent}, CURFEW incidents opened: {incidents}, their alerts: {}",
        lat.len()
    );
    anyhow::ensure!(
        incidents == sent,
        "every breach sent must open exactly one incident ({sent} sent, {incidents} opened)"
    );
    anyhow::ensure!(
        lat.len() as i64 == sent,
        "every breach must raise its alert ({sent} sent, {} alerts)",
        lat.len()
    );
    Ok(())
}
