//! The module's part of the Samarqand demo (`Module::seed_demo`): a vendor ("Demo Tags",
//! code `demo-tags`), an ankle tag of the probation service fitted three days ago to
//! Nazarov Jasur's case, a 22:00–06:00 curfew with a 150 m home zone on that case, and
//! the tag's feed of the last whole night and the day after, through the same pipeline
//! the doors use: out of the home zone from 23:10 for 25 minutes, which opens a CURFEW
//! incident (its alerts follow when the server's early-warning engine runs).

use chrono::{Duration, NaiveTime, Timelike};
use hamkor_api::auth::principal::{Principal, RequestMeta};
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::case::conditions::{self, RawCondition};
use hamkor_api::case::entity::{ConditionKind, case};
use hamkor_api::case::geofence::{CASE_TZ, Geofence};
use hamkor_api::case::service::add_condition;
use hamkor_api::db::now;
use hamkor_api::error::ApiError;
use hamkor_api::person::entity as person;
use hamkor_api::state::AppState;
use hamkor_api::user::entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{DeviceKind, IngestSource, vendor};
use crate::ingest::pipeline;
use crate::service::equipment;
use crate::sim;

/// The demo vendor's code (its `hamkor-vendor` header and MQTT topic prefix).
pub const VENDOR_CODE: &str = "demo-tags";
/// The demo tag.
pub const SERIAL: &str = "DEMO-TAG-0001";
/// The tagged person (Nazarov Jasur).
const PINFL: &str = "31203951234568";
/// Home, near the Registon (latitude, longitude).
pub const HOME: (f64, f64) = (39.6547, 66.9750);

fn err(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
    }
}

async fn as_user(st: &AppState, username: &str) -> anyhow::Result<Option<Principal>> {
    let Some(u) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&st.db)
        .await?
    else {
        return Ok(None);
    };
    let meta = RequestMeta {
        request_id: String::new(),
        client: Some("seed".to_owned()),
        address: "local".to_owned(),
        device: None,
    };
    Ok(Some(
        load_principal(&st.db, u.id, Via::LocalTask, meta)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    ))
}

/// Load the module's demo (once: nothing when the demo vendor is there).
pub async fn load(st: &AppState) -> anyhow::Result<()> {
    let db = &st.db;
    if vendor::Entity::find()
        .filter(vendor::Column::TopicPrefix.eq(VENDOR_CODE))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let (Some(admin), Some(officer)) = (
        as_user(st, hamkor_api::bootstrap::ADMIN_USERNAME).await?,
        as_user(st, "officer.samarqand").await?,
    ) else {
        return Ok(());
    };
    let Some(person) = person::Entity::find()
        .filter(person::Column::Pinfl.eq(PINFL))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(case) = case::Entity::find()
        .filter(case::Column::PersonId.eq(person.id))
        .order_by_desc(case::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let curfew = conditions::parse(
        "demo",
        ConditionKind::Curfew,
        RawCondition {
            curfew_start: NaiveTime::from_hms_opt(22, 0, 0),
            curfew_end: NaiveTime::from_hms_opt(6, 0, 0),
            description: Some("Electronic monitoring: at home from 22:00 to 06:00".to_owned()),
            geofence: Some(Geofence::circle("demo.geofence", HOME.0, HOME.1, 150.0).map_err(err)?),
            ..Default::default()
        },
    )
    .map_err(err)?;
    add_condition(db, &officer, case.id, curfew).await.map_err(err)?;
    let v = equipment::register_vendor(db, &admin, "Demo Tags", VENDOR_CODE)
        .await
        .map_err(err)?;
    let d = equipment::register_device(db, &officer, v.id, SERIAL, DeviceKind::AnkleTag)
        .await
        .map_err(err)?;
    let at = now();
    equipment::fit(db, &officer, d.id, case.id, Some(at - Duration::days(3)))
        .await
        .map_err(err)?;

    // The last night that is over (local time), and the day after it up to now.
    let local = at.with_timezone(&CASE_TZ);
    let back = if local.hour() >= 7 { 1 } else { 2 };
    let night = local.date_naive() - Duration::days(back);
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let mut events = sim::night(
        SERIAL,
        HOME,
        night,
        t(21, 0),
        9 * 60,
        Some((t(23, 10), 25)),
        700.0,
    );
    events.extend(sim::day(SERIAL, HOME, night + Duration::days(1), 10));
    events.retain(|e| e.at <= at);
    pipeline::ingest(st, &v, IngestSource::Https, &sim::batch(&events), None).await?;
    Ok(())
}
