//! A fleet for the benchmark: a vendor, and for each of the first `devices` cases of the
//! database a curfew with a home zone, an ankle tag and its activation, written in bulk.

use chrono::{Duration, NaiveTime};
use hamkor_api::case::entity::{ConditionKind, case, condition};
use hamkor_api::case::geofence::Geofence;
use hamkor_api::db::now;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{DeviceKind, activation, device, vendor};

/// One fitted device.
#[derive(Debug, Clone)]
pub struct Tagged {
    pub serial: String,
    pub case_id: i64,
    pub home: (f64, f64),
}

/// The vendor and its fitted devices.
pub struct Fleet {
    pub vendor: vendor::Model,
    pub tagged: Vec<Tagged>,
}

/// Fit `devices` tags (the database must hold that many cases).
pub async fn fleet(db: &DatabaseConnection, devices: usize, prefix: &str) -> anyhow::Result<Fleet> {
    let cases = case::Entity::find()
        .order_by_asc(case::Column::Id)
        .limit(devices as u64)
        .all(db)
        .await?;
    anyhow::ensure!(cases.len() == devices, "the database holds {} cases", cases.len());
    let at = now();
    let v = vendor::Entity::insert(vendor::ActiveModel {
        name: Set(format!("Bench {prefix}")),
        topic_prefix: Set(prefix.to_owned()),
        signing_secret: Set(hamkor_api::webhook::signature::new_secret()),
        active: Set(true),
        created_by: Set(1),
        created_at: Set(at),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?;
    let tagged: Vec<Tagged> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| Tagged {
            serial: format!("{prefix}-{i:06}"),
            case_id: c.id,
            home: (
                41.20 + (i % 100) as f64 * 0.002,
                69.15 + (i / 100 % 100) as f64 * 0.002,
            ),
        })
        .collect();
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0);
    for (chunk, cs) in tagged.chunks(500).zip(cases.chunks(500)) {
        let conditions = chunk.iter().map(|d| condition::ActiveModel {
            case_id: Set(d.case_id),
            kind: Set(ConditionKind::Curfew),
            curfew_start: Set(t(22)),
            curfew_end: Set(t(6)),
            geofence: Set(Geofence::circle("bench", d.home.0, d.home.1, 150.0)
                .ok()
                .map(|g| g.to_json())),
            created_by: Set(1),
            created_at: Set(at),
            ..Default::default()
        });
        condition::Entity::insert_many(conditions).exec(db).await?;
        let devices = chunk.iter().zip(cs).map(|(d, c)| device::ActiveModel {
            vendor_id: Set(v.id),
            organisation_id: Set(c.organisation_id),
            serial: Set(d.serial.clone()),
            kind: Set(DeviceKind::AnkleTag),
            created_by: Set(1),
            created_at: Set(at),
            ..Default::default()
        });
        device::Entity::insert_many(devices).exec(db).await?;
    }
    let rows = device::Entity::find()
        .filter(device::Column::VendorId.eq(v.id))
        .all(db)
        .await?;
    let by_serial: std::collections::HashMap<_, _> =
        rows.into_iter().map(|d| (d.serial.clone(), d)).collect();
    let fitted = at - Duration::days(30);
    for (chunk, cs) in tagged.chunks(500).zip(cases.chunks(500)) {
        let acts = chunk.iter().zip(cs).filter_map(|(d, c)| {
            let dev = by_serial.get(&d.serial)?;
            Some(activation::ActiveModel {
                device_id: Set(dev.id),
                case_id: Set(c.id),
                organisation_id: Set(c.organisation_id),
                device_kind: Set(DeviceKind::AnkleTag),
                fitted_at: Set(fitted),
                fitted_by: Set(1),
                created_at: Set(at),
                last_heard_at: Set(Some(at)),
                ..Default::default()
            })
        });
        activation::Entity::insert_many(acts).exec(db).await?;
    }
    Ok(Fleet { vendor: v, tagged })
}
