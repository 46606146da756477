//! The module's settings: per organisation (judging), and per deployment (the broker,
//! the retention of positions), from the environment.

use hamkor_api::module::ConfigError;
use serde::{Deserialize, Serialize};

/// An organisation's judging settings (`Module::validate_config`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Config {
    /// A run of breaching fixes opens an incident once it has this many fixes…
    pub debounce_fixes: u32,
    /// …or once it lasts this many minutes.
    pub debounce_minutes: u32,
    /// A signal lost for longer than this opens an incident.
    pub signal_loss_minutes: u32,
    /// A battery at or below this level opens an incident.
    pub battery_low_percent: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            debounce_fixes: 3,
            debounce_minutes: 5,
            signal_loss_minutes: 30,
            battery_low_percent: 10,
        }
    }
}

impl Config {
    /// Refuse settings that would page on every fix or never.
    pub fn check(raw: &serde_json::Value) -> Result<(), ConfigError> {
        let c: Self = serde_json::from_value(raw.clone()).map_err(|e| ConfigError(e.to_string()))?;
        if !(1..=60).contains(&c.debounce_fixes) {
            return Err(ConfigError("debounceFixes: between 1 and 60".into()));
        }
        if !(1..=120).contains(&c.debounce_minutes) {
            return Err(ConfigError("debounceMinutes: between 1 and 120".into()));
        }
        if !(5..=1440).contains(&c.signal_loss_minutes) {
            return Err(ConfigError("signalLossMinutes: between 5 and 1440".into()));
        }
        if !(1..=50).contains(&c.battery_low_percent) {
            return Err(ConfigError("batteryLowPercent: between 1 and 50".into()));
        }
        Ok(())
    }

    /// The organisation's settings from its stored configuration (defaults when absent).
    pub fn from_stored(raw: Option<&serde_json::Value>) -> Self {
        raw.and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
}

/// Days positions are kept (`HAMKOR_EM_RETENTION_DAYS`, default 90).
pub fn retention_days_from_env() -> anyhow::Result<u32> {
    match std::env::var("HAMKOR_EM_RETENTION_DAYS") {
        Ok(v) => {
            let days: u32 = v
                .parse()
                .map_err(|_| anyhow::anyhow!("HAMKOR_EM_RETENTION_DAYS: a number of days"))?;
            anyhow::ensure!((1..=3650).contains(&days), "HAMKOR_EM_RETENTION_DAYS: 1 to 3650");
            Ok(days)
        }
        Err(_) => Ok(90),
    }
}

/// The broker the MQTT door subscribes to: off unless `HAMKOR_MQTT_URL` is set.
#[derive(Debug, Clone)]
pub struct MqttSettings {
    /// `mqtt://host:1883` or `mqtts://host:8883` (credentials as `user:password@`).
    pub url: String,
    /// The client id of the persistent session (`HAMKOR_MQTT_CLIENT_ID`, default
    /// `hamkor-em`): the broker keeps QoS 1 messages for it while it is away.
    pub client_id: String,
}

impl MqttSettings {
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let Ok(url) = std::env::var("HAMKOR_MQTT_URL") else {
            return Ok(None);
        };
        if url.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(Self {
            url,
            client_id: std::env::var("HAMKOR_MQTT_CLIENT_ID").unwrap_or_else(|_| "hamkor-em".into()),
        }))
    }
}
