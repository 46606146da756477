//! Delivering committed domain events to the modules' hooks.
//!
//! Each module keeps its own cursor in `modules.event_cursor`, so a hook sees every
//! event committed after the module was first installed, in order, even across
//! restarts. A replica runs a hook and then moves the cursor with a compare-and-set;
//! two replicas may both run a hook for the same event (at-least-once), so hooks are
//! idempotent. A failing hook is retried on the next tick and holds back that module's
//! later events, never another module's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entity::module;
use super::{EventContext, Registry};
use crate::events::entity as domain_event;
use crate::events::feed::{Cursor, latest_id};

const BATCH: u64 = 200;

/// Run the hooks of every module that declares event types, every `interval`, for ever.
pub async fn run(db: DatabaseConnection, registry: Registry, interval: Duration) {
    let listening: Vec<_> = registry
        .all()
        .filter(|m| !m.event_types().is_empty())
        .cloned()
        .collect();
    if listening.is_empty() {
        // Nothing to do, but a worker that ended would make the process unready.
        return std::future::pending().await;
    }
    // Per module: the cursor a gap was first seen at, and when.
    let mut gaps: HashMap<&'static str, (i64, Option<Instant>)> = HashMap::new();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        for m in &listening {
            let gap = gaps.entry(m.id()).or_default();
            if let Err(e) = deliver(&db, m.as_ref(), gap).await {
                tracing::warn!(module = m.id(), error = %e, "module event hooks failed; retrying");
            }
        }
    }
}

/// The module's cursor, created at the newest event when the module is first seen (a
/// new module does not replay the platform's history).
async fn cursor_of(db: &DatabaseConnection, id: &str) -> Result<i64, DbErr> {
    if let Some(row) = module::Entity::find_by_id(id.to_owned()).one(db).await? {
        return Ok(row.event_cursor);
    }
    let start = latest_id(db).await?;
    module::Entity::insert(module::ActiveModel {
        id: Set(id.to_owned()),
        available: Set(true),
        event_cursor: Set(start),
        updated_at: Set(crate::db::now()),
        updated_by: Set(None),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(module::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map_or(start, |r| r.event_cursor))
}

async fn deliver(
    db: &DatabaseConnection,
    m: &dyn super::Module,
    gap: &mut (i64, Option<Instant>),
) -> anyhow::Result<()> {
    let start = cursor_of(db, m.id()).await?;
    // Another replica may have moved the cursor: a gap timer only counts for the
    // position it was started at.
    if gap.0 != start {
        *gap = (start, None);
    }
    let gap_since = &mut gap.1;
    let batch = domain_event::Entity::find()
        .filter(domain_event::Column::Id.gt(start))
        .order_by_asc(domain_event::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut cursor = Cursor::new(start, *gap_since);
    let ready = cursor.advance(batch, Instant::now());
    *gap_since = cursor.gap_since();
    let types = m.event_types();
    let ctx = EventContext { db };
    let mut done = start;
    let mut failure = None;
    for event in &ready {
        if types.contains(&event.event_type.as_str())
            && let Err(e) = tracing::Instrument::instrument(
                m.on_event(&ctx, event),
                crate::telemetry::event_span(m.id(), event),
            )
            .await
        {
            failure = Some(e.context(format!("event {}", event.id)));
            break;
        }
        done = event.id;
    }
    if done > start {
        // Compare-and-set: another replica may have moved the cursor meanwhile.
        module::Entity::update_many()
            .col_expr(module::Column::EventCursor, Expr::value(done))
            .filter(module::Column::Id.eq(m.id()))
            .filter(module::Column::EventCursor.eq(start))
            .exec(db)
            .await?;
    }
    failure.map_or(Ok(()), Err)
}
