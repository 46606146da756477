//! An example of a partner's system receiving Hamkor's webhooks.
//!
//! It does what any receiver should:
//! 1. verify the Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
//!    `webhook-signature`) against the endpoint's `whsec_…` secret, and refuse messages
//!    whose timestamp is too far from now (replays);
//! 2. deduplicate by `webhook-id`: delivery is at-least-once, so the same message may
//!    arrive twice;
//! 3. answer 2xx only once the message is handled, so Hamkor retries anything that was
//!    not: here, a `referral.sent` is accepted through Hamkor's GraphQL API with a
//!    service account's token, under the partner's own reference (`externalId`).
//!
//! It keeps its state in memory: a real system keeps the seen ids in its database.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

/// How far a message's timestamp may be from now, in seconds.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// Why a message is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// A `webhook-*` header is missing or unreadable.
    MissingHeader,
    /// The secret is not a `whsec_…` secret.
    BadSecret,
    /// The timestamp is outside the tolerance (a replay, or a wrong clock).
    Timestamp,
    /// No signature matches.
    Signature,
}

/// Verify one message: `now` and the timestamp are Unix seconds.
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|s| STANDARD.decode(s).ok())
        .ok_or(VerifyError::BadSecret)?;
    let ts: i64 = timestamp.parse().map_err(|_| VerifyError::MissingHeader)?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(VerifyError::Timestamp);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| VerifyError::BadSecret)?;
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body);
    // Any of the space-separated `v1,<base64>` signatures may match (secret rotation).
    let matches = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|sig| mac.clone().verify_slice(&sig).is_ok());
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Signature)
    }
}

/// Where the receiver answers and with which credentials.
#[derive(Clone)]
pub struct Config {
    /// The endpoint's `whsec_…` secret.
    pub webhook_secret: String,
    /// Hamkor's GraphQL URL, e.g. `http://127.0.0.1:8080/graphql`.
    pub graphql_url: String,
    /// The service account's client id and secret.
    pub client_id: String,
    pub client_secret: String,
}

/// What the receiver has seen, for its operators (and tests).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// `webhook-id`s handled, in order.
    pub handled: Vec<String>,
    /// Messages that repeated a handled `webhook-id`.
    pub duplicates: usize,
    /// Messages refused for a bad signature or timestamp.
    pub rejected: usize,
    /// Referrals accepted (Hamkor global ids).
    pub accepted: Vec<String>,
}

/// The receiving system.
pub struct Receiver {
    config: Config,
    http: reqwest::Client,
    seen: Mutex<HashSet<String>>,
    stats: Mutex<Stats>,
    token: Mutex<Option<String>>,
}

/// The client for Hamkor's API: rustls with *ring*, trusting the Mozilla set of
/// certificate authorities (reqwest is built without a TLS provider of its own).
fn http_client() -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .expect("a preconfigured TLS client builds")
}

impl Receiver {
    pub fn new(config: Config) -> Arc<Self> {
        Arc::new(Self {
            config,
            http: http_client(),
            seen: Mutex::default(),
            stats: Mutex::default(),
            token: Mutex::default(),
        })
    }

    /// A copy of the statistics so far.
    pub async fn stats(&self) -> Stats {
        self.stats.lock().await.clone()
    }

    async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .post(&self.config.graphql_url)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let body: Value = req.send().await?.json().await?;
        if let Some(errors) = body.get("errors") {
            anyhow::bail!("GraphQL errors: {errors}");
        }
        Ok(body["data"].clone())
    }

    /// A service-account access token (cached; a real system refreshes it on expiry).
    async fn token(&self) -> anyhow::Result<String> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref() {
            return Ok(t.clone());
        }
        let data = self
            .graphql(
                None,
                "mutation($id: String!, $secret: String!) {
                    serviceAccountToken(clientId: $id, clientSecret: $secret) { accessToken } }",
                json!({"id": self.config.client_id, "secret": self.config.client_secret}),
            )
            .await?;
        let token = data["serviceAccountToken"]["accessToken"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no access token"))?
            .to_owned();
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Accept a sent referral under the partner's own reference.
    async fn accept(&self, referral_id: &str, msg_id: &str) -> anyhow::Result<()> {
        let token = self.token().await?;
        self.graphql(
            Some(&token),
            "mutation($i: AcceptReferralInput!) { acceptReferral(input: $i) { referral { id status } } }",
            json!({"i": {"id": referral_id, "externalId": format!("RCV-{msg_id}")}}),
        )
        .await?;
        self.stats.lock().await.accepted.push(referral_id.to_owned());
        Ok(())
    }

    /// Handle one message: the HTTP status to answer.
    pub async fn handle(&self, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        let (id, ts, sigs) = (
            header("webhook-id"),
            header("webhook-timestamp"),
            header("webhook-signature"),
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        if id.is_empty() || verify(&self.config.webhook_secret, id, ts, sigs, body, now).is_err() {
            self.stats.lock().await.rejected += 1;
            return StatusCode::UNAUTHORIZED;
        }
        // One message at a time per id: hold the set while handling it.
        let mut seen = self.seen.lock().await;
        if seen.contains(id) {
            self.stats.lock().await.duplicates += 1;
            return StatusCode::OK;
        }
        let Ok(message) = serde_json::from_slice::<Value>(body) else {
            return StatusCode::BAD_REQUEST;
        };
        if message["type"] == "referral.sent"
            && let Some(referral) = message["data"]["referralId"].as_str()
            && self.accept(referral, id).await.is_err()
        {
            // Not handled: Hamkor retries later.
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        seen.insert(id.to_owned());
        self.stats.lock().await.handled.push(id.to_owned());
        StatusCode::NO_CONTENT
    }
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.handle(&headers, &body).await
}

/// The receiver's routes: `POST /webhooks`.
pub fn router(receiver: Arc<Receiver>) -> Router {
    Router::new()
        .route("/webhooks", post(receive))
        .with_state(receiver)
}

/// Serve on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, receiver: Arc<Receiver>) -> std::io::Result<()> {
    axum::serve(listener, router(receiver)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification's reference libraries.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: &str = "1614265330";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const NOW: i64 = 1_614_265_330;

    #[test]
    fn a_valid_signature_verifies() {
        assert_eq!(verify(SECRET, ID, TS, SIG, BODY, NOW), Ok(()));
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let tampered = br#"{"test": 2432232315}"#;
        assert_eq!(
            verify(SECRET, ID, TS, SIG, tampered, NOW),
            Err(VerifyError::Signature)
        );
    }

    #[test]
    fn a_tampered_id_is_refused() {
        assert_eq!(
            verify(SECRET, "msg_other", TS, SIG, BODY, NOW),
            Err(VerifyError::Signature)
        );
    }

    #[test]
    fn an_old_timestamp_is_refused_even_with_a_valid_signature() {
        assert_eq!(
            verify(SECRET, ID, TS, SIG, BODY, NOW + TOLERANCE_SECS + 1),
            Err(VerifyError::Timestamp)
        );
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let both = format!("v1,bm90IHRoaXMgb25l {SIG}");
        assert_eq!(verify(SECRET, ID, TS, &both, BODY, NOW), Ok(()));
    }
}
