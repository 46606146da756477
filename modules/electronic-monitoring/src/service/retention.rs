//! Positions are kept for the retention period (90 days by default,
//! `HAMKOR_EM_RETENTION_DAYS`), then removed in bulk by an hourly sweep. On PostgreSQL
//! the positions table is partitioned by day ([`super::partitions`]): the sweep keeps
//! the coming days' partitions ready and drops the days past retention whole, then
//! deletes what is left before the cutoff (partition pruning keeps that to the cutoff's
//! own day and the default partition). On SQLite it is the same bulk `DELETE` by the
//! `fix_at` index. Quarantined events (which may hold positions) and dead letters go the
//! same way. Incidents stay with the case.

use std::time::Duration;

use chrono::Utc;
use hamkor_api::db::now;
use sea_orm::{ColumnTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::partitions;
use crate::entity::{dead_letter, position, quarantine};

const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// The hourly sweep, for ever (its first pass at once).
pub async fn run(db: DatabaseConnection, days: u32) {
    {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            match sweep(&db, days, now()).await {
                Ok(r) if r != Removed::default() => tracing::info!(
                    positions = r.positions,
                    partitions_dropped = r.partitions_dropped,
                    partitions_created = r.partitions_created,
                    "electronic monitoring: retention sweep"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "electronic monitoring: retention sweep failed"),
            }
        }
    }
}

/// What a sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// Positions deleted row by row (the rest of the cutoff's day on PostgreSQL).
    pub positions: u64,
    /// Whole days of positions dropped (PostgreSQL).
    pub partitions_dropped: usize,
    /// Days of partitions made ready ahead (PostgreSQL).
    pub partitions_created: usize,
}

/// Remove what is older than `days` before `at`.
pub async fn sweep(db: &DatabaseConnection, days: u32, at: chrono::DateTime<Utc>) -> Result<Removed, DbErr> {
    let cutoff = at - chrono::Duration::days(i64::from(days));
    let mut out = Removed::default();
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let m = partitions::maintain(db, at, cutoff).await?;
        out.partitions_created = m.created;
        out.partitions_dropped = m.dropped;
    }
    out.positions = position::Entity::delete_many()
        .filter(position::Column::FixAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected;
    quarantine::Entity::delete_many()
        .filter(quarantine::Column::ReceivedAt.lt(cutoff))
        .exec(db)
        .await?;
    dead_letter::Entity::delete_many()
        .filter(dead_letter::Column::ReceivedAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(out)
}
