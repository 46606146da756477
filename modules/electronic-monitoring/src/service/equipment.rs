//! Vendors (the platform admin registers them), devices (a probation service's stock)
//! and activations (an officer fits a device to a case; one live activation per device
//! and per case and device kind).

use chrono::{DateTime, Utc};
use hamkor_api::access::CaseAccess;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::lifecycle;
use hamkor_api::case::service::get_for;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::enums::enum_name;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::user::entity::Role;
use hamkor_api::validate;
use hamkor_api::webhook::signature;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use crate::entity::{DeviceKind, activation, device, vendor};

fn platform_admin(p: &Principal) -> ApiResult<()> {
    if p.is_platform_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn fitter(p: &Principal) -> ApiResult<()> {
    if p.has_any_role(&[Role::ProbationOfficer, Role::OrgAdmin]) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// A vendor's MQTT topic prefix: lower-case letters, digits, `-`, `_` and `/`.
fn topic_prefix(raw: &str) -> ApiResult<String> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && !raw.starts_with('/')
        && !raw.ends_with('/')
        && !raw.contains("//")
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_/".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::bad_input(
            "input.topicPrefix",
            "1–64 of a-z, 0-9, '-', '_', '/' (not at either end)",
        ))
    }
}

/// Register a vendor; its signing secret is generated and returned once.
pub async fn register_vendor(
    db: &DatabaseConnection,
    p: &Principal,
    name: &str,
    prefix: &str,
) -> ApiResult<vendor::Model> {
    platform_admin(p)?;
    let name = validate::required("input.name", name, 200)?;
    let prefix = topic_prefix(prefix)?;
    let txn = write_txn(db).await?;
    let taken = vendor::Entity::find()
        .filter(vendor::Column::TopicPrefix.eq(prefix.as_str()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(ApiError::Conflict("another vendor has this topic prefix".into()));
    }
    let row = vendor::ActiveModel {
        name: Set(name),
        topic_prefix: Set(prefix),
        signing_secret: Set(signature::new_secret()),
        active: Set(true),
        created_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("electronic_monitoring.vendor.register").target("MonitoringVendor", row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new(
            "electronic_monitoring.vendor_registered",
            "MonitoringVendor",
            row.id,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The vendors (platform admin).
pub async fn vendors(db: &DatabaseConnection, p: &Principal, page: Page) -> ApiResult<Paged<vendor::Model>> {
    platform_admin(p)?;
    paginate(
        db,
        vendor::Entity::find(),
        vendor::Column::Id,
        page,
        Order::Ascending,
    )
    .await
}

/// The active vendor whose topic prefix (its code) is `code`.
pub async fn vendor_by_code<C: sea_orm::ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<vendor::Model>, sea_orm::DbErr> {
    vendor::Entity::find()
        .filter(vendor::Column::TopicPrefix.eq(code))
        .filter(vendor::Column::Active.eq(true))
        .one(db)
        .await
}

/// Register a device of a vendor in the caller's organisation.
pub async fn register_device(
    db: &DatabaseConnection,
    p: &Principal,
    vendor_id: i64,
    serial: &str,
    kind: DeviceKind,
) -> ApiResult<device::Model> {
    fitter(p)?;
    let serial = validate::required("input.serial", serial, 64)?;
    let txn = write_txn(db).await?;
    vendor::Entity::find_by_id(vendor_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("MonitoringVendor"))?;
    let taken = device::Entity::find()
        .filter(device::Column::VendorId.eq(vendor_id))
        .filter(device::Column::Serial.eq(serial.as_str()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(ApiError::Conflict(
            "the vendor already has a device with this serial".into(),
        ));
    }
    let row = device::ActiveModel {
        vendor_id: Set(vendor_id),
        organisation_id: Set(p.organisation_id),
        serial: Set(serial),
        kind: Set(kind),
        created_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("electronic_monitoring.device.register").target("MonitoringDevice", row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new(
            "electronic_monitoring.device_registered",
            "MonitoringDevice",
            row.id,
        )
        .organisation(row.organisation_id)
        .payload(json!({"kind": enum_name(kind)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The devices of the caller's organisation.
pub async fn devices(db: &DatabaseConnection, p: &Principal, page: Page) -> ApiResult<Paged<device::Model>> {
    fitter(p)?;
    let q = device::Entity::find().filter(device::Column::OrganisationId.eq(p.organisation_id));
    paginate(db, q, device::Column::Id, page, Order::Ascending).await
}

/// Fit a device of the caller's organisation to a case the caller leads.
pub async fn fit(
    db: &DatabaseConnection,
    p: &Principal,
    device_id: i64,
    case_id: i64,
    fitted_at: Option<DateTime<Utc>>,
) -> ApiResult<activation::Model> {
    let at = fitted_at.unwrap_or_else(now);
    if at > now() + chrono::Duration::minutes(5) {
        return Err(ApiError::bad_input("input.fittedAt", "must not be in the future"));
    }
    let txn = write_txn(db).await?;
    let d = device::Entity::find_by_id(device_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|d| d.organisation_id == p.organisation_id)
        .ok_or(ApiError::NotFound("MonitoringDevice"))?;
    let (c, _) = get_for(&txn, p, case_id, CaseAccess::Full).await?;
    if lifecycle::is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let live = |col: activation::Column, v: i64| {
        activation::Entity::find()
            .filter(col.eq(v))
            .filter(activation::Column::RemovedAt.is_null())
    };
    if live(activation::Column::DeviceId, d.id)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(
            "the device is fitted to someone; remove it first".into(),
        ));
    }
    let same_kind = live(activation::Column::CaseId, c.id)
        .filter(activation::Column::DeviceKind.eq(d.kind))
        .one(&txn)
        .await?;
    if same_kind.is_some() {
        return Err(ApiError::Conflict(
            "the case already has a live device of this kind; remove it first".into(),
        ));
    }
    let row = activation::ActiveModel {
        device_id: Set(d.id),
        case_id: Set(c.id),
        organisation_id: Set(c.organisation_id),
        device_kind: Set(d.kind),
        fitted_at: Set(at),
        fitted_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("electronic_monitoring.device.fit")
            .target("MonitoringActivation", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new(
            "electronic_monitoring.device_fitted",
            "MonitoringActivation",
            row.id,
        )
        .case(c.id)
        .organisation(c.organisation_id)
        .payload(json!({"deviceKind": enum_name(d.kind)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// End an activation (the device comes off), with the reason.
pub async fn remove(
    db: &DatabaseConnection,
    p: &Principal,
    activation_id: i64,
    reason: &str,
) -> ApiResult<activation::Model> {
    let reason = validate::required("input.reason", reason, 2_000)?;
    let txn = write_txn(db).await?;
    let a = activation::Entity::find_by_id(activation_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("MonitoringActivation"))?;
    let (c, _) = get_for(&txn, p, a.case_id, CaseAccess::Full)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("MonitoringActivation"),
            other => other,
        })?;
    if a.removed_at.is_some() {
        return Err(ApiError::Conflict("the device was already removed".into()));
    }
    let mut m: activation::ActiveModel = a.into();
    m.removed_at = Set(Some(now()));
    m.removed_by = Set(Some(p.user_id));
    m.removal_reason = Set(Some(reason));
    let row = m.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("electronic_monitoring.device.remove")
            .target("MonitoringActivation", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new(
            "electronic_monitoring.device_removed",
            "MonitoringActivation",
            row.id,
        )
        .case(c.id)
        .organisation(c.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
