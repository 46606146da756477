//! Standard Webhooks signing: `webhook-signature` carries `v1,<base64 HMAC-SHA256>` of
//! `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed with the bytes of the secret after
//! its `whsec_` prefix (base64-decoded). While a secret rotates, one signature per live
//! secret is sent, separated by spaces, so a receiver holding either verifies.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of an endpoint secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh endpoint secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key bytes of a `whsec_…` secret, or `None` when it is not one.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix(SECRET_PREFIX)?;
    STANDARD.decode(encoded).ok().filter(|k| !k.is_empty())
}

/// One `v1,<signature>` for `secret`, or `None` for a malformed secret.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = key_of(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header value: one signature per secret, space-separated.
pub fn header(secrets: &[&str], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| sign(s, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `header` (a `webhook-signature` value: space-separated `v1,<base64>`) holds a
/// valid signature of the message by `secret`: the receiving side of [`sign`], compared
/// in constant time.
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(key) = key_of(secret) else {
        return false;
    };
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|sig| {
            let Ok(sig) = STANDARD.decode(sig) else {
                return false;
            };
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
                return false;
            };
            mac.update(msg_id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            mac.verify_slice(&sig).is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification's reference libraries.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn signatures_match_the_specification_example() {
        assert_eq!(
            sign(SECRET, MSG_ID, TIMESTAMP, BODY).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn a_signature_verifies_and_a_changed_body_does_not() {
        let h = header(&[SECRET, &new_secret()], MSG_ID, TIMESTAMP, BODY);
        assert!(verify(SECRET, MSG_ID, TIMESTAMP, BODY, &h));
        assert!(!verify(SECRET, MSG_ID, TIMESTAMP, b"{}", &h));
        assert!(!verify(SECRET, MSG_ID, TIMESTAMP + 1, BODY, &h));
        assert!(!verify(&new_secret(), MSG_ID, TIMESTAMP, BODY, &h));
    }

    #[test]
    fn a_rotating_secret_signs_twice() {
        let other = new_secret();
        let h = header(&[SECRET, &other], MSG_ID, TIMESTAMP, BODY);
        let parts: Vec<_> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
    }

    #[test]
    fn a_new_secret_is_a_valid_standard_webhooks_secret() {
        let s = new_secret();
        assert_eq!(key_of(&s).map(|k| k.len()), Some(32));
        assert!(key_of("whsec_").is_none());
        assert!(key_of("secret").is_none());
    }
}
