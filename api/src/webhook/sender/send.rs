//! One attempt over HTTP: the URL checked again, the message signed, the answer read
//! up to a bound; failures described for the delivery log, never with the body.

use std::time::Instant;

use chrono::Utc;

use crate::webhook::entity::{delivery, endpoint};
use crate::webhook::signature;
use crate::webhook::ssrf::{UrlRefusal, check_url};

use super::{EXCERPT_CHARS, MAX_RESPONSE_BYTES, Outcome, Sender};

impl Sender {
    pub(super) async fn send(&self, ep: &endpoint::Model, d: &delivery::Model, body: Vec<u8>) -> Outcome {
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
            .headers(crate::telemetry::outgoing_headers())
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
}

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
    if let Some(refusal) = err.downcast_ref::<UrlRefusal>() {
        return Some(refusal.to_string());
    }
    let wrapped = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .and_then(|inner| known_cause(inner as &(dyn std::error::Error + 'static)));
    wrapped.or_else(|| err.source().and_then(known_cause))
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
}
