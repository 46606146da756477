//! Writing down an attempt: the attempt row, the delivery's new status and next
//! attempt (by `webhook::retry`), and switching off an endpoint that is gone.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, TransactionTrait};
use serde_json::json;

use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::RequestMeta;
use crate::events::service::{self as events, NewEvent};
use crate::webhook::entity::{attempt, delivery, endpoint};

use super::{Outcome, Sender};

impl Sender {
    pub(super) async fn record(
        &self,
        d: delivery::Model,
        ep: &endpoint::Model,
        o: Outcome,
    ) -> Result<(), DbErr> {
        let at = crate::db::now();
        let succeeded = o.status.is_some_and(|s| (200..300).contains(&s));
        let gone = match (&o.unusable, o.status) {
            (Some(why), _) => Some(why.clone()),
            (None, Some(410)) => Some("the endpoint answered 410 Gone".to_owned()),
            _ => None,
        };
        let attempts = d.attempts + 1;
        let error = o
            .error
            .clone()
            .or_else(|| o.status.filter(|_| !succeeded).map(|s| format!("HTTP {s}")));
        let txn = self.db.begin().await?;
        attempt::ActiveModel {
            delivery_id: Set(d.id),
            attempted_at: Set(at),
            status_code: Set(o.status.map(i32::from)),
            latency_ms: Set(o.latency.as_millis() as i64),
            succeeded: Set(succeeded),
            error: Set(error.clone()),
            response_excerpt: Set(o.excerpt),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let after = self
            .backoff
            .after_attempt(attempts, at, d.retry_until, succeeded, gone.is_some());
        let mut row: delivery::ActiveModel = d.into();
        row.status = Set(after.status);
        row.attempts = Set(attempts);
        row.claimed_until = Set(None);
        row.last_status_code = Set(o.status.map(i32::from));
        row.last_error = Set(error);
        if succeeded {
            row.delivered_at = Set(Some(at));
        } else {
            row.next_attempt_at = Set(after.next_attempt_at);
        }
        row.update(&txn).await?;
        if let Some(reason) = gone.filter(|_| ep.active) {
            disable(&txn, ep, at, reason, o.status).await?;
        }
        txn.commit().await?;
        let outcome = match (succeeded, after.status) {
            (true, _) => "delivered",
            (false, crate::webhook::entity::DeliveryStatus::Failed) => "given_up",
            (false, _) => "retrying",
        };
        metrics::counter!(crate::monitoring::names::WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1);
        Ok(())
    }
}

/// An endpoint that answered 410 Gone, or that cannot be delivered to at all, is
/// switched off until its admins switch it on.
async fn disable<C: ConnectionTrait>(
    txn: &C,
    ep: &endpoint::Model,
    at: DateTime<Utc>,
    reason: String,
    status: Option<u16>,
) -> Result<(), DbErr> {
    let mut row: endpoint::ActiveModel = ep.clone().into();
    row.active = Set(false);
    row.disabled_reason = Set(Some(reason.clone()));
    row.updated_at = Set(at);
    row.update(txn).await?;
    audit::record_anonymous(
        txn,
        None,
        &RequestMeta::default(),
        Entry::new("webhook_endpoint.disable")
            .target("WebhookEndpoint", ep.id)
            .detail(json!({"status": status, "reason": reason})),
    )
    .await?;
    events::emit(
        txn,
        None,
        NewEvent::new("webhook_endpoint.disabled", "WebhookEndpoint", ep.id)
            .organisation(ep.organisation_id)
            .payload(json!({"active": false, "status": status})),
    )
    .await
}
