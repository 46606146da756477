//! A minimal module, compiled into the tests only, that proves the module host before
//! the real modules exist: its own table, a typed config, a referral kind with a
//! validated payload, namespaces on both roots, and an event hook.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject};
use hamkor_api::error::ApiError;
use hamkor_api::events::entity::Model as DomainEvent;
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::module::service::config_for;
use hamkor_api::module::{
    BoxFuture, ConfigError, EventContext, Module, ModuleGuard, Permission, ReferralKind, is_enabled,
    parse_config,
};
use hamkor_api::user::entity::Role;
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub const ID: &str = "probe";

pub struct Probe;

/// The probe's per-organisation configuration.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    #[serde(default = "default_greeting")]
    pub greeting: String,
    #[serde(default)]
    pub max_sessions: u32,
}

fn default_greeting() -> String {
    "salom".to_owned()
}

/// The probe's referral payload.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbePayload {
    sessions: u32,
}

impl Module for Probe {
    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Probe"
    }
    fn version(&self) -> &'static str {
        "0.1.0"
    }
    fn description(&self) -> &'static str {
        "A module that exists only in the tests"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateProbeTables)]
    }
    fn referral_kinds(&self) -> Vec<ReferralKind> {
        vec![ReferralKind {
            code: "probe.session",
            name: "Probe session",
            description: "A referral for probe sessions",
            first_response_hours: 48,
        }]
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![Permission {
            code: "probe.run",
            description: "Run probe sessions",
            roles: &[Role::PartnerStaff],
        }]
    }
    fn validate_config(&self, config: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<ProbeConfig>(config)?;
        if parsed["max_sessions"].as_u64().unwrap_or(0) > 50 {
            return Err(ConfigError("max_sessions: at most 50".into()));
        }
        Ok(parsed)
    }
    fn validate_referral_payload(&self, _kind: &str, payload: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<ProbePayload>(payload)?;
        if parsed["sessions"].as_u64().is_none_or(|n| n == 0 || n > 20) {
            return Err(ConfigError("sessions: between 1 and 20".into()));
        }
        Ok(parsed)
    }
    fn event_types(&self) -> Vec<&'static str> {
        vec!["referral.status_changed"]
    }
    fn on_event<'a>(
        &'a self,
        ctx: &'a EventContext<'a>,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let backend = ctx.db.get_database_backend();
            ctx.db
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    match backend {
                        sea_orm::DatabaseBackend::Postgres => {
                            "INSERT INTO probe_seen_events (event_id, event_type) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                        }
                        _ => "INSERT OR IGNORE INTO probe_seen_events (event_id, event_type) VALUES (?, ?)",
                    },
                    [event.id.into(), event.event_type.clone().into()],
                ))
                .await?;
            Ok(())
        })
    }
}

/// The module registry of the test server: everything compiled in, plus the probe.
pub fn registry() -> hamkor_api::module::Registry {
    let mut modules = hamkor::modules::compiled();
    modules.push(Arc::new(Probe));
    hamkor_api::module::Registry::new(modules).expect("registry")
}

struct CreateProbeTables;

impl MigrationName for CreateProbeTables {
    fn name(&self) -> &str {
        "m20261126_000001_probe_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateProbeTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("probe_seen_events"))
                    .col(
                        ColumnDef::new(Alias::new("event_id"))
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Alias::new("event_type")).string_len(64).not_null())
                    .take(),
            )
            .await
    }
}

fn probe_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// `Query.probe`.
#[derive(Default)]
pub struct ProbeQueryRoot;

#[Object]
impl ProbeQueryRoot {
    /// The probe module's queries.
    #[graphql(visible = "probe_visible", guard = "ModuleGuard::new(ID)")]
    async fn probe(&self) -> ProbeQuery {
        ProbeQuery
    }
}

pub struct ProbeQuery;

#[Object(visible = "probe_visible", guard = "ModuleGuard::new(ID)")]
impl ProbeQuery {
    /// The greeting configured by the caller's organisation.
    async fn greeting(&self, ctx: &Context<'_>) -> Result<String> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let config = config_for(&st.db, &st.modules, p.organisation_id, ID)
            .await?
            .ok_or_else(|| ApiError::ModuleDisabled(ID.into()))?;
        Ok(config["greeting"].as_str().unwrap_or_default().to_owned())
    }
    async fn settings(&self, ctx: &Context<'_>) -> Result<ProbeSettings> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let config = config_for(&st.db, &st.modules, p.organisation_id, ID)
            .await?
            .unwrap_or_default();
        Ok(ProbeSettings {
            max_sessions: config["max_sessions"].as_u64().unwrap_or_default() as i32,
        })
    }
}

#[derive(SimpleObject)]
#[graphql(visible = "probe_visible")]
pub struct ProbeSettings {
    pub max_sessions: i32,
}

/// `Mutation.probe`.
#[derive(Default)]
pub struct ProbeMutationRoot;

#[Object]
impl ProbeMutationRoot {
    #[graphql(visible = "probe_visible", guard = "ModuleGuard::new(ID)")]
    async fn probe(&self) -> ProbeMutation {
        ProbeMutation
    }
}

pub struct ProbeMutation;

#[Object(visible = "probe_visible", guard = "ModuleGuard::new(ID)")]
impl ProbeMutation {
    /// Echo a word (proves a module mutation is guarded like its queries).
    async fn echo(&self, word: String) -> String {
        word
    }
}
