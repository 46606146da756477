//! A simulator of tag feeds, for the demo, the tests and the benchmark: nights at home,
//! days around the district, scripted breaches and tampers, as the feed's wire format
//! ([`crate::ingest::message`]); and the Standard Webhooks headers a vendor sends.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use hamkor_api::case::geofence::CASE_TZ;
use hamkor_api::webhook::signature;

use crate::ingest::message::{Body, Event, TamperPart};

/// Metres north of `home` as a latitude offset.
fn north(m: f64) -> f64 {
    m / 110_574.0
}

/// A UTC time from a local (Tashkent) date and time.
pub fn local(date: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    CASE_TZ
        .from_local_datetime(&date.and_time(t))
        .single()
        .map_or_else(
            || Utc.from_utc_datetime(&date.and_time(t)),
            |d| d.with_timezone(&Utc),
        )
}

/// One position fix.
pub fn fix(serial: &str, id: String, at: DateTime<Utc>, lat: f64, lon: f64, accuracy_m: f64) -> Event {
    Event {
        id,
        serial: Some(serial.to_owned()),
        at,
        body: Body::Position {
            lat,
            lon,
            accuracy_m,
            speed: Some(0.0),
            heading: None,
        },
    }
}

/// A night: a fix a minute from `from` to `to` (local, `to` may be the next morning), at
/// home except for `breach` (local start, minutes) spent `away_m` metres north. A little
/// jitter (±10 m) on every fix, as a real receiver gives.
pub fn night(
    serial: &str,
    home: (f64, f64),
    date: NaiveDate,
    from: NaiveTime,
    minutes: i64,
    breach: Option<(NaiveTime, i64)>,
    away_m: f64,
) -> Vec<Event> {
    let start = local(date, from);
    let out = breach.map(|(t, m)| {
        let s = local(date, t);
        (s, s + Duration::minutes(m))
    });
    (0..minutes)
        .map(|i| {
            let at = start + Duration::minutes(i);
            let jitter = ((i * 7919) % 21 - 10) as f64;
            let away = out.is_some_and(|(s, e)| s <= at && at < e);
            let d = if away { away_m } else { 0.0 } + jitter;
            fix(
                serial,
                format!("{serial}-{}", at.timestamp()),
                at,
                home.0 + north(d),
                home.1,
                12.0,
            )
        })
        .collect()
}

/// A day around the district: fixes every `every` minutes walking up to ~3 km away.
pub fn day(serial: &str, home: (f64, f64), date: NaiveDate, every: i64) -> Vec<Event> {
    let start = local(date, NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default());
    (0..(12 * 60 / every.max(1)))
        .map(|i| {
            let at = start + Duration::minutes(i * every);
            let phase = i as f64 / 20.0;
            fix(
                serial,
                format!("{serial}-{}", at.timestamp()),
                at,
                home.0 + north(3_000.0 * phase.sin().abs()),
                home.1 + north(1_500.0 * phase.cos()),
                15.0,
            )
        })
        .collect()
}

/// A strap tamper at `at`.
pub fn tamper(serial: &str, at: DateTime<Utc>) -> Event {
    Event {
        id: format!("{serial}-tamper-{}", at.timestamp()),
        serial: Some(serial.to_owned()),
        at,
        body: Body::Tamper {
            part: TamperPart::Strap,
        },
    }
}

/// A batch as the HTTPS door takes it.
pub fn batch(events: &[Event]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "events": events })).unwrap_or_default()
}

/// The headers a vendor signs a batch with: (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`).
pub fn signed(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> (String, String, String) {
    (
        msg_id.to_owned(),
        timestamp.to_string(),
        signature::header(&[secret], msg_id, timestamp, body),
    )
}

/// The vendor saying the signal was lost (`lost`) or is back, at `at`.
pub fn signal(serial: &str, at: DateTime<Utc>, lost: bool) -> Event {
    let (body, what) = if lost {
        (Body::SignalLost, "lost")
    } else {
        (Body::SignalRestored, "restored")
    };
    Event {
        id: format!("{serial}-signal-{what}-{}", at.timestamp()),
        serial: Some(serial.to_owned()),
        at,
        body,
    }
}
