//! Which `HAMKOR_*` environment variables are settings, and which are strangers.
//!
//! An orchestrator puts variables of its own under the same prefix (Kubernetes injects
//! `HAMKOR_SERVICE_HOST`, `HAMKOR_PORT_8080_TCP`… into every pod of a namespace with a
//! Service named `hamkor`), so an unknown variable is reported, not fatal. Unknown keys
//! of `hamkor.toml` stay an error: there they are typos.

use std::sync::OnceLock;

use figment::providers::Env;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::{MODULE_ENV, Settings};

/// The prefix of Hamkor's environment variables.
pub const PREFIX: &str = "HAMKOR_";

/// The keys of [`Settings`] (field names, as the TOML file and the environment without
/// the prefix and in lower case name them), read from its `Deserialize` implementation
/// so the list cannot drift from the struct.
pub fn keys() -> &'static [&'static str] {
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut capture = FieldNames(&[]);
        let _ = Settings::deserialize(&mut capture);
        capture.0
    })
}

/// The environment provider of the core's settings: `HAMKOR_<KEY>` for known keys only.
pub fn provider() -> Env {
    let known = keys();
    Env::prefixed(PREFIX).filter(move |k| known.iter().any(|key| k == *key))
}

/// Names of the `HAMKOR_*` variables that are neither settings nor read by a module
/// ([`MODULE_ENV`]), sorted; their values are never looked at.
pub fn unknown() -> Vec<String> {
    let known = keys();
    let mut names: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            name.strip_prefix(PREFIX).is_some_and(|rest| {
                let key = rest.trim().to_lowercase();
                !key.is_empty() && !known.contains(&key.as_str()) && !MODULE_ENV.contains(&key.as_str())
            })
        })
        .collect();
    names.sort();
    names
}

/// A deserializer that only records the field names of the struct asked of it.
struct FieldNames(&'static [&'static str]);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for &mut FieldNames {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        self.0 = fields;
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_are_the_settings_fields() {
        let keys = keys();
        for key in [
            "listen",
            "database_url",
            "jwt_secret",
            "admin_password",
            "log_filter",
        ] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        let serialized = serde_json::to_value(Settings::default()).expect("serialises");
        for key in serialized.as_object().expect("an object").keys() {
            assert!(keys.contains(&key.as_str()), "{key} missing from {keys:?}");
        }
    }
}
