//! Typed, layered settings: built-in defaults → optional `hamkor.toml` → environment.
//!
//! Every key can be set in the TOML file under the same name, or as an environment
//! variable `HAMKOR_<KEY>` (upper case). `DATABASE_URL` is also honoured, as most
//! tooling expects it; `HAMKOR_DATABASE_URL` wins when both are set. Secrets are
//! `SecretString`s: they are never printed by `Debug` and never logged.
//!
//! An unknown key in the file is an error (a typo); an unknown `HAMKOR_*` variable in
//! the environment is only reported ([`env::unknown`]): orchestrators add their own.

pub mod env;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// All of Hamkor's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// Upper bound of the database connection pool.
    pub database_max_connections: u32,
    /// Apply pending migrations when the server starts.
    pub auto_migrate: bool,

    /// HMAC key signing access tokens (at least 32 bytes). Prefer `jwt_secret_file` or the
    /// environment. When neither is set, a key is generated once and kept in
    /// `jwt_secret_file` (default `.hamkor-jwt-secret` beside the working directory).
    #[serde(skip_serializing)]
    pub jwt_secret: Option<SecretString>,
    /// File holding the signing key (created with a random key if missing).
    pub jwt_secret_file: PathBuf,
    /// `iss` claim of issued tokens, checked on every request.
    pub jwt_issuer: String,
    /// `aud` claim of issued tokens, checked on every request.
    pub jwt_audience: String,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token (and of the login session), in seconds.
    pub refresh_token_ttl_secs: u64,

    /// Password of the platform admin created on first start. When unset, one is
    /// generated and printed once.
    #[serde(skip_serializing)]
    pub admin_password: Option<SecretString>,

    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id number of passes.
    pub argon2_iterations: u32,

    /// Failed sign-ins naming an account (from any address) within `login_window_secs`
    /// after which addresses the account does not usually sign in from are slowed to one
    /// attempt per `login_account_interval_secs` (never locked out).
    pub login_max_failures_per_account: u32,
    /// Seconds a stranger's address waits after the last failure naming a slowed account.
    pub login_account_interval_secs: u64,
    /// Failed sign-ins from one client address (for any account) within
    /// `login_window_secs` after which that address is refused until the oldest ages out.
    pub login_max_failures_per_address: u32,
    /// Failed sign-ins of one account from one address that are free of delay; each
    /// further one doubles the wait, from `login_backoff_base_secs` up to the window.
    pub login_free_failures: u32,
    /// The first wait of the exponential backoff, in seconds.
    pub login_backoff_base_secs: u64,
    /// How long failed sign-ins count, in seconds.
    pub login_window_secs: u64,

    /// Origins allowed by CORS (comma-separated in the environment). Empty: no
    /// cross-origin access. `*` allows any origin (without credentials).
    #[serde(deserialize_with = "string_or_list")]
    pub cors_origins: Vec<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Serve GraphiQL at `/graphiql`.
    pub graphiql: bool,
    /// Answer introspection queries.
    pub introspection: bool,
    /// Seconds a WebSocket client has to send `connection_init` after the upgrade.
    pub websocket_init_timeout_secs: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Time allowed for one HTTP request, in seconds.
    pub request_timeout_secs: u64,
    /// How often the outbox is polled for new events (subscriptions, module hooks), in
    /// milliseconds.
    pub event_poll_interval_ms: u64,

    /// Deepest selection nesting accepted in an operation.
    pub max_query_depth: usize,
    /// Highest computed complexity accepted for an operation.
    pub max_query_complexity: usize,
    /// Most aliases accepted in one operation.
    pub max_aliases: usize,
    /// Largest page a connection returns (`first` above it is refused).
    pub max_page_size: u64,
    /// Fewest cases a published validation figure may be computed from (smaller cells
    /// are suppressed, so that no one person can be singled out).
    pub validation_min_cell_size: u64,
    /// The learned risk model's drift check: a feature whose population stability index
    /// between the training cases and the cases assessed since exceeds this has drifted.
    pub risk_drift_psi: f64,
    /// The drift check's calibration gap: |mean score − observed rate| on the newly
    /// labelled cases beyond this is drift.
    pub risk_drift_calibration: f64,

    /// Non-public addresses (loopback, private, link-local) that webhook endpoints may
    /// nevertheless resolve to (comma-separated in the environment). Empty: public
    /// addresses only.
    #[serde(deserialize_with = "addresses")]
    pub webhook_allowed_addresses: Vec<IpAddr>,
    /// Time allowed for one webhook attempt (connect, send, read), in seconds.
    pub webhook_timeout_secs: u64,
    /// Delay before the first retry of a failed webhook, in milliseconds; it doubles
    /// with every attempt (with jitter) up to `webhook_retry_max_delay_secs`.
    pub webhook_retry_base_ms: u64,
    /// Longest delay between two attempts of a webhook, in seconds.
    pub webhook_retry_max_delay_secs: u64,
    /// How long a webhook is retried before it is given up, in seconds.
    pub webhook_retry_window_secs: u64,
    /// Run the webhook dispatcher and senders in this process.
    pub webhook_workers: bool,
    /// A PEM file of certificate authorities trusted for `https` webhook endpoints
    /// besides the system's (a partner's private CA), for every endpoint. None: the
    /// system's only (or the bundled Mozilla set, on a machine without any).
    pub webhook_ca_file: Option<PathBuf>,

    /// A manifest of trusted documents (hash → document, in Apollo's or The Guild's
    /// format). None: any document runs.
    pub trusted_documents: Option<PathBuf>,
    /// What happens to a document outside the manifest: `log` or `enforce`.
    pub trusted_documents_mode: crate::trusted_documents::TrustMode,

    /// Address of the metrics listener (`GET /metrics`, Prometheus text format). None:
    /// no metrics are served. Keep it off the public network.
    pub metrics_listen: Option<SocketAddr>,

    /// Base URL of an OpenTelemetry collector's OTLP/HTTP endpoint (e.g.
    /// `http://collector:4318`; `/v1/traces` is added to a URL without a path). None:
    /// spans are not exported.
    pub otlp_endpoint: Option<String>,

    /// Serve Hamkor as an Apollo Federation v2 subgraph (`_service`, `_entities`).
    pub federation: bool,

    /// Log format.
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax (`RUST_LOG` overrides it).
    pub log_filter: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://hamkor.db?mode=rwc".to_owned(),
            database_max_connections: 10,
            auto_migrate: true,
            jwt_secret: None,
            jwt_secret_file: PathBuf::from(".hamkor-jwt-secret"),
            jwt_issuer: "hamkor".to_owned(),
            jwt_audience: "hamkor-api".to_owned(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            admin_password: None,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            login_max_failures_per_account: 10,
            login_account_interval_secs: 30,
            login_max_failures_per_address: 50,
            login_free_failures: 3,
            login_backoff_base_secs: 2,
            login_window_secs: 15 * 60,
            cors_origins: Vec::new(),
            max_body_bytes: 256 * 1024,
            graphiql: true,
            introspection: true,
            websocket_init_timeout_secs: 10,
            trust_forwarded_for: false,
            request_timeout_secs: 30,
            event_poll_interval_ms: 250,
            max_query_depth: 12,
            max_query_complexity: 5_000,
            max_aliases: 30,
            max_page_size: 100,
            validation_min_cell_size: 10,
            risk_drift_psi: 0.25,
            risk_drift_calibration: 0.10,
            webhook_allowed_addresses: Vec::new(),
            webhook_timeout_secs: 10,
            webhook_retry_base_ms: 5_000,
            webhook_retry_max_delay_secs: 3600,
            webhook_retry_window_secs: 3 * 24 * 3600,
            webhook_workers: true,
            webhook_ca_file: None,
            trusted_documents: None,
            trusted_documents_mode: crate::trusted_documents::TrustMode::Enforce,
            metrics_listen: None,
            otlp_endpoint: None,
            federation: false,
            log_format: LogFormat::Pretty,
            log_filter: "info,sqlx=warn,sea_orm=warn".to_owned(),
        }
    }
}

/// Settings could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

/// `HAMKOR_*` environment variables read elsewhere than the core's settings: the test
/// harness's, and those of deployment-level parts a module runs (a broker to subscribe
/// to, a retention period), which the module reads itself.
pub const MODULE_ENV: &[&str] = &[
    "config",
    "test_database_url",
    "test_mqtt_url",
    "mqtt_url",
    "mqtt_client_id",
    "em_retention_days",
    "object_store_url",
    "object_store_dir",
    "sms_url",
    "sms_token",
    "test_s3_url",
];

impl Settings {
    /// Defaults, then `hamkor.toml` in the working directory (or the file named by
    /// `HAMKOR_CONFIG`), then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os("HAMKOR_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("hamkor.toml"));
        Self::load_from(&file)
    }

    /// Like [`Settings::load`] with an explicit TOML file (which may be absent).
    ///
    /// `HAMKOR_*` variables that are not settings of the core are ignored here (a
    /// module's, [`MODULE_ENV`], or an orchestrator's, [`env::unknown`]).
    pub fn load_from(file: &Path) -> Result<Self, ConfigError> {
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::raw().only(&["database_url"]))
            .merge(env::provider())
            .extract()
            .map_err(|e| ConfigError(one_line(&e.to_string())))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.access_token_ttl_secs == 0 || self.refresh_token_ttl_secs == 0 {
            return Err(ConfigError("token lifetimes must be positive".into()));
        }
        if self.max_page_size == 0 {
            return Err(ConfigError("max_page_size must be positive".into()));
        }
        if self.webhook_timeout_secs == 0 || self.webhook_retry_base_ms == 0 {
            return Err(ConfigError(
                "webhook timeout and retry delay must be positive".into(),
            ));
        }
        if self.argon2_memory_kib < 8 || self.argon2_iterations == 0 {
            return Err(ConfigError("argon2 cost is too low".into()));
        }
        if let Some(endpoint) = &self.otlp_endpoint {
            crate::telemetry::traces_url(endpoint).map_err(|e| ConfigError(e.to_string()))?;
        }
        Ok(())
    }
}

/// An error message on one line (figment's may span several).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let items = match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s.split(',').map(str::to_owned).collect(),
        OneOrMany::Many(v) => v,
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

fn addresses<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpAddr>, D::Error> {
    string_or_list(d)?
        .iter()
        .map(|s| s.parse().map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_listen_on_loopback_with_an_embedded_database() {
        let s = Settings::default();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert!(s.database_url.starts_with("sqlite://"));
    }

    #[test]
    fn the_example_settings_file_is_valid() {
        let file = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../hamkor.example.toml"));
        let s = Settings::load_from(file).expect("the example loads");
        assert_eq!(s.max_page_size, 100);
    }

    #[test]
    fn cors_origins_accept_a_comma_separated_string() {
        let v: Vec<String> =
            string_or_list(serde_json::Value::String(" https://a.uz, https://b.uz ,".into()))
                .expect("parses");
        assert_eq!(v, vec!["https://a.uz", "https://b.uz"]);
    }
}
