//! The `hamkor` command line.

// Printing results to the terminal is this module's job; everything else logs.
#![allow(clippy::print_stdout)]

use std::collections::BTreeSet;
use std::io::Read;
use std::net::SocketAddr;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hamkor_api::app::{Application, shutdown_signal};
use hamkor_api::bootstrap::{Bootstrap, ensure_admin, generated_password_notice};
use hamkor_api::config::Settings;
use hamkor_api::seed;
use hamkor_api::state::AppState;
use hamkor_api::territory::resolve::Place;
use hamkor_api::user::entity::Role;
use hamkor_api::{db, telemetry};
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, Iterable, QueryFilter};
use secrecy::SecretString;

use crate::build_schema;

#[derive(Parser)]
#[command(
    name = "hamkor",
    version,
    about = "Hamkor: one shared, audited case record for supervision agencies"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): migrates, creates the admin on first start, listens.
    Serve {
        /// Address to listen on (overrides HAMKOR_LISTEN).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations (and create the admin on an empty database).
    Migrate,
    /// Load reference or demo data.
    Seed(SeedArgs),
    /// Print the GraphQL schema (SDL) with every compiled-in module.
    ExportSchema {
        /// The SDL of the Apollo Federation v2 subgraph (`_service { sdl }`).
        #[arg(long)]
        federation: bool,
    },
    /// Administrative tasks on users.
    #[command(subcommand)]
    User(UserCommand),
    /// The learned risk model: train a draft, check the approved one for drift.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Simulate an electronic-monitoring tag: send its vendor's signed events to a
    /// running Hamkor (HTTPS door) or to the MQTT broker.
    #[cfg(feature = "electronic_monitoring")]
    EmSim(crate::em_sim::EmSimArgs),
}

#[derive(Args)]
struct SeedArgs {
    /// The national classifier of regions and districts (with SOATO codes).
    #[arg(long)]
    territories: bool,
    /// A small demo: one district with mahallas, organisations, users of each role, cases.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Train a new model (DRAFT) on the labelled cases and print its test figures; a
    /// platform admin approves it through GraphQL after reading its report.
    Train {
        /// The outcome definition's version (the newest when absent).
        #[arg(long)]
        outcome_version: Option<i32>,
        /// Share of the labelled cases, the newest, kept for the test.
        #[arg(long, default_value_t = 0.2)]
        test_share: f64,
        /// The L2 penalty.
        #[arg(long, default_value_t = 1.0)]
        alpha: f64,
    },
    /// Run the drift check of the approved model now.
    Drift,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is generated and printed unless --password-stdin.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// Exact name of the organisation.
        #[arg(long)]
        organisation: String,
        /// A role, e.g. PROBATION_OFFICER (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// A region or district SOATO code the user works in (repeatable).
        #[arg(long = "territory")]
        territories: Vec<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Run the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let telemetry = telemetry::init(&settings)?;
    let unknown = hamkor_api::config::env::unknown();
    if !unknown.is_empty() {
        // Once, by name only (a value may be a secret); an orchestrator's own variables
        // share the prefix, so they are no reason to stop.
        tracing::warn!(
            variables = %unknown.join(", "),
            "ignoring HAMKOR_* environment variables that are not settings"
        );
    }
    let outcome = command(cli, settings).await;
    // The exporter sends from a thread of its own and blocks until it is done.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    outcome
}

async fn command(cli: Cli, mut settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                settings.listen = listen;
            }
            serve(settings).await
        }
        Command::Migrate => {
            let st = open(settings, true).await?;
            announce(ensure_admin(&st).await?);
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Seed(args) => seed_cmd(settings, args).await,
        Command::Model(cmd) => model_cmd(settings, cmd).await,
        #[cfg(feature = "electronic_monitoring")]
        Command::EmSim(args) => crate::em_sim::run(args).await,
        Command::ExportSchema { federation } => {
            if federation {
                print!("{}", crate::subgraph_sdl());
            } else {
                print!("{}", crate::sdl());
            }
            Ok(())
        }
        Command::User(UserCommand::Create {
            username,
            display_name,
            organisation,
            roles,
            territories,
            password_stdin,
        }) => {
            let st = open(settings, true).await?;
            create_user(
                &st,
                username,
                display_name,
                organisation,
                roles,
                territories,
                password_stdin,
            )
            .await
        }
    }
}

async fn open(settings: Settings, migrate: bool) -> anyhow::Result<AppState> {
    let db = db::connect(&settings.database_url, settings.database_max_connections).await?;
    let modules = crate::modules::registry()?;
    if migrate {
        db::migrate(&db, &modules).await?;
    }
    AppState::new(db, settings, modules)
}

fn announce(outcome: Bootstrap) {
    match outcome {
        Bootstrap::AlreadyDone => {}
        Bootstrap::AdminCreated => {
            tracing::info!("created the platform admin `admin` with HAMKOR_ADMIN_PASSWORD")
        }
        Bootstrap::AdminCreatedWithPassword(p) => println!("{}", generated_password_notice(&p)),
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let auto_migrate = settings.auto_migrate;
    tracing::info!(database = %db::redact(&settings.database_url), "starting");
    let st = open(settings, auto_migrate).await?;
    announce(ensure_admin(&st).await?);
    let graphiql = st.settings.graphiql;
    let app = if st.settings.federation {
        let schema = crate::build_federated_schema(&st);
        Application::build(st, schema).await?
    } else {
        let schema = build_schema(&st);
        Application::build(st, schema).await?
    };
    let addr = app.local_addr();
    tracing::info!("GraphQL endpoint: http://{addr}/graphql");
    if let Some(metrics) = app.metrics_addr() {
        tracing::info!("metrics: http://{metrics}/metrics");
    }
    if graphiql {
        tracing::info!("GraphiQL: http://{addr}/graphiql");
    }
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

async fn seed_cmd(settings: Settings, args: SeedArgs) -> anyhow::Result<()> {
    if !args.territories && !args.demo {
        anyhow::bail!("say what to load: --territories and/or --demo");
    }
    let st = open(settings, true).await?;
    announce(ensure_admin(&st).await?);
    if args.territories {
        let loaded = seed::territories::load(&st.db).await?;
        println!(
            "territories: {} regions and {} districts added",
            loaded.regions, loaded.districts
        );
    }
    if args.demo {
        match seed::demo::load(&st).await? {
            seed::demo::DemoOutcome::AlreadyLoaded => println!("the demo is already loaded"),
            seed::demo::DemoOutcome::Loaded(users) => {
                println!(
                    "demo loaded; every demo user's password is {}",
                    seed::demo::DEMO_PASSWORD
                );
                for u in users {
                    println!(
                        "  {:<22} {:<22} {}",
                        u.username,
                        u.role.to_value(),
                        u.organisation
                    );
                }
            }
        }
    }
    Ok(())
}

async fn model_cmd(settings: Settings, cmd: ModelCommand) -> anyhow::Result<()> {
    use hamkor_api::risk::model::{self, drift};
    let st = open(settings, true).await?;
    let api = |e: hamkor_api::error::ApiError| match e {
        hamkor_api::error::ApiError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}", other.message()),
    };
    match cmd {
        ModelCommand::Train {
            outcome_version,
            test_share,
            alpha,
        } => {
            let started = std::time::Instant::now();
            let o = model::TrainOptions {
                outcome_version,
                test_share,
                alpha,
                min_cell: st.settings.validation_min_cell_size,
            };
            let m = model::train(&st.db, &st.modules, None, o).await.map_err(api)?;
            let r = model::report_of(&m).map_err(api)?;
            let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
            println!(
                "model {} (id {}) trained as DRAFT in {:.1} s: {} training cases, {} test cases from {}",
                m.version,
                hamkor_api::ids::encode("RiskModel", m.id).0,
                started.elapsed().as_secs_f64(),
                m.train_cases,
                m.test_cases,
                r.test_from.date_naive()
            );
            println!(
                "test AUC {} (95% CI {} to {}), base rate {}",
                fmt(r.test.auc),
                fmt(r.test.auc_low),
                fmt(r.test.auc_high),
                fmt(r.test.base_rate)
            );
            println!("a platform admin approves it with approveRiskModel after reading its report");
        }
        ModelCommand::Drift => {
            let t = drift::Thresholds {
                psi: st.settings.risk_drift_psi,
                calibration: st.settings.risk_drift_calibration,
                min_cases: st.settings.validation_min_cell_size.max(100),
            };
            match drift::run(&st.db, &st.modules, t, hamkor_api::db::now())
                .await
                .map_err(api)?
            {
                None => println!("no approved model: nothing to check"),
                Some(row) => {
                    let r = drift::report(&row).map_err(api)?;
                    println!(
                        "model {}: {} cases assessed since {}; {}",
                        r.model_version,
                        r.cases,
                        r.since.date_naive(),
                        if r.drifted {
                            "DRIFTED (alert open)"
                        } else {
                            "no drift"
                        }
                    );
                    for f in r.features.iter().filter(|f| f.drifted) {
                        println!("  {}: PSI {:.3}", f.feature, f.psi);
                    }
                    if let Some(g) = r.calibration_gap {
                        println!("  calibration gap {g:.3} on {} labelled cases", r.labelled_cases);
                    }
                }
            }
        }
    }
    Ok(())
}

fn parse_role(s: &str) -> anyhow::Result<Role> {
    let wanted = s.trim().to_uppercase().replace('-', "_");
    Role::iter().find(|r| r.to_value() == wanted).with_context(|| {
        let all: Vec<String> = Role::iter().map(|r| r.to_value()).collect();
        format!("unknown role {s}; one of {}", all.join(", "))
    })
}

async fn create_user(
    st: &AppState,
    username: String,
    display_name: String,
    organisation: String,
    roles: Vec<String>,
    territories: Vec<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    use hamkor_api::organisation as org;
    use hamkor_api::territory::entity::{district, region};
    let roles = roles
        .iter()
        .map(|r| parse_role(r))
        .collect::<anyhow::Result<BTreeSet<_>>>()?;
    let org = org::Entity::find()
        .filter(org::entity::Column::Name.eq(organisation.as_str()))
        .one(&st.db)
        .await?
        .with_context(|| format!("no organisation named {organisation:?}"))?;
    let mut places = Vec::new();
    for code in &territories {
        if let Some(r) = region::Entity::find()
            .filter(region::Column::Soato.eq(code.as_str()))
            .one(&st.db)
            .await?
        {
            places.push(Place {
                region_id: Some(r.id),
                ..Default::default()
            });
        } else if let Some(d) = district::Entity::find()
            .filter(district::Column::Soato.eq(code.as_str()))
            .one(&st.db)
            .await?
        {
            places.push(Place {
                region_id: Some(d.region_id),
                district_id: Some(d.id),
                mahalla_id: None,
            });
        } else {
            anyhow::bail!("no region or district with SOATO code {code}");
        }
    }
    let (password, generated) = if password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        (
            SecretString::from(s.trim_end_matches(['\r', '\n']).to_owned()),
            false,
        )
    } else {
        (
            SecretString::from(hamkor_api::auth::password::random_token(18)),
            true,
        )
    };
    let new = hamkor_api::user::service::NewUser {
        organisation_id: org.id,
        username,
        display_name,
        password: password.clone(),
        roles,
        territories: places,
    };
    let user = hamkor_api::user::service::create(&st.db, &st.hasher, None, new)
        .await
        .map_err(|e| match e {
            hamkor_api::error::ApiError::Internal(cause) => cause,
            other => anyhow::anyhow!("{}", other.message()),
        })?;
    println!(
        "created user {} (id {})",
        user.username,
        hamkor_api::ids::encode("User", user.id).0
    );
    if generated {
        use secrecy::ExposeSecret;
        println!("password (shown once): {}", password.expose_secret());
    }
    Ok(())
}
