//! Fanning committed domain events out into webhook deliveries.
//!
//! The dispatcher reads `domain_events` after its cursor (persisted in
//! `webhook_dispatch`), with the same gap patience as every other outbox reader, and
//! writes one `webhook_deliveries` row per matching active endpoint. The rows and the
//! moved cursor commit in one transaction, and the cursor moves by compare-and-set: a
//! restart resumes exactly where the last commit left off, and two replicas never fan
//! out the same batch twice (a losing replica rolls back; the unique (endpoint, event)
//! index is the second line of defence).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::entity::{DeliveryStatus, delivery, dispatch, endpoint};
use super::message::route;
use super::retry;
use crate::events::entity as domain_event;
use crate::events::feed::{Cursor, latest_id};

const NAME: &str = "webhooks";
const BATCH: u64 = 200;

/// Where the dispatcher stands, and since when it waits on a gap (kept between ticks).
#[derive(Debug, Default)]
pub struct GapState {
    at: i64,
    since: Option<Instant>,
}

/// The persisted cursor, created at the newest event on first start (webhooks do not
/// replay the platform's history).
async fn cursor_of(db: &DatabaseConnection) -> Result<i64, DbErr> {
    if let Some(row) = dispatch::Entity::find_by_id(NAME.to_owned()).one(db).await? {
        return Ok(row.event_cursor);
    }
    let start = latest_id(db).await?;
    dispatch::Entity::insert(dispatch::ActiveModel {
        name: Set(NAME.to_owned()),
        event_cursor: Set(start),
        updated_at: Set(crate::db::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(dispatch::Entity::find_by_id(NAME.to_owned())
        .one(db)
        .await?
        .map_or(start, |r| r.event_cursor))
}

/// Fan out the next batch of committed events; returns how many events it moved past.
pub async fn dispatch_once(
    db: &DatabaseConnection,
    gap: &mut GapState,
    retry_window: chrono::Duration,
) -> Result<usize, DbErr> {
    let start = cursor_of(db).await?;
    if gap.at != start {
        *gap = GapState {
            at: start,
            since: None,
        };
    }
    let batch = domain_event::Entity::find()
        .filter(domain_event::Column::Id.gt(start))
        .order_by_asc(domain_event::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut cursor = Cursor::new(start, gap.since);
    let ready = cursor.advance(batch, Instant::now());
    gap.since = cursor.gap_since();
    let Some(last) = ready.last().map(|e| e.id) else {
        return Ok(0);
    };
    let span = tracing::info_span!(
        "outbox",
        otel.name = "webhook-dispatch",
        otel.kind = "consumer",
        consumer = NAME,
        events = ready.len()
    );
    tracing::Instrument::instrument(fan_out(db, &ready, start, last, retry_window), span).await
}

/// Insert the deliveries of `ready` and move the cursor from `start` to `last`, in one
/// transaction; 0 when another replica moved it first.
async fn fan_out(
    db: &DatabaseConnection,
    ready: &[domain_event::Model],
    start: i64,
    last: i64,
    retry_window: chrono::Duration,
) -> Result<usize, DbErr> {
    let at = crate::db::now();
    let rows = deliveries(db, ready, retry::fresh(at, retry_window), at).await?;
    let consumed = ready.len();
    let txn = db.begin().await?;
    if !rows.is_empty() {
        delivery::Entity::insert_many(rows)
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?;
    }
    let moved = dispatch::Entity::update_many()
        .col_expr(dispatch::Column::EventCursor, Expr::value(last))
        .col_expr(dispatch::Column::UpdatedAt, Expr::value(at))
        .filter(dispatch::Column::Name.eq(NAME))
        .filter(dispatch::Column::EventCursor.eq(start))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 1 {
        txn.commit().await?;
        Ok(consumed)
    } else {
        // Another replica fanned this batch out first.
        txn.rollback().await?;
        Ok(0)
    }
}

/// One pending delivery per active endpoint that wants an event of `ready` (routed to
/// its organisation, registered before the event happened), due by `schedule`.
async fn deliveries(
    db: &DatabaseConnection,
    ready: &[domain_event::Model],
    schedule: retry::Schedule,
    at: DateTime<Utc>,
) -> Result<Vec<delivery::ActiveModel>, DbErr> {
    let routed: Vec<_> = ready
        .iter()
        .filter_map(|e| route(e).map(|(kind, org)| (e, kind, org)))
        .collect();
    let mut by_org: HashMap<i64, Vec<endpoint::Model>> = HashMap::new();
    if !routed.is_empty() {
        let orgs: Vec<i64> = routed.iter().map(|(_, _, org)| *org).collect();
        for ep in endpoint::Entity::find()
            .filter(endpoint::Column::OrganisationId.is_in(orgs))
            .filter(endpoint::Column::Active.eq(true))
            .all(db)
            .await?
        {
            by_org.entry(ep.organisation_id).or_default().push(ep);
        }
    }
    let mut rows = Vec::new();
    for (event, kind, org) in &routed {
        for ep in by_org.get(org).into_iter().flatten() {
            if ep.created_at <= event.occurred_at && ep.types().iter().any(|t| t == kind) {
                rows.push(delivery::ActiveModel {
                    endpoint_id: Set(ep.id),
                    event_id: Set(event.id),
                    event_type: Set(kind.clone()),
                    status: Set(DeliveryStatus::Pending),
                    attempts: Set(0),
                    next_attempt_at: Set(schedule.next_attempt_at),
                    retry_until: Set(schedule.retry_until),
                    claimed_until: Set(None),
                    last_status_code: Set(None),
                    last_error: Set(None),
                    created_at: Set(at),
                    delivered_at: Set(None),
                    ..Default::default()
                });
            }
        }
    }
    Ok(rows)
}

/// Run the dispatcher every `interval`, for ever.
pub async fn run(db: DatabaseConnection, retry_window: chrono::Duration, interval: Duration) {
    let mut gap = GapState::default();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        // Drain a backlog without waiting a tick per batch.
        loop {
            match dispatch_once(&db, &mut gap, retry_window).await {
                Ok(n) if n as u64 == BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook dispatch failed; retrying");
                    break;
                }
            }
        }
    }
}
