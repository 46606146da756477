//! Reading committed events out of the outbox, for subscriptions on this replica.
//!
//! Every replica polls the `domain_events` table (the database is the only channel
//! between replicas), so a subscriber connected to one replica sees events written by
//! any other. Ids come from a sequence: on PostgreSQL a transaction that took a lower id
//! can commit after one with a higher id, so the poller does not step over a gap until
//! it has waited [`GAP_PATIENCE`] for it to fill (a rolled-back insert leaves a gap that
//! never fills).

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast;

use super::entity as domain_event;
use super::entity::Model as DomainEvent;

/// How long a gap in event ids may stay open before the poller moves past it.
pub const GAP_PATIENCE: Duration = Duration::from_secs(5);
const BATCH: u64 = 500;

/// The committed events this replica has read, fanned out to its subscribers.
#[derive(Clone)]
pub struct EventFeed {
    tx: broadcast::Sender<Arc<DomainEvent>>,
}

impl Default for EventFeed {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self { tx }
    }
}

impl EventFeed {
    /// Events committed from now on. A subscriber that falls more than the channel's
    /// capacity behind is told it lagged (it can catch up with `events(after:)`).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<DomainEvent>> {
        self.tx.subscribe()
    }

    fn publish(&self, event: DomainEvent) {
        // No subscriber is not an error.
        let _ = self.tx.send(Arc::new(event));
    }
}

/// Where a reader of the outbox stands, and since when it waits on a gap.
#[derive(Debug)]
pub struct Cursor {
    last: i64,
    gap_since: Option<Instant>,
}

impl Cursor {
    pub fn new(last: i64, gap_since: Option<Instant>) -> Self {
        Self { last, gap_since }
    }

    pub fn gap_since(&self) -> Option<Instant> {
        self.gap_since
    }

    /// Take the events of `batch` (ascending ids, all after the cursor) that may be
    /// handled now, and move past them.
    pub fn advance(&mut self, batch: Vec<DomainEvent>, now: Instant) -> Vec<DomainEvent> {
        let mut out = Vec::with_capacity(batch.len());
        for event in batch {
            if event.id != self.last + 1 {
                let since = *self.gap_since.get_or_insert(now);
                if now.duration_since(since) < GAP_PATIENCE {
                    break;
                }
            }
            self.gap_since = None;
            self.last = event.id;
            out.push(event);
        }
        out
    }
}

/// The highest event id committed so far (0 when there is none).
pub async fn latest_id<C: sea_orm::ConnectionTrait>(db: &C) -> Result<i64, sea_orm::DbErr> {
    Ok(domain_event::Entity::find()
        .select_only()
        .column(domain_event::Column::Id)
        .order_by_desc(domain_event::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .unwrap_or(0))
}

/// Poll the outbox every `interval` and publish new events to `feed`, for ever. Starts
/// after the events already committed (catch-up is `events(after:)`).
pub async fn run(db: DatabaseConnection, feed: EventFeed, interval: Duration) {
    let mut cursor = loop {
        match latest_id(&db).await {
            Ok(last) => {
                break Cursor {
                    last,
                    gap_since: None,
                };
            }
            Err(e) => {
                tracing::warn!(error = %e, "event feed cannot read the outbox; retrying");
                tokio::time::sleep(interval.max(Duration::from_secs(1))).await;
            }
        }
    };
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let batch = domain_event::Entity::find()
            .filter(domain_event::Column::Id.gt(cursor.last))
            .order_by_asc(domain_event::Column::Id)
            .limit(BATCH)
            .all(&db)
            .await;
        match batch {
            Ok(batch) => {
                for event in cursor.advance(batch, Instant::now()) {
                    feed.publish(event);
                }
            }
            Err(e) => tracing::warn!(error = %e, "event feed poll failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn event(id: i64) -> DomainEvent {
        DomainEvent {
            id,
            occurred_at: Utc::now(),
            event_type: "test".into(),
            aggregate_type: "Test".into(),
            aggregate_id: id,
            case_id: None,
            organisation_id: None,
            actor_user_id: None,
            payload: serde_json::json!({}),
            traceparent: None,
        }
    }

    fn ids(events: &[DomainEvent]) -> Vec<i64> {
        events.iter().map(|e| e.id).collect()
    }

    #[test]
    fn contiguous_events_are_published_in_order() {
        let mut c = Cursor {
            last: 0,
            gap_since: None,
        };
        let out = c.advance(vec![event(1), event(2), event(3)], Instant::now());
        assert_eq!(ids(&out), [1, 2, 3]);
        assert_eq!(c.last, 3);
    }

    #[test]
    fn a_gap_holds_later_events_back_until_it_fills() {
        let start = Instant::now();
        let mut c = Cursor {
            last: 1,
            gap_since: None,
        };
        assert!(c.advance(vec![event(3)], start).is_empty());
        let out = c.advance(vec![event(2), event(3)], start + Duration::from_millis(300));
        assert_eq!(ids(&out), [2, 3]);
    }

    #[test]
    fn a_gap_that_never_fills_is_passed_after_a_while() {
        let start = Instant::now();
        let mut c = Cursor {
            last: 1,
            gap_since: None,
        };
        assert!(c.advance(vec![event(3)], start).is_empty());
        let out = c.advance(vec![event(3), event(4)], start + GAP_PATIENCE);
        assert_eq!(ids(&out), [3, 4]);
        assert!(c.gap_since.is_none());
    }
}
