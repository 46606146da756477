//! What every request shares: the database pool, settings and keys.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::config::Settings;

/// Application state, attached to the GraphQL schema and the HTTP router.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
}

impl AppState {
    pub fn new(db: DatabaseConnection, settings: Settings) -> anyhow::Result<Self> {
        let jwt = JwtKeys::from_settings(&settings)?;
        let hasher = PasswordHasher::new(settings.argon2_memory_kib, settings.argon2_iterations)?;
        Ok(Self {
            db,
            settings: Arc::new(settings),
            jwt,
            hasher,
        })
    }
}
