//! Messages to the person (the activation code, reminders) go through a [`Notifier`]:
//! every message is first written to the module's outbox (`rci_messages`, which is also
//! its delivery log), then handed to the installed adapter after the commit:
//!
//! - [`OutboxLog`] (the default): the outbox row and a log line, for development;
//! - [`HttpSms`]: an SMS provider's HTTP API (`HAMKOR_SMS_URL`, `HAMKOR_SMS_TOKEN`), with
//!   retries; attempts and the last error are kept in the delivery log;
//! - [`Capture`]: keeps the messages in memory, for tests.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;

/// What happened to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub attempts: i32,
    /// `Err` with the last failure when every attempt failed.
    pub result: Result<(), String>,
}

/// A way to reach the person's phone.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Named in the delivery log (`outbox`, `http`, `capture`).
    fn name(&self) -> &'static str;
    async fn send(&self, phone: &str, body: &str) -> Delivery;
}

/// Development: the outbox row is the message; it is also logged.
pub struct OutboxLog;

#[async_trait]
impl Notifier for OutboxLog {
    fn name(&self) -> &'static str {
        "outbox"
    }
    async fn send(&self, phone: &str, body: &str) -> Delivery {
        tracing::info!(to = %phone, %body, "remote check-in message (outbox only)");
        Delivery {
            attempts: 1,
            result: Ok(()),
        }
    }
}

/// Tests: every message sent, in order.
#[derive(Default)]
pub struct Capture {
    sent: Mutex<Vec<(String, String)>>,
}

impl Capture {
    /// The bodies sent to `phone`, oldest first.
    pub fn to(&self, phone: &str) -> Vec<String> {
        self.sent
            .lock()
            .map(|v| {
                v.iter()
                    .filter(|(p, _)| p == phone)
                    .map(|(_, b)| b.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[async_trait]
impl Notifier for Capture {
    fn name(&self) -> &'static str {
        "capture"
    }
    async fn send(&self, phone: &str, body: &str) -> Delivery {
        if let Ok(mut v) = self.sent.lock() {
            v.push((phone.to_owned(), body.to_owned()));
        }
        Delivery {
            attempts: 1,
            result: Ok(()),
        }
    }
}

/// An SMS provider's HTTP API: `POST {url}` with `{"to": …, "text": …}` and the bearer
/// token; a 2xx is delivered, anything else is retried (three attempts, backing off).
pub struct HttpSms {
    pub url: String,
    pub token: Option<String>,
    pub attempts: i32,
    pub backoff: Duration,
    client: reqwest::Client,
}

impl HttpSms {
    pub fn new(url: String, token: Option<String>) -> anyhow::Result<Self> {
        let client = hamkor_api::webhook::tls::plain_client()?;
        Ok(Self {
            url,
            token,
            attempts: 3,
            backoff: Duration::from_millis(500),
            client,
        })
    }
}

#[async_trait]
impl Notifier for HttpSms {
    fn name(&self) -> &'static str {
        "http"
    }
    async fn send(&self, phone: &str, body: &str) -> Delivery {
        let mut last = String::new();
        for attempt in 1..=self.attempts {
            let mut req = self
                .client
                .post(&self.url)
                .timeout(Duration::from_secs(10))
                .json(&serde_json::json!({"to": phone, "text": body}));
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => {
                    return Delivery {
                        attempts: attempt,
                        result: Ok(()),
                    };
                }
                Ok(r) => last = format!("HTTP {}", r.status().as_u16()),
                Err(e) => last = e.to_string(),
            }
            if attempt < self.attempts {
                tokio::time::sleep(self.backoff * attempt as u32).await;
            }
        }
        Delivery {
            attempts: self.attempts,
            result: Err(last),
        }
    }
}

static INSTALLED: RwLock<Option<Arc<dyn Notifier>>> = RwLock::new(None);

/// Use `n` for every message from now on (a test installs a [`Capture`]).
pub fn install(n: Arc<dyn Notifier>) {
    if let Ok(mut slot) = INSTALLED.write() {
        *slot = Some(n);
    }
}

/// The installed notifier: the one installed, or else the HTTP adapter when
/// `HAMKOR_SMS_URL` is set, or else [`OutboxLog`].
pub fn current() -> Arc<dyn Notifier> {
    if let Some(n) = INSTALLED.read().ok().and_then(|s| s.clone()) {
        return n;
    }
    let chosen: Arc<dyn Notifier> = match std::env::var("HAMKOR_SMS_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => match HttpSms::new(url, std::env::var("HAMKOR_SMS_TOKEN").ok()) {
            Ok(h) => Arc::new(h),
            Err(e) => {
                tracing::error!(error = %e, "the SMS adapter could not start; messages stay in the outbox");
                Arc::new(OutboxLog)
            }
        },
        None => Arc::new(OutboxLog),
    };
    install(chosen.clone());
    chosen
}
