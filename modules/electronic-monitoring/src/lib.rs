//! Electronic monitoring: a vendor's tag feed comes in (MQTT or HTTPS, one pipeline), is
//! judged against the case's curfew and zones, and a breach, a tamper, a long signal
//! loss or a flat battery opens an incident that the early-warning rules turn into
//! alerts for the officer and the inspector. A person decides whether an incident
//! becomes a violation. Positions are the most sensitive data here: they never travel
//! in events or webhooks, only the supervising officer and inspector read them, and
//! every read is audited.

pub mod alerts;
pub mod config;
pub mod demo;
pub mod entity;
pub mod graphql;
pub mod ingest;
pub mod judge;
pub mod migration;
pub mod seed;
pub mod service;
pub mod sim;

use async_graphql::Context;
use chrono::{DateTime, Utc};
use hamkor_api::access::CaseField;
use hamkor_api::access::events::EventAudience;
use hamkor_api::alert::rules::EventRule;
use hamkor_api::module::{
    BoxFuture, ConfigError, EventContext, HostContext, Module, ModuleFeature, Permission, is_enabled,
    parse_config,
};
use hamkor_api::state::AppState;
use hamkor_api::user::entity::Role;
use sea_orm_migration::MigrationTrait;
use serde_json::Value as Json;

pub use graphql::{ElectronicMonitoringMutationRoot, ElectronicMonitoringQueryRoot};

/// The module id: GraphQL namespace `electronicMonitoring`, permissions, enablement rows.
pub const ID: &str = "electronic_monitoring";

/// Whether the caller's organisation has the module enabled (its schema is hidden otherwise).
pub fn em_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// The electronic-monitoring module.
pub struct ElectronicMonitoring;

impl Module for ElectronicMonitoring {
    /// Incidents (breach, tamper, signal loss, flat battery) that began in the 90 days
    /// before the assessment.
    fn risk_features(&self) -> Vec<ModuleFeature> {
        vec![ModuleFeature {
            name: "incidents_90d",
            label: "monitoring incidents in the 90 days before the assessment",
            sql: |q| {
                format!(
                    "(SELECT COUNT(*) FROM em_incidents i WHERE i.case_id = ia.case_id AND {})",
                    q.in_window("i.first_at")
                )
            },
        }]
    }

    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Electronic monitoring"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn description(&self) -> &'static str {
        "Tag feeds over MQTT and HTTPS judged against curfews and zones; incidents that officers confirm as violations"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(migration::CreateTables),
            Box::new(migration::AddSilence),
            Box::new(migration::PartitionPositions),
        ]
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![
            Permission {
                code: "electronic_monitoring.vendors",
                description: "Register equipment vendors and read the quarantine and dead letters",
                roles: &[Role::PlatformAdmin],
            },
            Permission {
                code: "electronic_monitoring.fit",
                description: "Register devices, fit them to cases and remove them; decide incidents",
                roles: &[Role::ProbationOfficer, Role::OrgAdmin],
            },
        ]
    }
    fn validate_config(&self, config: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<config::Config>(config)?;
        config::Config::check(&parsed)?;
        Ok(parsed)
    }
    fn default_config(&self) -> Json {
        serde_json::to_value(config::Config::default()).unwrap_or(Json::Null)
    }
    /// Incidents reveal the monitoring part of a case (supervising agencies only); the
    /// payloads carry ids, kinds, severities and times, never a position. Vendor and
    /// device changes are administration.
    fn event_audiences(&self) -> Vec<EventAudience> {
        vec![
            EventAudience::field("electronic_monitoring.incident_opened", CaseField::Monitoring),
            EventAudience::field(
                "electronic_monitoring.incident_acknowledged",
                CaseField::Monitoring,
            ),
            EventAudience::field("electronic_monitoring.incident_closed", CaseField::Monitoring),
            EventAudience::field("electronic_monitoring.device_fitted", CaseField::Monitoring),
            EventAudience::field("electronic_monitoring.device_removed", CaseField::Monitoring),
            EventAudience::administration("electronic_monitoring.vendor_registered"),
            EventAudience::administration("electronic_monitoring.device_registered"),
        ]
    }
    fn alert_rules(&self) -> Vec<EventRule> {
        alerts::rules()
    }
    /// A device silent for longer than its organisation allows opens a SIGNAL_LOSS
    /// incident, once per gap ([`service::silence`]).
    fn sweep<'a>(
        &'a self,
        ctx: &'a EventContext<'a>,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, anyhow::Result<usize>> {
        Box::pin(service::silence::sweep(ctx.db, at))
    }
    fn seed_demo<'a>(&'a self, st: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(st))
    }
    fn routes(&self, host: &HostContext<'_>) -> Option<axum::Router> {
        Some(ingest::https::routes(host.app.clone()))
    }
    fn start(&self, host: &HostContext<'_>) -> anyhow::Result<()> {
        let workers = &host.app.lifecycle;
        workers.spawn(
            "em_retention",
            service::retention::run(host.app.db.clone(), config::retention_days_from_env()?),
        );
        if let Some(mqtt) = config::MqttSettings::from_env()? {
            workers.spawn("em_mqtt", ingest::mqtt::run(host.app.clone(), mqtt));
        }
        Ok(())
    }
}
