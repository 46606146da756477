//! Partner webhooks: endpoints per organisation, signed (Standard Webhooks) and
//! delivered at-least-once from the transactional outbox, with retries (`retry.rs`), a
//! delivery log and manual redelivery.

pub mod dispatch;
pub mod entity;
pub mod graphql;
pub mod message;
pub mod retry;
pub mod sender;
pub mod service;
pub mod signature;
pub mod ssrf;
pub mod tls;

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::config::Settings;

/// Start the dispatcher and the sender of this replica (every replica may run both).
pub fn spawn_workers(
    lifecycle: &crate::lifecycle::Lifecycle,
    db: &DatabaseConnection,
    settings: &Settings,
    interval: Duration,
) -> anyhow::Result<()> {
    let sender = sender::Sender::new(db.clone(), settings)?;
    lifecycle.spawn(
        "webhook_dispatch",
        dispatch::run(db.clone(), retry::retry_window(settings), interval),
    );
    lifecycle.spawn("webhook_sender", sender::run(sender, interval));
    Ok(())
}
