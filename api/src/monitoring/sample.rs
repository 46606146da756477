//! Figures read when Prometheus scrapes: the database pool, each outbox consumer's lag,
//! and the webhook queue. Each is a handful of indexed reads.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::names;
use crate::alert::entity::consumer;
use crate::events::entity as domain_event;
use crate::events::feed::latest_id;
use crate::module::entity::module;
use crate::state::AppState;
use crate::webhook::entity::{DeliveryStatus, delivery, dispatch};

/// Read every sampled figure into its gauge.
pub async fn record(app: &AppState) -> Result<(), DbErr> {
    pool(&app.db);
    metrics::gauge!(names::SUBSCRIPTIONS_OPEN).set(super::operations::open_subscriptions() as f64);
    for lag in outbox_lag(app).await? {
        metrics::gauge!(names::OUTBOX_LAG_EVENTS, "consumer" => lag.consumer.clone()).set(lag.events as f64);
        metrics::gauge!(names::OUTBOX_LAG_SECONDS, "consumer" => lag.consumer).set(lag.seconds);
    }
    let queue = webhook_queue(&app.db).await?;
    metrics::gauge!(names::WEBHOOK_QUEUE_DEPTH).set(queue.depth as f64);
    metrics::gauge!(names::WEBHOOK_OLDEST_PENDING).set(queue.oldest_secs);
    Ok(())
}

/// Connections of the pool in use and idle, and its bound.
fn pool(db: &DatabaseConnection) {
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        DatabaseBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => return,
    };
    let idle = idle as f64;
    metrics::gauge!(names::DB_POOL_CONNECTIONS, "state" => "in_use").set((f64::from(size) - idle).max(0.0));
    metrics::gauge!(names::DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
    metrics::gauge!(names::DB_POOL_MAX).set(f64::from(max));
}

/// How far one outbox consumer is behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Lag {
    /// `early_warning`, `webhooks`, `module:<id>` (names fixed in the code: a bounded set).
    pub consumer: String,
    /// Events committed after the consumer's position.
    pub events: i64,
    /// Age of the first of them (0 when there is none).
    pub seconds: f64,
}

/// The lag of every persisted outbox consumer: the early-warning rules (and any other
/// consumer in `event_consumers`), the webhook dispatcher, and each module with event
/// hooks. (Subscriptions read the outbox in memory on each replica and keep no cursor.)
pub async fn outbox_lag(app: &AppState) -> Result<Vec<Lag>, DbErr> {
    let db = &app.db;
    let mut positions: Vec<(String, i64)> = consumer::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.name, c.position))
        .collect();
    positions.extend(
        dispatch::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.name, d.event_cursor)),
    );
    let listening: Vec<&'static str> = app
        .modules
        .all()
        .filter(|m| !m.event_types().is_empty())
        .map(|m| m.id())
        .collect();
    if !listening.is_empty() {
        positions.extend(
            module::Entity::find()
                .filter(module::Column::Id.is_in(listening))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (format!("module:{}", m.id), m.event_cursor)),
        );
    }
    let latest = latest_id(db).await?;
    let now = Utc::now();
    let mut out = Vec::with_capacity(positions.len());
    for (consumer, position) in positions {
        let events = (latest - position).max(0);
        let seconds = if events == 0 {
            0.0
        } else {
            domain_event::Entity::find()
                .select_only()
                .column(domain_event::Column::OccurredAt)
                .filter(domain_event::Column::Id.gt(position))
                .order_by_asc(domain_event::Column::Id)
                .into_tuple::<chrono::DateTime<Utc>>()
                .one(db)
                .await?
                .map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0)
        };
        out.push(Lag {
            consumer,
            events,
            seconds,
        });
    }
    Ok(out)
}

/// The webhook deliveries waiting for an attempt.
pub struct Queue {
    pub depth: u64,
    /// Age of the oldest, in seconds (0 when there is none).
    pub oldest_secs: f64,
}

/// Pending deliveries (on the index of due rows, by status).
pub async fn webhook_queue(db: &DatabaseConnection) -> Result<Queue, DbErr> {
    let pending = || delivery::Entity::find().filter(delivery::Column::Status.eq(DeliveryStatus::Pending));
    let depth = pending().count(db).await?;
    let oldest = if depth == 0 {
        None
    } else {
        pending()
            .select_only()
            .column(delivery::Column::CreatedAt)
            .order_by_asc(delivery::Column::CreatedAt)
            .into_tuple::<chrono::DateTime<Utc>>()
            .one(db)
            .await?
    };
    let oldest_secs = oldest.map_or(0.0, |at| {
        (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    Ok(Queue { depth, oldest_secs })
}
