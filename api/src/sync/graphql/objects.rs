//! Devices, pull pages and conflicts as the API shows them.

use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::context::loaders;
use crate::ids;
use crate::loaders::one;
use crate::sync::entity::{SyncKind, SyncResolution, conflict, device};
use crate::sync::service::PullPage;
use crate::user::graphql::User;

/// A registered field device.
pub struct SyncDevice(pub device::Model);

#[Object]
impl SyncDevice {
    async fn id(&self) -> ID {
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

/// A record sent to a device: its fields as the caller's reads show them, with its
/// `version` (pass it back as `baseVersion`).
#[derive(SimpleObject)]
pub struct SyncRecord {
    pub kind: SyncKind,
    pub id: ID,
    pub data: Json<serde_json::Value>,
}

/// A record the device must drop: deleted, or no longer within its user's sight.
#[derive(SimpleObject)]
pub struct SyncTombstone {
    pub kind: SyncKind,
    pub id: ID,
}

/// The global type name of each kind's ids.
pub fn type_name(kind: SyncKind) -> &'static str {
    match kind {
        SyncKind::Case => "Case",
        SyncKind::Appointment => "Appointment",
        SyncKind::CaseNote => "CaseNote",
        SyncKind::MahallaTask => "MahallaTask",
        SyncKind::ProgrammeActivity => "ProgrammeActivity",
    }
}

/// One page of a pull.
pub struct SyncPullPage(pub PullPage);

#[Object]
impl SyncPullPage {
    /// The device was revoked: delete everything synced and sign out. Nothing else is sent.
    async fn wipe(&self) -> bool {
        self.0.wipe
    }
    async fn records(&self) -> Vec<SyncRecord> {
        self.0
            .records
            .iter()
            .map(|r| SyncRecord {
                kind: r.kind,
                id: ids::encode(type_name(r.kind), r.id),
                data: Json(r.data.clone()),
            })
            .collect()
    }
    async fn tombstones(&self) -> Vec<SyncTombstone> {
        self.0
            .tombstones
            .iter()
            .map(|(kind, id)| SyncTombstone {
                kind: *kind,
                id: ids::encode(type_name(*kind), *id),
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
    async fn id(&self) -> ID {
        ids::encode("SyncConflict", self.0.id)
    }
    async fn kind(&self) -> SyncKind {
        self.0.kind
    }
    /// The record's global id.
    async fn record_id(&self) -> ID {
        ids::encode(type_name(self.0.kind), self.0.record_id)
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
