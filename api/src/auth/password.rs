//! Password and client-secret hashing with Argon2id.
//!
//! Hashing is CPU-heavy by design, so it runs on the blocking pool and never stalls the
//! async workers. Verifying against a missing account still spends the same time on a
//! dummy hash, so response times do not reveal which usernames exist.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{ApiError, ApiResult};

/// Shortest password accepted for a person account.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD_LEN: usize = 128;

/// Hashes and verifies secrets with the configured Argon2id cost.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    dummy: Arc<String>,
}

impl PasswordHasher {
    /// A hasher with the given memory (KiB) and time cost.
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let dummy = argon2
            .hash_password(b"hamkor-timing-equaliser")
            .map_err(|e| anyhow::anyhow!("argon2 hashing: {e}"))?
            .to_string();
        Ok(Self {
            params,
            dummy: Arc::new(dummy),
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hash a secret into a PHC string with a fresh random salt.
    pub async fn hash(&self, secret: &SecretString) -> ApiResult<String> {
        let argon2 = self.argon2();
        let secret = secret.clone();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(secret.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ApiError::internal("hashing a password", anyhow::anyhow!("{e}")))
        })
        .await
        .map_err(|e| ApiError::internal("hashing task", e))?
    }

    /// Whether `secret` matches the stored PHC string. With no stored hash (unknown
    /// account), a dummy hash is checked so that timing does not tell the difference.
    pub async fn verify(&self, secret: &SecretString, stored: Option<&str>) -> ApiResult<bool> {
        let known = stored.is_some();
        let phc = stored.map_or_else(|| self.dummy.as_str().to_owned(), str::to_owned);
        let secret = secret.clone();
        let argon2 = self.argon2();
        let matched = tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            argon2
                .verify_password(secret.expose_secret().as_bytes(), &parsed)
                .is_ok()
        })
        .await
        .map_err(|e| ApiError::internal("password verification task", e))?;
        Ok(known && matched)
    }
}

/// Check a new password against the policy; `field` names the input.
pub fn check_policy(field: &str, password: &SecretString) -> ApiResult<()> {
    let len = password.expose_secret().chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(ApiError::bad_input(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

/// A random secret of `bytes` bytes, URL-safe base64 encoded.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 of a token, hex encoded: how refresh tokens are stored.
pub fn token_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(1024, 1).expect("valid params")
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = hasher();
        let pw = SecretString::from("correct horse battery");
        let phc = h.hash(&pw).await.expect("hashes");
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify(&pw, Some(&phc)).await.expect("verifies"));
        let wrong = SecretString::from("wrong horse battery");
        assert!(!h.verify(&wrong, Some(&phc)).await.expect("verifies"));
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let h = hasher();
        let pw = SecretString::from("hamkor-timing-equaliser");
        assert!(!h.verify(&pw, None).await.expect("verifies"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_policy("password", &SecretString::from("short")).is_err());
        assert!(check_policy("password", &SecretString::from("long enough pw")).is_ok());
    }

    #[test]
    fn token_digests_are_hex_sha256() {
        assert_eq!(token_digest("abc").len(), 64);
        assert_ne!(random_token(32), random_token(32));
    }
}
