//! The one pipeline both doors feed: parse, set aside what cannot be read (dead letters)
//! or placed (quarantine), store each event once (the vendor's event id), then judge
//! every activation the message touched, in fix-time order, in the same transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use hamkor_api::db::{now, write_txn};
use hamkor_api::state::AppState;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::MAX_DEAD_LETTER_BYTES;
use super::message::{self, Body, Event, Parsed};
use crate::entity::{
    IngestSource, QuarantineReason, activation, dead_letter, device, device_event, position, quarantine,
    vendor,
};
use crate::service::{judging, silence};

/// What became of a message's events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// Stored and judged.
    pub accepted: usize,
    /// Seen before (the same vendor event id): ignored.
    pub duplicates: usize,
    /// For an unknown or unfitted device: set aside for the platform admin.
    pub quarantined: usize,
    /// Unreadable: in the dead letters.
    pub malformed: usize,
}

/// Take one message from `vendor` through the pipeline. `topic_serial` is the device
/// the MQTT topic names (events may then leave `serial` out).
pub async fn ingest(
    app: &AppState,
    vendor: &vendor::Model,
    source: IngestSource,
    raw: &[u8],
    topic_serial: Option<&str>,
) -> anyhow::Result<Outcome> {
    let mut out = Outcome::default();
    let items = match message::parse(raw) {
        Ok(items) => items,
        Err(error) => {
            dead_letter(&app.db, Some(vendor.id), source, &error, raw).await?;
            out.malformed = 1;
            return Ok(out);
        }
    };
    let mut events = Vec::with_capacity(items.len());
    let txn = write_txn(&app.db).await?;
    for item in items {
        match item {
            Parsed::Event(mut e) => {
                if e.serial.is_none() {
                    e.serial = topic_serial.map(str::to_owned);
                }
                if e.serial.is_some() {
                    events.push(e);
                } else {
                    let bytes = serde_json::to_vec(&e).unwrap_or_default();
                    dead_letter(&txn, Some(vendor.id), source, "serial: missing", &bytes).await?;
                    out.malformed += 1;
                }
            }
            Parsed::Malformed { error, raw } => {
                dead_letter(&txn, Some(vendor.id), source, &error, &raw).await?;
                out.malformed += 1;
            }
        }
    }
    // Fix-time order within the message; across messages the judge re-reads the
    // activation's fixes in time order, so a buffered upload that arrives late is judged
    // where it belongs.
    events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));

    let mut places = Placer::default();
    let mut touched: BTreeMap<i64, Touched> = BTreeMap::new();
    for e in events {
        let serial = e.serial.clone().unwrap_or_default();
        let act = match places.place(&txn, vendor.id, &serial, e.at).await? {
            Ok(act) => act,
            Err(reason) => {
                if quarantine(&txn, vendor.id, &serial, reason, &e).await? {
                    out.quarantined += 1;
                } else {
                    out.duplicates += 1;
                }
                continue;
            }
        };
        let entry = touched.entry(act.id).or_insert_with(|| Touched {
            activation: act.clone(),
            earliest_fix: None,
            events: Vec::new(),
        });
        if store(&txn, vendor.id, &act, &e, entry).await? {
            out.accepted += 1;
        } else {
            out.duplicates += 1;
        }
    }
    let received = now();
    for t in touched.values() {
        let act = judging::judge(&txn, &app.modules, &t.activation, t.earliest_fix, &t.events).await?;
        // Anything new from the device but its vendor saying the signal is lost.
        let heard = t.earliest_fix.is_some() || t.events.iter().any(|e| e.kind != "SIGNAL_LOST");
        if let Some(act) = act.filter(|_| heard) {
            silence::heard(&txn, &act, received).await?;
        }
    }
    txn.commit().await?;
    Ok(out)
}

/// What a message changed for one activation.
struct Touched {
    activation: activation::Model,
    earliest_fix: Option<DateTime<Utc>>,
    events: Vec<device_event::Model>,
}

/// Finds the activation a device was fitted under at a time (cached per message).
#[derive(Default)]
struct Placer {
    devices: HashMap<String, Option<(device::Model, Vec<activation::Model>)>>,
}

impl Placer {
    async fn place<C: ConnectionTrait>(
        &mut self,
        db: &C,
        vendor_id: i64,
        serial: &str,
        at: DateTime<Utc>,
    ) -> Result<Result<activation::Model, QuarantineReason>, DbErr> {
        if !self.devices.contains_key(serial) {
            let found = device::Entity::find()
                .filter(device::Column::VendorId.eq(vendor_id))
                .filter(device::Column::Serial.eq(serial))
                .one(db)
                .await?;
            let entry = match found {
                Some(d) => {
                    let acts = activation::Entity::find()
                        .filter(activation::Column::DeviceId.eq(d.id))
                        .order_by_asc(activation::Column::FittedAt)
                        .all(db)
                        .await?;
                    Some((d, acts))
                }
                None => None,
            };
            self.devices.insert(serial.to_owned(), entry);
        }
        Ok(match self.devices.get(serial).and_then(Option::as_ref) {
            None => Err(QuarantineReason::UnknownDevice),
            Some((_, acts)) => acts
                .iter()
                .find(|a| a.fitted_at <= at && a.removed_at.is_none_or(|r| at < r))
                .cloned()
                .ok_or(QuarantineReason::NotFitted),
        })
    }
}

/// Store an event once; `false` when the vendor sent it before.
async fn store<C: ConnectionTrait>(
    db: &C,
    vendor_id: i64,
    act: &activation::Model,
    e: &Event,
    t: &mut Touched,
) -> Result<bool, DbErr> {
    let received = now();
    if let Body::Position {
        lat,
        lon,
        accuracy_m,
        speed,
        heading,
    } = &e.body
    {
        let row = position::ActiveModel {
            activation_id: Set(act.id),
            vendor_id: Set(vendor_id),
            vendor_event_id: Set(e.id.clone()),
            fix_at: Set(e.at),
            lat: Set(*lat),
            lon: Set(*lon),
            accuracy_m: Set(*accuracy_m),
            speed_mps: Set(*speed),
            heading_deg: Set(*heading),
            received_at: Set(received),
            ..Default::default()
        };
        let n = position::Entity::insert(row)
            .on_conflict(
                // The fix time is part of the key: PostgreSQL partitions positions by it.
                OnConflict::columns([
                    position::Column::VendorId,
                    position::Column::VendorEventId,
                    position::Column::FixAt,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        if n == 0 {
            return Ok(false);
        }
        t.earliest_fix = Some(t.earliest_fix.map_or(e.at, |x| x.min(e.at)));
        return Ok(true);
    }
    let detail = serde_json::to_value(&e.body).unwrap_or_default();
    let row = device_event::ActiveModel {
        activation_id: Set(act.id),
        vendor_id: Set(vendor_id),
        vendor_event_id: Set(e.id.clone()),
        kind: Set(e.body.kind().to_owned()),
        at: Set(e.at),
        detail: Set(detail),
        received_at: Set(received),
        ..Default::default()
    };
    let n = device_event::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                device_event::Column::VendorId,
                device_event::Column::VendorEventId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let stored = device_event::Entity::find()
        .filter(device_event::Column::VendorId.eq(vendor_id))
        .filter(device_event::Column::VendorEventId.eq(e.id.as_str()))
        .one(db)
        .await?;
    t.events.extend(stored);
    Ok(true)
}

/// Set an event aside; `false` when it already was.
async fn quarantine<C: ConnectionTrait>(
    db: &C,
    vendor_id: i64,
    serial: &str,
    reason: QuarantineReason,
    e: &Event,
) -> Result<bool, DbErr> {
    let row = quarantine::ActiveModel {
        vendor_id: Set(vendor_id),
        vendor_event_id: Set(e.id.clone()),
        serial: Set(serial.chars().take(64).collect()),
        reason: Set(reason),
        event_at: Set(e.at),
        payload: Set(serde_json::to_value(e).unwrap_or_default()),
        received_at: Set(now()),
        ..Default::default()
    };
    let n = quarantine::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([quarantine::Column::VendorId, quarantine::Column::VendorEventId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(n > 0)
}

/// Keep an unreadable message (its first bytes) with the reason.
pub async fn dead_letter<C: ConnectionTrait>(
    db: &C,
    vendor_id: Option<i64>,
    source: IngestSource,
    error: &str,
    raw: &[u8],
) -> Result<(), DbErr> {
    let row = dead_letter::ActiveModel {
        vendor_id: Set(vendor_id),
        source: Set(source),
        error: Set(error.chars().take(1_000).collect()),
        raw: Set(raw[..raw.len().min(MAX_DEAD_LETTER_BYTES)].to_vec()),
        raw_len: Set(raw.len() as i64),
        received_at: Set(now()),
        ..Default::default()
    };
    dead_letter::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
