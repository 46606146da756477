//! Plugin modules: the [`Module`] trait a module crate implements, the registry of the
//! compiled-in modules, per-organisation enablement (data, not a deploy) and the guards
//! that hide and refuse a module's schema for organisations that have it switched off.
//!
//! A module is a crate under `modules/` that depends on this crate, never the reverse.
//! The root package lists the compiled-in modules explicitly (each behind a cargo
//! feature); nothing here discovers modules at link time.

pub mod entity;
pub mod graphql;
pub mod guard;
pub mod hooks;
pub mod kit;
pub mod registry;
pub mod schema;
pub mod service;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use sea_orm_migration::MigrationTrait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use guard::{EnabledModules, ModuleGuard, is_enabled};
pub use registry::Registry;

use chrono::{DateTime, Utc};

use crate::access::events::EventAudience;
use crate::alert::rules::EventRule;
use crate::analytics::service::AnalyticsLevel;
use crate::events::entity::Model as DomainEvent;
use crate::risk::instrument::RiskFactor;
pub use crate::risk::model::features::{FeatureSql, ModuleFeature};
use crate::state::AppState;
use crate::sync::source::SyncSource;
use crate::user::entity::Role;

/// A boxed future, as the object-safe hooks of [`Module`] return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A kind of referral that a module handles (an employment-centre referral, say).
#[derive(Debug, Clone)]
pub struct ReferralKind {
    /// Stable code, unique across modules (`employment.job_search`).
    pub code: &'static str,
    /// Human-readable name.
    pub name: &'static str,
    pub description: &'static str,
    /// Hours the recipient has to accept or decline once the referral is sent.
    pub first_response_hours: u32,
}

/// A permission a module defines, and the roles that hold it by default.
#[derive(Debug, Clone)]
pub struct Permission {
    /// Stable code, prefixed with the module id (`employment.manage_vacancies`).
    pub code: &'static str,
    pub description: &'static str,
    pub roles: &'static [Role],
}

/// A per-organisation configuration that a module refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

/// One figure a module contributes to a territory's row of the analytics dashboards
/// ([`Module::territory_figures`]): `TerritoryFigures.moduleFigures`, keyed by module id
/// and `key`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleFigure {
    /// The region, district or mahalla of the row (at the dashboard's level).
    pub territory_id: i64,
    /// Stable name of the figure (`trained_share`).
    pub key: &'static str,
    pub value: f64,
}

/// What an event hook may use.
pub struct EventContext<'a> {
    pub db: &'a DatabaseConnection,
}

/// What a module's HTTP routes and background tasks may use: the application state
/// (database, settings, the registry of modules).
pub struct HostContext<'a> {
    pub app: &'a crate::state::AppState,
}

/// A compiled-in module. Every method but the identity has a default that does nothing,
/// so a module implements only what it brings.
pub trait Module: Send + Sync + 'static {
    /// Stable identifier: lower case, `[a-z][a-z0-9_]*` (`employment`, `psych_support`).
    /// It names the GraphQL namespace, the permissions and the enablement rows.
    fn id(&self) -> &'static str;
    fn name(&self) -> &'static str;
    /// The module's version (usually `env!("CARGO_PKG_VERSION")`).
    fn version(&self) -> &'static str;
    fn description(&self) -> &'static str;

    /// The module's own migrations. Their names must be unique across the platform:
    /// `mYYYYMMDD_NNNNNN_<module id>_what`. They run in one ordered migrator with the
    /// core's (sorted by name).
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }

    /// Referral kinds the module handles; a referral of one of these kinds may only go
    /// to an organisation that has the module enabled.
    fn referral_kinds(&self) -> Vec<ReferralKind> {
        Vec::new()
    }

    /// Permissions the module defines.
    fn permissions(&self) -> Vec<Permission> {
        Vec::new()
    }

    /// Check an organisation's configuration and return it normalised (defaults filled
    /// in). The default accepts only an empty object. Implement it with
    /// [`parse_config`] over a `#[serde(deny_unknown_fields)]` struct.
    fn validate_config(&self, config: &Json) -> Result<Json, ConfigError> {
        parse_config::<NoConfig>(config)
    }

    /// The configuration of an organisation that enabled the module without one.
    fn default_config(&self) -> Json {
        Json::Object(Default::default())
    }

    /// Check the module-specific payload of a referral of `kind` and return it
    /// normalised. The default accepts an empty object only.
    fn validate_referral_payload(&self, kind: &str, payload: &Json) -> Result<Json, ConfigError> {
        let _ = kind;
        parse_config::<NoConfig>(payload)
    }

    /// Domain event types (`referral.status_changed`, …) the module reacts to.
    fn event_types(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// The audience of every event type the module emits (see
    /// [`crate::access::events`]): which part of a case it reveals, which payload keys
    /// need more. An event type without one reaches no one through a case.
    fn event_audiences(&self) -> Vec<EventAudience> {
        Vec::new()
    }

    /// React to a committed domain event of one of [`Module::event_types`]. Hooks run
    /// after the change committed, in event order, at least once: make them idempotent.
    fn on_event<'a>(
        &'a self,
        ctx: &'a EventContext<'a>,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        let _ = (ctx, event);
        Box::pin(async { Ok(()) })
    }

    /// Record kinds the module syncs to field devices (offline field work): each is
    /// pulled and pushed like the core's kinds, within what the caller's reads show, and
    /// only for callers whose organisation has the module enabled.
    fn sync_sources(&self) -> Vec<Arc<dyn SyncSource>> {
        Vec::new()
    }

    /// Early-warning rules over the module's own events. The core evaluates them like
    /// its own; organisations configure them by id in `alertRules`.
    fn alert_rules(&self) -> Vec<EventRule> {
        Vec::new()
    }

    /// HTTP routes of the module's own, beside `/graphql` (a device feed, a callback),
    /// mounted on the server's router with its layers (request ids, timeouts, CORS).
    /// Paths start with `/<something of the module's>/`; a route that collides with
    /// another's fails at start-up. Each handler authenticates its callers itself.
    fn routes(&self, host: &HostContext<'_>) -> Option<axum::Router> {
        let _ = host;
        None
    }

    /// Start the module's background tasks (a subscriber to a broker, a sweep), once,
    /// when the server starts. A task that needs configuration the deployment does not
    /// give stays off: `hamkor serve` must run with nothing else installed.
    fn start(&self, host: &HostContext<'_>) -> anyhow::Result<()> {
        let _ = host;
        Ok(())
    }

    /// Whether the analytics dashboards count the module's referrals (an entry of
    /// `TerritoryFigures.moduleReferrals`, and the CSV columns `<id>_referrals` and
    /// `<id>_completed`).
    fn counts_referrals(&self) -> bool {
        false
    }

    /// The dynamic needs of the risk instrument that the module's referral kinds serve:
    /// when one scores high with no plan goal for it, the plan-gap alert suggests the
    /// module's first referral kind (if an organisation has the module enabled).
    fn needs_served(&self) -> Vec<RiskFactor> {
        Vec::new()
    }

    /// Features the module's records give the learned risk model (monitoring incidents,
    /// expired check-ins, …): each a scalar SQL expression over one assessment, read in
    /// the same statement as the core's features. The core adds `<module>.enabled` and
    /// zeroes them where the case's organisation has the module off
    /// (`risk::model::features`).
    fn risk_features(&self) -> Vec<ModuleFeature> {
        Vec::new()
    }

    /// The GraphQL fields a supervised person (`UserKind::SupervisedPerson`) may call,
    /// as `Root.namespace.field` paths (`"Query.remoteCheckIn.me"`), or `Root.field` for
    /// a whole root field. Everything else is refused to them with FORBIDDEN before it
    /// runs (`graphql::self_service`), so a field added later is closed by default.
    fn self_service_fields(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Contacts the person of `case_id` missed between `since` and `until` (inclusive)
    /// that the early-warning rules count like missed appointments: the times they were
    /// due. A module whose contacts can be missed (a remote check-in, say) gives them.
    fn missed_contacts<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseTransaction,
        case_id: i64,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<DateTime<Utc>>, sea_orm::DbErr>> {
        let _ = (db, case_id, since, until);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Time-based work of the module (reminders before something expires, say), run by
    /// the early-warning engine's periodic sweep as of `at`; returns how many things it
    /// raised. Make it idempotent: sweeps repeat, and replicas sweep alike.
    fn sweep<'a>(
        &'a self,
        ctx: &'a EventContext<'a>,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, anyhow::Result<usize>> {
        let _ = (ctx, at);
        Box::pin(async { Ok(0) })
    }

    /// Figures the module adds to the rows of an analytics dashboard at `level`, for the
    /// territories `units` (those the caller's dashboard has rows for): counted by the
    /// module in the database, shown in `TerritoryFigures.moduleFigures`.
    fn territory_figures<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        level: AnalyticsLevel,
        units: &'a [i64],
    ) -> BoxFuture<'a, anyhow::Result<Vec<ModuleFigure>>> {
        let _ = (db, level, units);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The module's part of the demo (`hamkor seed --demo`), loaded after the core's
    /// demo with every module enabled for its agencies. Load it through the module's
    /// services, and do nothing when it is already there.
    fn seed_demo<'a>(&'a self, st: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        let _ = st;
        Box::pin(async { Ok(()) })
    }
}

/// Configuration of a module that has none.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoConfig {}

/// Parse `raw` (JSON `null` counts as `{}`) into `C`, refusing unknown keys when `C` is
/// `deny_unknown_fields`, and return it re-serialised with its defaults.
pub fn parse_config<C: DeserializeOwned + Serialize>(raw: &Json) -> Result<Json, ConfigError> {
    let raw = if raw.is_null() {
        Json::Object(Default::default())
    } else {
        raw.clone()
    };
    let parsed: C = serde_json::from_value(raw).map_err(|e| ConfigError(e.to_string()))?;
    serde_json::to_value(parsed).map_err(|e| ConfigError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[serde(default = "three")]
        max: u32,
    }

    fn three() -> u32 {
        3
    }

    #[test]
    fn config_defaults_are_filled_in() {
        assert_eq!(parse_config::<Sample>(&json!({})), Ok(json!({"max": 3})));
        assert_eq!(parse_config::<Sample>(&Json::Null), Ok(json!({"max": 3})));
    }

    #[test]
    fn unknown_config_keys_are_refused() {
        let err = parse_config::<Sample>(&json!({"max": 2, "colour": "red"})).expect_err("refused");
        assert!(err.0.contains("colour"), "{err:?}");
    }

    #[test]
    fn a_module_without_config_accepts_only_an_empty_object() {
        assert!(parse_config::<NoConfig>(&json!({})).is_ok());
        assert!(parse_config::<NoConfig>(&json!({"x": 1})).is_err());
    }
}
