//! Devices, pull pages and conflicts as the API shows them.

use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::context::{loaders, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::sync::entity::{SyncKind, SyncResolution, conflict, device};
use crate::sync::kind::RecordKind;
use crate::sync::service::{self, PullPage};
use crate::user::graphql::User;

/// A registered field device.
pub struct SyncDevice(pub device::Model);

#[Object]
impl SyncDevice {
    pub async fn id(&self) -> ID {
        ids::encode("SyncDevice", self.0.id)
    }
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.user_id).await?.map(User))
    }
    /// The app's own id of its installation.
    async fn device_key(&self) -> &str {
        &self.0.device_key
    }
    async fn model(&self) -> &str {
        &self.0.model
    }
    async fn app_version(&self) -> &str {
        &self.0.app_version
    }
    async fn registered_at(&self) -> DateTime<Utc> {
        self.0.registered_at
    }
    /// The last pull or push.
    async fn last_seen_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_seen_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// Fetch a device for `node(id)`: its user's, their organisation admin's, the platform
/// admin's; null for anyone else.
pub async fn fetch_device(ctx: &Context<'_>, id: i64) -> Result<Option<SyncDevice>> {
    let p = principal(ctx)?;
    Ok(service::get_device(&state(ctx)?.db, p, id).await?.map(SyncDevice))
}

/// Fetch a conflict for `node(id)`: for whom it lists it (whose change it was, the
/// officer in full charge of the case); null for anyone else.
pub async fn fetch_conflict(ctx: &Context<'_>, id: i64) -> Result<Option<SyncConflict>> {
    let p = principal(ctx)?;
    Ok(service::get_conflict(&state(ctx)?.db, p, id)
        .await?
        .map(SyncConflict))
}

/// A record sent to a device: its fields as the caller's reads show them, with its
/// `version` (pass it back as `baseVersion`).
#[derive(SimpleObject)]
pub struct SyncRecord {
    pub kind: SyncKind,
    /// A module's kind (`<module id>.<name>`) when `kind` is MODULE.
    pub module_kind: Option<String>,
    pub id: ID,
    pub data: Json<serde_json::Value>,
}

/// A record the device must drop: deleted, or no longer within its user's sight.
#[derive(SimpleObject)]
pub struct SyncTombstone {
    pub kind: SyncKind,
    /// A module's kind when `kind` is MODULE.
    pub module_kind: Option<String>,
    pub id: ID,
}

/// The global id of a record of `kind`.
pub fn global_id(ctx: &Context<'_>, kind: &RecordKind, id: i64) -> Result<ID> {
    Ok(ids::encode(&kind.type_name(&state(ctx)?.modules), id))
}

/// One page of a pull.
pub struct SyncPullPage(pub PullPage);

#[Object]
impl SyncPullPage {
    /// The device was revoked: delete everything synced and sign out. Nothing else is sent.
    async fn wipe(&self) -> bool {
        self.0.wipe
    }
    async fn records(&self, ctx: &Context<'_>) -> Result<Vec<SyncRecord>> {
        self.0
            .records
            .iter()
            .map(|r| {
                Ok(SyncRecord {
                    kind: r.kind.kind(),
                    module_kind: r.kind.module_kind().map(str::to_owned),
                    id: global_id(ctx, &r.kind, r.id)?,
                    data: Json(r.data.clone()),
                })
            })
            .collect()
    }
    async fn tombstones(&self, ctx: &Context<'_>) -> Result<Vec<SyncTombstone>> {
        self.0
            .tombstones
            .iter()
            .map(|(kind, id)| {
                Ok(SyncTombstone {
                    kind: kind.kind(),
                    module_kind: kind.module_kind().map(str::to_owned),
                    id: global_id(ctx, kind, *id)?,
                })
            })
            .collect()
    }
    /// Pass as `after` to confirm this page and get the next.
    async fn cursor(&self) -> &str {
        &self.0.cursor
    }
    /// More is waiting: pull again with `cursor`.
    async fn has_more(&self) -> bool {
        self.0.has_more
    }
}

/// A field that both a device and someone else changed to different values: not
/// applied, kept until a person settles it.
pub struct SyncConflict(pub conflict::Model);

#[Object]
impl SyncConflict {
    pub async fn id(&self) -> ID {
        ids::encode("SyncConflict", self.0.id)
    }
    async fn kind(&self) -> SyncKind {
        RecordKind::from_stored(&self.0.kind).kind()
    }
    /// A module's kind when `kind` is MODULE.
    async fn module_kind(&self) -> Option<String> {
        RecordKind::from_stored(&self.0.kind)
            .module_kind()
            .map(str::to_owned)
    }
    /// The record's global id.
    async fn record_id(&self, ctx: &Context<'_>) -> Result<ID> {
        global_id(ctx, &RecordKind::from_stored(&self.0.kind), self.0.record_id)
    }
    async fn case_id(&self) -> ID {
        ids::encode("Case", self.0.case_id)
    }
    async fn field(&self) -> &str {
        &self.0.field
    }
    /// The value the phone's change started from.
    async fn base_value(&self) -> Json<serde_json::Value> {
        Json(self.0.base_value.clone().unwrap_or_default())
    }
    /// The phone's value.
    async fn phone_value(&self) -> Json<serde_json::Value> {
        Json(self.0.phone_value.clone().unwrap_or_default())
    }
    /// The server's value when the change arrived.
    async fn server_value(&self) -> Json<serde_json::Value> {
        Json(self.0.server_value.clone().unwrap_or_default())
    }
    /// Whose change it was.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.user_id).await?.map(User))
    }
    async fn device_id(&self) -> ID {
        ids::encode("SyncDevice", self.0.device_id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    async fn resolution(&self) -> Option<SyncResolution> {
        self.0.resolution
    }
    async fn resolved_value(&self) -> Option<Json<serde_json::Value>> {
        self.0.resolved_value.clone().map(Json)
    }
}
