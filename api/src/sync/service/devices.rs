//! Field devices: a sync session is tied to a device its user registered (the app's own
//! installation id, the model, the app version). An organisation's admin sees its
//! users' devices and revokes a lost one; the revoked device's next pull is told to
//! wipe what it holds.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::sync::entity::device;
use crate::user::entity::Role;
use crate::validate;

/// What a device says of itself when it registers.
pub struct NewDevice {
    pub device_key: String,
    pub model: String,
    pub app_version: String,
}

/// Register the caller's device, or refresh its model and app version. A revoked
/// device stays revoked: the app must be installed anew (a new key).
pub async fn register_device(
    db: &DatabaseConnection,
    p: &Principal,
    new: NewDevice,
) -> ApiResult<device::Model> {
    let key = validate::required("input.deviceKey", &new.device_key, 128)?;
    let model = validate::required("input.model", &new.model, 128)?;
    let app_version = validate::required("input.appVersion", &new.app_version, 32)?;
    let txn = write_txn(db).await?;
    let existing = device::Entity::find()
        .filter(device::Column::UserId.eq(p.user_id))
        .filter(device::Column::DeviceKey.eq(key.clone()))
        .one(&txn)
        .await?;
    let row = match existing {
        Some(d) if d.revoked_at.is_some() => {
            return Err(ApiError::Forbidden(
                "this device was revoked; install the app anew to register it".into(),
            ));
        }
        Some(d) => {
            let mut d: device::ActiveModel = d.into();
            d.model = Set(model);
            d.app_version = Set(app_version);
            d.update(&txn).await?
        }
        None => {
            device::ActiveModel {
                user_id: Set(p.user_id),
                organisation_id: Set(p.organisation_id),
                device_key: Set(key),
                model: Set(model),
                app_version: Set(app_version),
                registered_at: Set(now()),
                last_seen_at: Set(None),
                revoked_at: Set(None),
                revoked_by: Set(None),
                pull_seq: Set(0),
                acked_seq: Set(0),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        p,
        Entry::new("sync_device.register")
            .target("SyncDevice", row.id)
            .detail(json!({"appVersion": row.app_version})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The caller's own device (another user's is not found).
pub async fn own<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<device::Model> {
    device::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| d.user_id == p.user_id)
        .ok_or(ApiError::NotFound("SyncDevice"))
}

/// The devices the caller may see: their own; an organisation admin's organisation's;
/// every one for the platform admin.
fn visible(p: &Principal) -> Condition {
    if p.is_platform_admin() {
        return Condition::all();
    }
    let mut any = Condition::any().add(device::Column::UserId.eq(p.user_id));
    if p.has_role(Role::OrgAdmin) {
        any = any.add(device::Column::OrganisationId.eq(p.organisation_id));
    }
    any
}

/// Devices the caller may see, newest first.
pub async fn list_devices(
    db: &DatabaseConnection,
    p: &Principal,
    page: Page,
) -> ApiResult<Paged<device::Model>> {
    paginate(
        db,
        device::Entity::find().filter(visible(p)),
        device::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

/// One device the caller may see (`node(id)`); none for anyone else.
pub async fn get_device(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<Option<device::Model>> {
    Ok(device::Entity::find_by_id(id).filter(visible(p)).one(db).await?)
}

/// Revoke a device (its user, their organisation's admin, or the platform admin).
pub async fn revoke_device(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<device::Model> {
    let txn = write_txn(db).await?;
    let d = device::Entity::find_by_id(id)
        .filter(visible(p))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("SyncDevice"))?;
    if d.revoked_at.is_some() {
        return Ok(d);
    }
    let mut d: device::ActiveModel = d.into();
    d.revoked_at = Set(Some(now()));
    d.revoked_by = Set(Some(p.user_id));
    let d = d.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("sync_device.revoke")
            .target("SyncDevice", d.id)
            .detail(json!({"userId": d.user_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(d)
}
