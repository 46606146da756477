//! The sync API: `Query.sync` (devices, conflicts) and `Mutation.sync` (register and
//! revoke devices, pull, push, resolve). A pull is a mutation: it records what the
//! device was sent and confirms the pages before it.

mod objects;
mod push;

use async_graphql::{Context, ID, InputObject, Json, Object, Result};

pub use objects::{SyncConflict, SyncDevice, SyncPullPage, fetch_conflict, fetch_device};
pub use push::{SyncChangeInput, SyncChangeResult};

use crate::graphql::context::{page, principal, state};
use crate::ids;
use crate::pagination::Conn;
use crate::sync::entity::SyncResolution;
use crate::sync::service::{self, devices::NewDevice};

/// The `sync` field of the query root.
#[derive(Default)]
pub struct SyncQueryRoot;

#[Object]
impl SyncQueryRoot {
    /// Offline field sync: devices and conflicts.
    async fn sync(&self) -> SyncQuery {
        SyncQuery
    }
}

/// The `sync` field of the mutation root.
#[derive(Default)]
pub struct SyncMutationRoot;

#[Object]
impl SyncMutationRoot {
    /// Offline field sync: devices, pull, push, resolution of conflicts.
    async fn sync(&self) -> SyncMutation {
        SyncMutation
    }
}

pub struct SyncQuery;

#[Object]
impl SyncQuery {
    /// Devices the caller may see (their own; an organisation admin's organisation's),
    /// newest first.
    async fn devices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<SyncDevice>> {
        let p = principal(ctx)?;
        let rows = service::list_devices(&state(ctx)?.db, p, page(ctx, first, after)?).await?;
        Ok(rows.into_connection(|m| m.id, SyncDevice))
    }

    /// Conflicts of pushed changes the caller answers for: their own and those on the
    /// cases they supervise in full. Unsettled ones stay until someone settles them.
    async fn conflicts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = true)] unresolved_only: bool,
    ) -> Result<Conn<SyncConflict>> {
        let p = principal(ctx)?;
        let rows =
            service::list_conflicts(&state(ctx)?.db, p, unresolved_only, page(ctx, first, after)?).await?;
        Ok(rows.into_connection(|m| m.id, SyncConflict))
    }
}

#[derive(InputObject)]
pub struct RegisterDeviceInput {
    /// The app's own id of its installation (stable until the app is reinstalled).
    pub device_key: String,
    pub model: String,
    pub app_version: String,
}

pub struct SyncMutation;

#[Object]
impl SyncMutation {
    /// Register the caller's device (again: refreshes its model and app version).
    async fn register_device(&self, ctx: &Context<'_>, input: RegisterDeviceInput) -> Result<SyncDevice> {
        let p = principal(ctx)?;
        let new = NewDevice {
            device_key: input.device_key,
            model: input.model,
            app_version: input.app_version,
        };
        Ok(SyncDevice(
            service::register_device(&state(ctx)?.db, p, new).await?,
        ))
    }

    /// Revoke a device (its user, their organisation's admin, the platform admin): its
    /// next pull is told to wipe, its pushes are refused.
    async fn revoke_device(&self, ctx: &Context<'_>, id: ID) -> Result<SyncDevice> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "SyncDevice", "id")?;
        Ok(SyncDevice(service::revoke_device(&state(ctx)?.db, p, id).await?))
    }

    /// The next page of what changed within the caller's sight since `after` (which it
    /// confirms), with tombstones for what the phone must drop. Without `after`, from
    /// nothing.
    async fn pull(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        after: Option<String>,
        #[graphql(desc = "At most 1000 records and tombstones; 500 when left out.")] first: Option<i32>,
    ) -> Result<SyncPullPage> {
        let p = principal(ctx)?;
        let device = ids::decode_as(&device_id, "SyncDevice", "deviceId")?;
        let st = state(ctx)?;
        let page = service::pull(&st.db, &st.modules, p, device, after.as_deref(), first).await?;
        Ok(SyncPullPage(page))
    }

    /// Apply changes made offline, each on its own; a change id seen before is answered
    /// as it was, not applied again.
    async fn push(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        changes: Vec<SyncChangeInput>,
    ) -> Result<Vec<SyncChangeResult>> {
        let p = principal(ctx)?;
        let device = ids::decode_as(&device_id, "SyncDevice", "deviceId")?;
        let st = state(ctx)?;
        let changes = changes
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.decode(i, &st.modules))
            .collect::<Result<Vec<_>, _>>()?;
        let out = service::push(&st.db, &st.modules, p, device, changes).await?;
        Ok(out.into_iter().map(SyncChangeResult).collect())
    }

    /// Settle a conflict: keep the server's value, take the phone's, or give the value
    /// that stands (`choice: VALUE` with `value`).
    async fn resolve(
        &self,
        ctx: &Context<'_>,
        conflict_id: ID,
        choice: SyncResolution,
        value: Option<Json<serde_json::Value>>,
    ) -> Result<SyncConflict> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&conflict_id, "SyncConflict", "conflictId")?;
        let st = state(ctx)?;
        let row = service::resolve(&st.db, &st.modules, p, id, choice, value.map(|v| v.0)).await?;
        Ok(SyncConflict(row))
    }
}
