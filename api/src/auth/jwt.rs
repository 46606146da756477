//! Access tokens: short-lived HS256 JWTs.
//!
//! Verification pins the algorithm (HS256 only: `none` and algorithm switching are
//! refused), and checks the signature, expiry, not-before, issuer and audience.

use std::path::Path;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::Settings;

/// Minimum length of the signing key, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// Claims carried by an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user's id.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// Token id.
    pub jti: String,
    /// Login session (absent for service-account tokens, which have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<i64>,
}

impl Claims {
    /// The user id in `sub`.
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

/// Why a token was refused (kept for logs; clients only see UNAUTHENTICATED).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("token invalid: {0}")]
    Invalid(String),
}

/// Signing and verification keys with the validation rules.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl JwtKeys {
    /// Keys from the configured secret, or from the secret file (created with a random
    /// key when missing, readable by the owner only).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let secret = match &settings.jwt_secret {
            Some(s) => s.clone(),
            None => load_or_create_secret_file(&settings.jwt_secret_file)?,
        };
        Self::new(
            &secret,
            &settings.jwt_issuer,
            &settings.jwt_audience,
            settings.access_token_ttl_secs,
        )
    }

    pub fn new(secret: &SecretString, issuer: &str, audience: &str, ttl_secs: u64) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.len() < MIN_SECRET_LEN {
            anyhow::bail!("the JWT secret must be at least {MIN_SECRET_LEN} bytes");
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_secs: i64::try_from(ttl_secs)?,
        })
    }

    /// Lifetime of issued tokens, in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Issue an access token for `user_id` (and its login session, if any).
    pub fn issue(&self, user_id: i64, session_id: Option<i64>) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            iat: now,
            nbf: now,
            exp: now + self.ttl_secs,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session_id,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verify a token and return its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        use jsonwebtoken::errors::ErrorKind;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                kind => TokenError::Invalid(format!("{kind:?}")),
            })
    }
}

fn load_or_create_secret_file(path: &Path) -> anyhow::Result<SecretString> {
    use anyhow::Context;
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(SecretString::from(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = super::password::random_token(48);
            write_private(path, &secret)
                .with_context(|| format!("creating the JWT secret file {}", path.display()))?;
            tracing::warn!(
                file = %path.display(),
                "generated a JWT signing key; set HAMKOR_JWT_SECRET or HAMKOR_JWT_SECRET_FILE \
                 to share one key between replicas"
            );
            Ok(SecretString::from(secret))
        }
        Err(e) => Err(e).with_context(|| format!("reading the JWT secret file {}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            &SecretString::from("0123456789abcdef0123456789abcdef"),
            "hamkor",
            "hamkor-api",
            60,
        )
        .expect("keys")
    }

    #[test]
    fn an_issued_token_verifies() {
        let k = keys();
        let token = k.issue(7, Some(3)).expect("issues");
        let claims = k.verify(&token).expect("verifies");
        assert_eq!(claims.user_id(), Some(7));
        assert_eq!(claims.sid, Some(3));
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let other = JwtKeys::new(
            &SecretString::from("0123456789abcdef0123456789abcdef"),
            "hamkor",
            "someone-else",
            60,
        )
        .expect("keys");
        let token = other.issue(7, None).expect("issues");
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(JwtKeys::new(&SecretString::from("short"), "i", "a", 60).is_err());
    }
}
