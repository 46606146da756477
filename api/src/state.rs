//! What every request shares: the database pool, settings and keys.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::events::feed::EventFeed;
use crate::module::Registry;
use crate::trusted_documents::TrustedDocuments;

/// Application state, attached to the GraphQL schema and the HTTP router.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
    /// The compiled-in modules.
    pub modules: Registry,
    /// Committed domain events, as the outbox poller reads them (for subscriptions).
    pub feed: EventFeed,
    /// The trusted documents, when a manifest is configured.
    pub trusted: Option<Arc<TrustedDocuments>>,
    /// Background workers and shutdown.
    pub lifecycle: crate::lifecycle::Lifecycle,
}

impl AppState {
    pub fn new(db: DatabaseConnection, settings: Settings, modules: Registry) -> anyhow::Result<Self> {
        let jwt = JwtKeys::from_settings(&settings)?;
        let hasher = PasswordHasher::new(settings.argon2_memory_kib, settings.argon2_iterations)?;
        let trusted = match &settings.trusted_documents {
            Some(path) => {
                let docs = TrustedDocuments::load(path, settings.trusted_documents_mode)?;
                crate::monitoring::operations::trust_names(docs.operation_names());
                tracing::info!(documents = docs.len(), mode = ?docs.mode(), "trusted documents loaded");
                Some(Arc::new(docs))
            }
            None => None,
        };
        Ok(Self {
            db,
            settings: Arc::new(settings),
            jwt,
            hasher,
            modules,
            feed: EventFeed::default(),
            trusted,
            lifecycle: Default::default(),
        })
    }
}
