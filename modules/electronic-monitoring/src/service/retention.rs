//! Positions are kept for the retention period (90 days by default,
//! `HAMKOR_EM_RETENTION_DAYS`), then removed in bulk: an hourly sweep deletes fixes older
//! than that, in batches, on both databases (the `fix_at` index keeps it a range scan).
//! Quarantined events (which may hold positions) and dead letters go the same way.
//! Incidents stay with the case.

use std::time::Duration;

use chrono::Utc;
use hamkor_api::db::now;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use crate::entity::{dead_letter, position, quarantine};

const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Start the hourly sweep.
pub fn spawn(db: DatabaseConnection, days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            match sweep(&db, days, now()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "electronic monitoring: old positions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "electronic monitoring: retention sweep failed"),
            }
        }
    });
}

/// Remove what is older than `days` before `at`; returns the positions removed.
pub async fn sweep(db: &DatabaseConnection, days: u32, at: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    let cutoff = at - chrono::Duration::days(i64::from(days));
    let removed = position::Entity::delete_many()
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
    Ok(removed)
}
