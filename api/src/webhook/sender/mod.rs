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

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, Statement, TransactionTrait,
};
use serde_json::json;

use super::entity::{attempt, delivery, endpoint};
use super::retry::Backoff;
use super::signature;
use super::ssrf::{AddressPolicy, GuardedResolver, UrlRefusal, check_url};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::RequestMeta;
use crate::config::Settings;
use crate::events::entity as domain_event;
use crate::events::service::{self as events, NewEvent};

/// Most bytes of a response read (the rest is never downloaded).
pub const MAX_RESPONSE_BYTES: usize = 4096;
/// Most characters of a response kept in the delivery log.
pub const EXCERPT_CHARS: usize = 500;
/// Deliveries claimed per tick.
const CLAIM: u64 = 20;

/// Whether a URL's host is an IP address rather than a name.
fn names_an_address(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok()
        })
}

/// What went wrong with a request, for the delivery log: short, and never the body.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if let Some(cause) = std::error::Error::source(e).and_then(known_cause) {
        return cause;
    }
    if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}

/// A TLS or address refusal somewhere in an error's causes. I/O errors are opened
/// explicitly: their `source` skips the error they wrap, which is where rustls puts its
/// own.
fn known_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(format!("TLS handshake failed: {tls}"));
    }
    if let Some(refusal) = err.downcast_ref::<super::ssrf::UrlRefusal>() {
        return Some(refusal.to_string());
    }
    let wrapped = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .and_then(|inner| known_cause(inner as &(dyn std::error::Error + 'static)));
    wrapped.or_else(|| err.source().and_then(known_cause))
}

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

    /// Claim up to `limit` due deliveries for `lease`, and return their ids.
    pub async fn claim(&self, limit: u64) -> Result<Vec<i64>, DbErr> {
        let backend = self.db.get_database_backend();
        let lock = match backend {
            DatabaseBackend::Postgres => "FOR UPDATE OF d SKIP LOCKED",
            _ => "",
        };
        let now = crate::db::now();
        let until = now + chrono::Duration::from_std(self.lease).unwrap_or_default();
        let sql = format!(
            "UPDATE webhook_deliveries SET claimed_until = ? WHERE id IN (\
               SELECT d.id FROM webhook_deliveries d \
               JOIN webhook_endpoints e ON e.id = d.endpoint_id \
               WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? \
                 AND (d.claimed_until IS NULL OR d.claimed_until < ?) \
                 AND e.active = ? \
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o \
                   WHERE o.endpoint_id = d.endpoint_id AND o.status = 'PENDING' AND o.id < d.id) \
               ORDER BY d.id LIMIT ? {lock}) \
             RETURNING id"
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                numbered(&sql, backend),
                [
                    until.into(),
                    now.into(),
                    now.into(),
                    true.into(),
                    (limit as i64).into(),
                ],
            ))
            .await?;
        rows.iter().map(|r| r.try_get::<i64>("", "id")).collect()
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
        let outcome = self.send(&ep, &d, body).await;
        self.record(d, &ep, outcome).await
    }

    async fn send(&self, ep: &endpoint::Model, d: &delivery::Model, body: Vec<u8>) -> Outcome {
        let started = Instant::now();
        let failed = |error: String| Outcome {
            status: None,
            error: Some(error),
            excerpt: None,
            latency: started.elapsed(),
            unusable: None,
        };
        // Checked again at every attempt: the name may resolve elsewhere by now. The
        // clients' resolvers enforce the same rules for the connection itself.
        let url = match check_url(&ep.url, &self.policy).await {
            Ok(u) => u,
            // Plain http to a public IP address stays refused: switch the endpoint off
            // with the reason instead of retrying for days. (A host name is retried:
            // one odd DNS answer must not switch off a partner's private endpoint.)
            Err(refusal @ UrlRefusal::PlainHttp) if names_an_address(&ep.url) => {
                return Outcome {
                    unusable: Some(refusal.to_string()),
                    ..failed(refusal.to_string())
                };
            }
            Err(refusal) => return failed(refusal.to_string()),
        };
        let client = if url.scheme() == "http" {
            &self.plain
        } else {
            &self.client
        };
        let now = Utc::now();
        let msg_id = d.msg_id();
        let signature = signature::header(&ep.signing_secrets(now), &msg_id, now.timestamp(), &body);
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &msg_id)
            .header("webhook-timestamp", now.timestamp().to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => return failed(describe(&e)),
        };
        let status = resp.status().as_u16();
        let mut read = Vec::new();
        // Bounded read: stop at the limit and drop the rest of the body unread.
        while read.len() < MAX_RESPONSE_BYTES {
            match resp.chunk().await {
                Ok(Some(chunk)) => read.extend_from_slice(&chunk),
                _ => break,
            }
        }
        read.truncate(MAX_RESPONSE_BYTES);
        let excerpt: String = String::from_utf8_lossy(&read)
            .chars()
            .take(EXCERPT_CHARS)
            .collect();
        Outcome {
            status: Some(status),
            error: None,
            excerpt: (!excerpt.is_empty()).then_some(excerpt),
            latency: started.elapsed(),
            unusable: None,
        }
    }

    async fn record(&self, d: delivery::Model, ep: &endpoint::Model, o: Outcome) -> Result<(), DbErr> {
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
        txn.commit().await
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

/// `?` placeholders as PostgreSQL's `$1, $2, …`; SQLite takes them as they are.
fn numbered(sql: &str, backend: DatabaseBackend) -> String {
    if backend != DatabaseBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ip_literal_hosts_name_an_address() {
        assert!(names_an_address("http://8.8.8.8/hook"));
        assert!(names_an_address("http://[2a00:1450::1]:8080/hook"));
        assert!(!names_an_address("http://partner.example.uz/hook"));
        assert!(!names_an_address("not a url"));
    }

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        assert_eq!(
            numbered("a = ? AND b = ?", DatabaseBackend::Postgres),
            "a = $1 AND b = $2"
        );
        assert_eq!(numbered("a = ?", DatabaseBackend::Sqlite), "a = ?");
    }
}
