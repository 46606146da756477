//! Sending due deliveries: claim, sign, POST, log the attempt, schedule the next (by
//! the rules of `retry.rs`).
//!
//! Claiming sets a lease (`claimed_until`) on the rows, in one statement; on PostgreSQL
//! the rows are also selected `FOR UPDATE SKIP LOCKED`, so replicas claiming at the same
//! moment take different rows instead of waiting on each other. Only the oldest pending
//! delivery of each endpoint is due: an endpoint receives its events in order (a failing
//! one holds the later ones back until it succeeds or is given up). A sender that dies
//! mid-attempt leaves a lease that runs out, and the row is sent again: at-least-once,
//! which receivers handle by deduplicating on `webhook-id`.
//!
//! Claiming is `claim.rs`, one attempt over HTTP `send.rs`, writing down its outcome
//! (and the next attempt, by `webhook::retry`) `record.rs`.

mod claim;
mod record;
mod send;

use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

use crate::config::Settings;
use crate::events::entity as domain_event;
use crate::webhook::entity::{delivery, endpoint};
use crate::webhook::retry::Backoff;
use crate::webhook::ssrf::{AddressPolicy, GuardedResolver};

/// Most bytes of a response read (the rest is never downloaded).
pub const MAX_RESPONSE_BYTES: usize = 4096;
/// Most characters of a response kept in the delivery log.
pub const EXCERPT_CHARS: usize = 500;
/// Deliveries claimed per tick.
const CLAIM: u64 = 20;

/// A webhook sender.
#[derive(Clone)]
pub struct Sender {
    db: DatabaseConnection,
    /// For `https` URLs: connects to permitted addresses.
    client: reqwest::Client,
    /// For plain `http` URLs: connects to the listed private addresses only, so a name
    /// that resolves elsewhere by the time of the connection gets nothing in clear.
    plain: reqwest::Client,
    policy: AddressPolicy,
    backoff: Backoff,
    lease: Duration,
}

/// What one attempt came to.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    excerpt: Option<String>,
    latency: Duration,
    /// Why the endpoint cannot be delivered to at all (it is switched off).
    unusable: Option<String>,
}

impl Sender {
    pub fn new(db: DatabaseConnection, settings: &Settings) -> anyhow::Result<Self> {
        let policy = AddressPolicy::new(settings.webhook_allowed_addresses.clone());
        let timeout = Duration::from_secs(settings.webhook_timeout_secs);
        let tls = super::tls::client_config(settings.webhook_ca_file.as_deref())?;
        let client = |plain: bool| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(timeout)
                .tls_backend_preconfigured(tls.clone())
                .dns_resolver(std::sync::Arc::new(GuardedResolver {
                    policy: policy.clone(),
                    plain,
                }))
                .user_agent("Hamkor-Webhooks/1")
                .build()
        };
        let (client, plain) = (client(false)?, client(true)?);
        Ok(Self {
            db,
            client,
            plain,
            policy,
            backoff: Backoff::from_settings(settings),
            // Long enough for an attempt to finish before another sender may take over.
            lease: timeout + Duration::from_secs(2),
        })
    }

    /// Claim and send one round of due deliveries; returns how many were attempted.
    pub async fn tick(&self) -> Result<usize, DbErr> {
        let ids = self.claim(CLAIM).await?;
        let n = ids.len();
        futures::future::join_all(ids.into_iter().map(|id| self.attempt(id))).await;
        Ok(n)
    }

    async fn attempt(&self, id: i64) {
        if let Err(e) = self.try_attempt(id).await {
            // The lease runs out and another round retries it.
            tracing::warn!(delivery = id, error = %e, "recording a webhook attempt failed");
        }
    }

    async fn try_attempt(&self, id: i64) -> Result<(), DbErr> {
        let Some(d) = delivery::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(());
        };
        let Some(ep) = endpoint::Entity::find_by_id(d.endpoint_id).one(&self.db).await? else {
            return Ok(());
        };
        let Some(event) = domain_event::Entity::find_by_id(d.event_id).one(&self.db).await? else {
            return Ok(());
        };
        let body = super::message::body(&event, &d.event_type);
        // A child of the trace the event was written in; the partner receives the
        // delivery's own context in `traceparent`.
        let span = tracing::info_span!(
            "webhook",
            otel.name = %format_args!("webhook {}", d.event_type),
            otel.kind = "client",
            delivery.id = d.id,
            endpoint.id = ep.id,
            event.id = event.id,
            http.response.status_code = tracing::field::Empty,
        );
        if let Some(tp) = &event.traceparent {
            crate::telemetry::set_parent_from_traceparent(&span, tp);
        }
        tracing::Instrument::instrument(
            async {
                let outcome = self.send(&ep, &d, body).await;
                if let Some(status) = outcome.status {
                    tracing::Span::current().record("http.response.status_code", status);
                }
                self.record(d, &ep, outcome).await
            },
            span,
        )
        .await
    }
}

/// Send due deliveries every `interval`, for ever (without waiting while a round found
/// work, so a backlog drains at once).
pub async fn run(sender: Sender, interval: Duration) {
    loop {
        match sender.tick().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "claiming webhook deliveries failed; retrying"),
        }
        tokio::time::sleep(interval).await;
    }
}
