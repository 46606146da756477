//! `hamkor-checkin-bench`: time remote check-ins with a 300 KB photo over HTTP.
//!
//! ```sh
//! cargo build --release --bin hamkor --bin hamkor-checkin-bench
//! target/release/hamkor-checkin-bench                       # a temporary SQLite database
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/hamkor_bench_checkin \
//!     target/release/hamkor-checkin-bench --persons 400 --clients 20
//! ```
//!
//! Without `DATABASE_URL` the run uses a fresh SQLite file in the system's temporary
//! directory (removed after), with it that database (seeded when it has too few cases,
//! reused after). Photos go to a fresh local directory (`HAMKOR_OBJECT_STORE_DIR` of the
//! server). In this process: `--persons` active cases are enrolled by their officers
//! (the module switched on for their organisations; codes caught by a capturing
//! notifier). Then the `hamkor` binary beside this one serves the database as a child
//! process, every device is activated over HTTP, and `--clients` concurrent clients
//! each take the next person and submit their check-in the way the app does: the photo
//! (a seeded-noise JPEG of `--photo-kb` KB) to `POST /remote-check-in/v1/photos`, then
//! `submitCheckIn` naming it. It prints p50/p95/p99 of the upload, the submission and
//! the two together (one check-in), and check-ins per second; any refused request or
//! GraphQL error fails the run.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Utc;
use clap::Parser;
use hamkor::bench::scalar;
use hamkor_api::access::{CaseAccess, cases_with_access};
use hamkor_api::auth::principal::{Principal, RequestMeta};
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::case::entity::{CaseStatus, case};
use hamkor_api::config::Settings;
use hamkor_api::person::entity as person;
use hamkor_api::seed::national::{self, Scale};
use hamkor_api::state::AppState;
use hamkor_api::user::entity::user;
use hamkor_api::{bootstrap, db};
use hamkor_remote_check_in::entity::CheckInLanguage;
use hamkor_remote_check_in::notifier::{self, Capture};
use hamkor_remote_check_in::schedule::Schedule;
use hamkor_remote_check_in::service::enrolment::{self, EnrolSpec};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Enrol people, activate their devices and time check-ins with a photo over HTTP")]
struct Args {
    /// People to enrol; each submits one check-in.
    #[arg(long, default_value_t = 400)]
    persons: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 20)]
    clients: usize,
    /// Size of the photo each check-in uploads, in KB.
    #[arg(long, default_value_t = 300)]
    photo_kb: usize,
}

const ACTIVATE: &str =
    "mutation($i: ActivateRemoteCheckInInput!) { activateRemoteCheckIn(input: $i) { accessToken } }";
const SUBMIT: &str =
    "mutation($i: SubmitCheckInInput!) { remoteCheckIn { submitCheckIn(input: $i) { id status } } }";

/// One enrolled person: their phone, birth date, and (once activated) their token.
struct Enrolled {
    phone: String,
    birth_date: String,
    code: String,
}

async fn as_user(st: &AppState, user_id: i64) -> anyhow::Result<Principal> {
    let meta = RequestMeta {
        request_id: String::new(),
        client: Some("bench".to_owned()),
        address: "local".to_owned(),
        device: None,
    };
    load_principal(&st.db, user_id, Via::LocalTask, meta)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn api(e: hamkor_api::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", e.code(), e.message())
}

/// Enrol `n` active cases (each by its own officer), with a window open now.
async fn enrol(st: &AppState, n: usize, capture: &Capture) -> anyhow::Result<Vec<Enrolled>> {
    let db = &st.db;
    let admin_id = user::Entity::find()
        .filter(user::Column::Username.eq(bootstrap::ADMIN_USERNAME))
        .one(db)
        .await?
        .context("no admin")?
        .id;
    let admin = as_user(st, admin_id).await?;
    let cases = case::Entity::find()
        .filter(case::Column::Status.eq(CaseStatus::Active))
        .filter(case::Column::OfficerId.is_not_null())
        .order_by_asc(case::Column::Id)
        .limit(n as u64)
        .all(db)
        .await?;
    if cases.len() < n {
        bail!("only {} active cases with an officer", cases.len());
    }
    let mut officers: std::collections::HashMap<i64, Principal> = Default::default();
    let mut out = Vec::with_capacity(n);
    let first_due = Utc::now() - chrono::Duration::hours(1);
    for (i, c) in cases.into_iter().enumerate() {
        let officer_id = c.officer_id.context("an officer")?;
        if let std::collections::hash_map::Entry::Vacant(slot) = officers.entry(officer_id) {
            let p = as_user(st, officer_id).await?;
            hamkor_api::module::service::configure(
                db,
                &st.modules,
                &admin,
                Some(p.organisation_id),
                hamkor_remote_check_in::ID,
                true,
                None,
            )
            .await
            .map_err(api)?;
            slot.insert(p);
        }
        let officer = &officers[&officer_id];
        // The case's officer may lack full access (another territory): skip it.
        let reachable = case::Entity::find_by_id(c.id)
            .filter(cases_with_access(officer, CaseAccess::Full))
            .one(db)
            .await?
            .is_some();
        if !reachable {
            continue;
        }
        let phone = format!("+99890{:07}", 1_000_000 + i);
        enrolment::enrol(
            db,
            officer,
            EnrolSpec {
                case_id: c.id,
                phone: phone.clone(),
                language: CheckInLanguage::UzLatn,
                schedule: Schedule::new(first_due, Some(1), None, 24).map_err(api)?,
                shared_goal_ids: Vec::new(),
            },
        )
        .await
        .map_err(api)?;
        let birth = person::Entity::find_by_id(c.person_id)
            .one(db)
            .await?
            .context("the case's person")?
            .birth_date;
        let code = capture
            .to(&phone)
            .last()
            .and_then(|m| {
                m.split_whitespace()
                    .map(|w| w.trim_matches(|ch: char| !ch.is_ascii_digit()))
                    .find(|w| w.len() == 6)
                    .map(str::to_owned)
            })
            .context("no activation code was sent")?;
        out.push(Enrolled {
            phone,
            birth_date: birth.to_string(),
            code,
        });
    }
    Ok(out)
}

/// The `hamkor` binary beside this one, serving `database_url` on a free loopback port.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    async fn start(database_url: &str, photos: &std::path::Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?
            .parent()
            .context("no directory")?
            .join(format!("hamkor{}", std::env::consts::EXE_SUFFIX));
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(&exe)
            .env("DATABASE_URL", database_url)
            .env("HAMKOR_LISTEN", &addr)
            .env("HAMKOR_LOG_FILTER", "warn")
            .env("HAMKOR_OBJECT_STORE_DIR", photos)
            .env_remove("HAMKOR_OBJECT_STORE_URL")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} (build it with --bin hamkor)", exe.display()))?;
        let mut server = Self { child, addr };
        let client = hamkor_api::webhook::tls::plain_client()?;
        for _ in 0..300 {
            if let Ok(r) = client.get(server.url("/readyz")).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.stop();
        bail!("the server did not become ready on {}", server.addr)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn stop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The `q` quantile (0–1) of sorted durations, in milliseconds.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<22} n={:<5} p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
        times.len(),
        quantile(&times, 0.50),
        quantile(&times, 0.95),
        quantile(&times, 0.99),
        quantile(&times, 1.0),
    );
}

async fn graphql(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let mut req = client
        .post(url)
        .json(&json!({"query": query, "variables": variables}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let body: Value = req.send().await?.json().await?;
    if !body["errors"].is_null() {
        bail!("GraphQL errors: {}", body["errors"]);
    }
    Ok(body["data"].clone())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = std::env::temp_dir().join(format!("hamkor-checkin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let result = run(&args, &scratch).await;
    std::fs::remove_dir_all(&scratch).ok();
    result
}

async fn run(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let database_url = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => url,
        None => format!("sqlite://{}?mode=rwc", scratch.join("hamkor.db").display()),
    };
    let mut settings = Settings::load()?;
    settings.database_url = database_url.clone();
    let conn = db::connect(&settings.database_url, settings.database_max_connections).await?;
    let modules = hamkor::modules::registry()?;
    db::migrate(&conn, &modules).await?;
    let st = AppState::new(conn, settings, modules)?;
    bootstrap::ensure_admin(&st).await?;
    let active = scalar(&st.db, "SELECT COUNT(*) FROM cases WHERE officer_id IS NOT NULL").await?;
    if active < 2 * args.persons as i64 {
        println!("seeding {} cases ...", 4 * args.persons);
        let scale = Scale {
            cases: 4 * args.persons,
            appointments_per_case: 0,
            ..Scale::default()
        };
        national::generate(&st, scale, |step| println!("  {step}")).await?;
    }
    let capture = Arc::new(Capture::default());
    notifier::install(capture.clone());
    let t = Instant::now();
    let people = enrol(&st, args.persons, &capture).await?;
    println!("enrolled {} people in {:.1?}", people.len(), t.elapsed());
    st.db.clone().close().await.ok();

    let photo = Arc::new(hamkor_remote_check_in::photo::noisy_jpeg(args.photo_kb * 1000, 7));
    println!("photo: {} bytes (JPEG, seeded noise)", photo.len());
    let photos = scratch.join("photos");
    let mut server = Server::start(&database_url, &photos).await?;
    let outcome = drive(args, &server, people, photo).await;
    server.stop();
    outcome
}

async fn drive(
    args: &Args,
    server: &Server,
    people: Vec<Enrolled>,
    photo: Arc<Vec<u8>>,
) -> anyhow::Result<()> {
    let client = hamkor_api::webhook::tls::plain_client()?;
    let gql = server.url("/graphql");
    let upload_url = server.url("/remote-check-in/v1/photos");

    // Activate every device (timed apart).
    let people = Arc::new(people);
    let tokens: Arc<Mutex<Vec<Option<String>>>> = Arc::new(Mutex::new(vec![None; people.len()]));
    let activations: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (client, gql, people, tokens, activations, next) = (
            client.clone(),
            gql.clone(),
            people.clone(),
            tokens.clone(),
            activations.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = people.get(i) else {
                    return anyhow::Ok(());
                };
                let t = Instant::now();
                let data = graphql(
                    &client,
                    &gql,
                    None,
                    ACTIVATE,
                    json!({"i": {"phone": p.phone, "code": p.code, "birthDate": p.birth_date, "deviceId": format!("bench-{i}")}}),
                )
                .await?;
                let elapsed = t.elapsed();
                let token = data["activateRemoteCheckIn"]["accessToken"]
                    .as_str()
                    .context("no token")?
                    .to_owned();
                if let (Ok(mut all), Ok(mut times)) = (tokens.lock(), activations.lock()) {
                    all[i] = Some(token);
                    times.push(elapsed);
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }

    // The measured part: upload and submit, `clients` at a time.
    let tokens: Vec<String> = tokens
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .iter()
        .map(|t| t.clone().unwrap_or_default())
        .collect();
    let tokens = Arc::new(tokens);
    let times: Arc<Mutex<Vec<(Duration, Duration)>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (client, gql, upload_url, tokens, times, next, photo) = (
            client.clone(),
            gql.clone(),
            upload_url.clone(),
            tokens.clone(),
            times.clone(),
            next.clone(),
            photo.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(token) = tokens.get(i) else {
                    return anyhow::Ok(());
                };
                let t = Instant::now();
                let r = client
                    .post(&upload_url)
                    .bearer_auth(token)
                    .body(photo.as_ref().clone())
                    .send()
                    .await?;
                let status = r.status().as_u16();
                let body: Value = r.json().await?;
                if status != 201 {
                    bail!("upload refused ({status}): {body}");
                }
                let uploaded = t.elapsed();
                let t = Instant::now();
                let data = graphql(
                    &client,
                    &gql,
                    Some(token),
                    SUBMIT,
                    json!({"i": {"submissionId": format!("bench-{i}"), "photoId": body["photoId"],
                        "answers": {"wellbeing": "WELL", "support": [{"need": "WORK_OR_STUDY", "text": "looking for work"}]}}}),
                )
                .await?;
                if data["remoteCheckIn"]["submitCheckIn"]["status"] != "SUBMITTED" {
                    bail!("not submitted: {data}");
                }
                let submitted = t.elapsed();
                if let Ok(mut all) = times.lock() {
                    all.push((uploaded, submitted));
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let wall = started.elapsed();
    let times = times.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
    let activations = activations
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    println!(
        "{} check-ins by {} concurrent clients in {:.2} s: {:.1} check-ins/s",
        times.len(),
        args.clients,
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64()
    );
    report("activation", activations);
    report("photo upload", times.iter().map(|t| t.0).collect());
    report("submitCheckIn", times.iter().map(|t| t.1).collect());
    report("check-in (both)", times.iter().map(|t| t.0 + t.1).collect());
    Ok(())
}
