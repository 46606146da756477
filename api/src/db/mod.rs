//! Database connection and migrations, for SQLite and PostgreSQL alike.

use std::time::Duration;

use anyhow::Context;
use sea_orm_migration::MigratorTraitSelf;

use crate::module::Registry;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

/// Open a connection pool. SQLite files are created when missing and opened in WAL mode
/// with a busy timeout and foreign keys enforced.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    connect_with_schema(url, max_connections, None).await
}

/// Like [`connect`], with a PostgreSQL schema put first on the search path (tests use one
/// fresh schema each).
pub async fn connect_with_schema(
    url: &str,
    max_connections: u32,
    schema: Option<&str>,
) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    if let Some(schema) = schema {
        opts.set_schema_search_path(schema.to_owned());
    }
    let db = Database::connect(opts)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    match db.get_database_backend() {
        DatabaseBackend::Sqlite | DatabaseBackend::Postgres => Ok(db),
        other => anyhow::bail!("unsupported database backend {other:?}"),
    }
}

/// Apply every pending migration of the core and the compiled-in modules.
pub async fn migrate(db: &DatabaseConnection, modules: &Registry) -> anyhow::Result<()> {
    modules
        .migrator()
        .up(db, None)
        .await
        .context("applying migrations")
}

/// Whether the database answers and every migration is applied (for `/readyz`).
pub async fn ready(db: &DatabaseConnection, modules: &Registry) -> anyhow::Result<()> {
    db.execute_unprepared("SELECT 1").await.context("database ping")?;
    let pending = modules
        .migrator()
        .get_pending_migrations_read_only(db)
        .await
        .context("reading migration status")?;
    if pending.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} migrations pending", pending.len())
    }
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end && url[scheme_end + 3..at].contains(':') => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Begin a write transaction. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing
/// when its read lock cannot be upgraded.
pub async fn write_txn(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The current time at the precision both databases keep (microseconds), so a value
/// reads back equal to what was written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_logged() {
        assert_eq!(
            redact("postgres://hamkor:s3cret@db:5432/hamkor"),
            "postgres://hamkor:***@db:5432/hamkor"
        );
        assert_eq!(
            redact("sqlite://hamkor.db?mode=rwc"),
            "sqlite://hamkor.db?mode=rwc"
        );
    }
}
