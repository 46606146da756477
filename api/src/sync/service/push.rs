//! Push: a batch of changes made offline, each applied on its own (one bad change does
//! not sink the batch) through the same service functions the ordinary mutations use —
//! so each applied change is checked, audited and emits its usual domain event, named
//! with the device. A change id already seen is answered as it was the first time.
//!
//! This file holds the batch; `answer.rs` one change's answer (replay, savepoint,
//! conflicts recorded), `dispatch.rs` applying a change by its kind.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::answer::{one, seen_before};
use super::devices::own;
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::ids::encode;
use crate::module::Registry;
use crate::sync::entity::{SyncChangeStatus, conflict, device};
use crate::sync::kind::RecordKind;

/// Most changes in one push.
pub const MAX_PUSH: usize = 500;

/// One change made offline.
#[derive(Debug, Clone)]
pub struct PushChange {
    /// Unique per device: a change sent again is answered, not applied again.
    pub change_id: String,
    pub kind: RecordKind,
    /// The server's id of the record changed.
    pub id: Option<i64>,
    /// The phone's id of a record it created (in this change, or an earlier one).
    pub client_id: Option<String>,
    /// The case of a record created.
    pub case_id: Option<i64>,
    /// The version the phone's change started from.
    pub base_version: Option<i32>,
    /// The values the phone started from, for the fields it changed.
    pub base: Map<String, Json>,
    /// The fields the phone set.
    pub values: Map<String, Json>,
}

/// Why a change was refused, as an error would say it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// The answer stored for a change (and given again on a replay).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAnswer {
    /// The record as it is after the change (or as it is, when refused).
    pub record: Option<Json>,
    pub conflict_ids: Vec<i64>,
    pub error: Option<ChangeError>,
}

/// What came of one change.
#[derive(Debug, Clone)]
pub struct ChangeOutcome {
    pub change_id: String,
    pub kind: RecordKind,
    pub status: SyncChangeStatus,
    pub record_id: Option<i64>,
    pub client_id: Option<String>,
    pub answer: ChangeAnswer,
    /// Answered from an earlier push of the same change.
    pub replayed: bool,
    pub conflicts: Vec<conflict::Model>,
}

fn check(changes: &[PushChange]) -> ApiResult<()> {
    if changes.len() > MAX_PUSH {
        return Err(ApiError::bad_input(
            "changes",
            format!("at most {MAX_PUSH} per push"),
        ));
    }
    for (i, c) in changes.iter().enumerate() {
        if c.change_id.is_empty() || c.change_id.len() > 64 {
            return Err(ApiError::bad_input(
                format!("changes.{i}.changeId"),
                "1 to 64 characters",
            ));
        }
        if c.client_id
            .as_ref()
            .is_some_and(|id| id.is_empty() || id.len() > 64)
        {
            return Err(ApiError::bad_input(
                format!("changes.{i}.clientId"),
                "1 to 64 characters",
            ));
        }
    }
    Ok(())
}

/// Apply a batch of changes from the caller's device, each on its own.
pub async fn push(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    device_id: i64,
    changes: Vec<PushChange>,
) -> ApiResult<Vec<ChangeOutcome>> {
    check(&changes)?;
    let d = own(db, p, device_id).await?;
    if d.revoked_at.is_some() {
        return Err(ApiError::Forbidden("this device was revoked".into()));
    }
    let mut as_device = p.clone();
    as_device.meta.device = Some(encode("SyncDevice", d.id).to_string());
    // One transaction for the batch (one commit, not one per change), a savepoint per
    // change: a refused change rolls back alone and the others stand.
    let batch = write_txn(db).await?;
    let mut earlier = seen_before(&batch, &d, changes.iter().map(|c| c.change_id.clone()).collect()).await?;
    let mut done = HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        // A change id twice in one batch: the second is answered as the first was.
        let before = if done.insert(c.change_id.clone()) {
            earlier.remove(&c.change_id)
        } else {
            seen_before(&batch, &d, vec![c.change_id.clone()])
                .await?
                .remove(&c.change_id)
        };
        out.push(one(&batch, registry, &as_device, &d, c, before).await?);
    }
    batch.commit().await?;
    let ids: Vec<i64> = out.iter().flat_map(|o| o.answer.conflict_ids.clone()).collect();
    if !ids.is_empty() {
        let rows = conflict::Entity::find()
            .filter(conflict::Column::Id.is_in(ids))
            .all(db)
            .await?;
        for o in &mut out {
            o.conflicts = rows
                .iter()
                .filter(|r| o.answer.conflict_ids.contains(&r.id))
                .cloned()
                .collect();
        }
    }
    device::Entity::update_many()
        .col_expr(device::Column::LastSeenAt, now().into())
        .filter(device::Column::Id.eq(d.id))
        .exec(db)
        .await?;
    Ok(out)
}
