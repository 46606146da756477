//! The feed's wire format: JSON, one event or a batch `{"events": [...]}`.
//!
//! ```json
//! {"id": "evt-1", "serial": "TAG-1", "kind": "POSITION", "at": "2026-12-07T18:10:00Z",
//!  "lat": 41.28, "lon": 69.2, "accuracyM": 12, "speed": 1.2, "heading": 90}
//! {"id": "evt-2", "serial": "TAG-1", "kind": "TAMPER", "at": "…", "part": "STRAP"}
//! {"id": "evt-3", "serial": "HU-1", "kind": "PRESENCE", "at": "…", "inRange": false}
//! {"id": "evt-4", "serial": "TAG-1", "kind": "BATTERY", "at": "…", "level": 8}
//! {"id": "evt-5", "serial": "TAG-1", "kind": "SIGNAL_LOST" | "SIGNAL_RESTORED", "at": "…"}
//! {"id": "evt-6", "serial": "TAG-1", "kind": "FAULT", "at": "…", "code": "GPS_MODULE"}
//! ```
//!
//! `id` is the vendor's event id (deduplication); `serial` may be left out on MQTT,
//! where the topic names the device.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A parsed event of a device.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The vendor's id of the event (1–128 characters).
    pub id: String,
    #[serde(default)]
    pub serial: Option<String>,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub body: Body,
}

/// What the event says.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Body {
    #[serde(rename_all = "camelCase")]
    Position {
        lat: f64,
        lon: f64,
        accuracy_m: f64,
        #[serde(default)]
        speed: Option<f64>,
        #[serde(default)]
        heading: Option<f64>,
    },
    #[serde(rename_all = "camelCase")]
    Presence {
        in_range: bool,
    },
    Tamper {
        /// `STRAP` or `CASE`.
        part: TamperPart,
    },
    Battery {
        /// Percent, 0–100.
        level: u8,
    },
    SignalLost,
    SignalRestored,
    Fault {
        code: String,
    },
}

/// What was tampered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TamperPart {
    Strap,
    Case,
}

impl Body {
    /// The kind's name as the feed spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Position { .. } => "POSITION",
            Self::Presence { .. } => "PRESENCE",
            Self::Tamper { .. } => "TAMPER",
            Self::Battery { .. } => "BATTERY",
            Self::SignalLost => "SIGNAL_LOST",
            Self::SignalRestored => "SIGNAL_RESTORED",
            Self::Fault { .. } => "FAULT",
        }
    }
}

/// One element of a message: an event, or why it could not be read (with its bytes).
#[derive(Debug)]
pub enum Parsed {
    Event(Event),
    Malformed { error: String, raw: Vec<u8> },
}

/// Split a message into its events. `Err` when the message as a whole is unreadable.
pub fn parse(raw: &[u8]) -> Result<Vec<Parsed>, String> {
    let value: Json = serde_json::from_slice(raw).map_err(|e| format!("not JSON: {e}"))?;
    let items = match value {
        Json::Object(ref map) if map.contains_key("events") => match map.get("events") {
            Some(Json::Array(items)) => items.clone(),
            _ => return Err("events: must be an array".into()),
        },
        Json::Object(_) => vec![value],
        Json::Array(items) => items,
        _ => return Err("a message is an event object or {\"events\": [...]}".into()),
    };
    if items.len() > super::MAX_EVENTS_PER_MESSAGE {
        return Err(format!(
            "at most {} events in one message",
            super::MAX_EVENTS_PER_MESSAGE
        ));
    }
    Ok(items.into_iter().map(one).collect())
}

fn one(item: Json) -> Parsed {
    let raw = || serde_json::to_vec(&item).unwrap_or_default();
    match serde_json::from_value::<Event>(item.clone()) {
        Ok(e) => match check(&e) {
            Ok(()) => Parsed::Event(e),
            Err(error) => Parsed::Malformed { error, raw: raw() },
        },
        Err(e) => Parsed::Malformed {
            error: e.to_string(),
            raw: raw(),
        },
    }
}

fn check(e: &Event) -> Result<(), String> {
    if e.id.is_empty() || e.id.len() > 128 {
        return Err("id: 1 to 128 characters".into());
    }
    if e.serial.as_ref().is_some_and(|s| s.is_empty() || s.len() > 64) {
        return Err("serial: 1 to 64 characters".into());
    }
    match &e.body {
        Body::Position {
            lat, lon, accuracy_m, ..
        } => {
            if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon) {
                return Err("lat/lon: out of range".into());
            }
            if !accuracy_m.is_finite() || *accuracy_m < 0.0 || *accuracy_m > 100_000.0 {
                return Err("accuracyM: 0 to 100000 metres".into());
            }
        }
        Body::Battery { level } if *level > 100 => return Err("level: 0 to 100".into()),
        Body::Fault { code } if code.is_empty() || code.len() > 64 => {
            return Err("code: 1 to 64 characters".into());
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_splits_into_events_and_malformed_ones() {
        let raw = br#"{"events": [
            {"id": "a", "serial": "T1", "kind": "POSITION", "at": "2026-12-07T18:10:00Z", "lat": 41.28, "lon": 69.2, "accuracyM": 10},
            {"id": "b", "serial": "T1", "kind": "TAMPER", "at": "2026-12-07T18:11:00Z", "part": "STRAP"},
            {"id": "c", "serial": "T1", "kind": "POSITION", "at": "yesterday"},
            {"id": "d", "serial": "T1", "kind": "BATTERY", "at": "2026-12-07T18:11:00Z", "level": 300}
        ]}"#;
        let parsed = parse(raw).expect("readable");
        let ok = parsed.iter().filter(|p| matches!(p, Parsed::Event(_))).count();
        assert_eq!((ok, parsed.len()), (2, 4));
    }

    #[test]
    fn garbage_is_unreadable() {
        assert!(parse(b"\x00\x01 not json").is_err());
        assert!(parse(b"42").is_err());
    }
}
