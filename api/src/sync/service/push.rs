//! Push: a batch of changes made offline, each applied on its own (one bad change does
//! not sink the batch) through the same service functions the ordinary mutations use —
//! so each applied change is checked, audited and emits its usual domain event, named
//! with the device. A change id already seen is answered as it was the first time.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use super::apply::{apply_fields, create_check_in, create_note};
use super::devices::own;
use super::merge::{FieldConflict, merge};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::ids::encode;
use crate::mahalla::tasks;
use crate::supervision::service::{appointment_for_change, note_for_change};
use crate::sync::entity::{SyncChangeStatus, SyncKind, change, conflict, device};
use crate::sync::records;

/// Most changes in one push.
pub const MAX_PUSH: usize = 500;

/// Fields a device may change, per kind.
const APPOINTMENT_FIELDS: &[&str] = &["location", "outcome", "outcomeNote"];
const NOTE_FIELDS: &[&str] = &["body"];
const TASK_FIELDS: &[&str] = &["status", "outcome"];

/// One change made offline.
#[derive(Debug, Clone)]
pub struct PushChange {
    /// Unique per device: a change sent again is answered, not applied again.
    pub change_id: String,
    pub kind: SyncKind,
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
    pub kind: SyncKind,
    pub status: SyncChangeStatus,
    pub record_id: Option<i64>,
    pub client_id: Option<String>,
    pub answer: ChangeAnswer,
    /// Answered from an earlier push of the same change.
    pub replayed: bool,
    pub conflicts: Vec<conflict::Model>,
}

/// Apply a batch of changes from the caller's device, each in its own transaction.
pub async fn push(
    db: &DatabaseConnection,
    p: &Principal,
    device_id: i64,
    changes: Vec<PushChange>,
) -> ApiResult<Vec<ChangeOutcome>> {
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
    let d = own(db, p, device_id).await?;
    if d.revoked_at.is_some() {
        return Err(ApiError::Forbidden("this device was revoked".into()));
    }
    let mut as_device = p.clone();
    as_device.meta.device = Some(encode("SyncDevice", d.id).to_string());
    // One transaction for the batch (one commit, not one per change), a savepoint per
    // change: a refused change rolls back alone and the others stand.
    let batch = write_txn(db).await?;
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        out.push(one(&batch, &as_device, &d, c).await?);
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

fn outcome_of(row: change::Model, replayed: bool) -> ApiResult<ChangeOutcome> {
    let answer: ChangeAnswer =
        serde_json::from_value(row.result).map_err(|e| ApiError::internal("stored sync answer", e))?;
    Ok(ChangeOutcome {
        change_id: row.client_change_id,
        kind: row.kind,
        status: row.status,
        record_id: row.record_id,
        client_id: row.client_id,
        answer,
        replayed,
        conflicts: Vec::new(),
    })
}

/// A change applied: the record, its case, and the fields that conflict.
pub(super) struct Applied {
    pub id: i64,
    pub case_id: i64,
    pub record: Json,
    pub conflicts: Vec<FieldConflict>,
}

async fn one(
    db: &DatabaseTransaction,
    p: &Principal,
    d: &device::Model,
    c: PushChange,
) -> ApiResult<ChangeOutcome> {
    if let Some(row) = seen(db, d, &c.change_id).await? {
        return outcome_of(row, true);
    }
    let txn = db.begin().await?;
    match apply(&txn, p, d, &c).await {
        Ok(applied) => {
            let status = if applied.conflicts.is_empty() {
                SyncChangeStatus::Applied
            } else {
                SyncChangeStatus::Conflict
            };
            let answer = ChangeAnswer {
                record: Some(applied.record.clone()),
                conflict_ids: Vec::new(),
                error: None,
            };
            let row = match store(&txn, d, &c, status, Some(applied.id), answer).await {
                Ok(row) => row,
                // The same change, pushed again at the same moment, got there first:
                // this attempt rolls back and answers as that one did.
                Err(ApiError::Conflict(_)) => {
                    txn.rollback().await?;
                    let row = seen(db, d, &c.change_id)
                        .await?
                        .ok_or(ApiError::NotFound("SyncChange"))?;
                    return outcome_of(row, true);
                }
                Err(e) => return Err(e),
            };
            let ids = record_conflicts(&txn, p, d, &c, &row, &applied).await?;
            let row = if ids.is_empty() {
                row
            } else {
                let mut answer: ChangeAnswer = serde_json::from_value(row.result.clone())
                    .map_err(|e| ApiError::internal("sync answer", e))?;
                answer.conflict_ids = ids;
                let mut active: change::ActiveModel = row.into();
                active.result =
                    Set(serde_json::to_value(&answer).map_err(|e| ApiError::internal("sync answer", e))?);
                active.update(&txn).await?
            };
            txn.commit().await?;
            outcome_of(row, false)
        }
        Err(e @ ApiError::Internal(_)) => Err(e),
        Err(e) => {
            txn.rollback().await?;
            let record = match &e {
                ApiError::StaleVersion { current, .. } | ApiError::TransitionRefused { current, .. } => {
                    Some(current.clone())
                }
                _ => None,
            };
            let field = match &e {
                ApiError::BadUserInput { field, .. } => Some(field.clone()),
                _ => None,
            };
            let error = ChangeError {
                code: e.code().to_owned(),
                message: e.message(),
                field,
            };
            let txn = db.begin().await?;
            let row = store(
                &txn,
                d,
                &c,
                SyncChangeStatus::Rejected,
                c.id,
                ChangeAnswer {
                    record,
                    conflict_ids: Vec::new(),
                    error: Some(error),
                },
            )
            .await?;
            txn.commit().await?;
            outcome_of(row, false)
        }
    }
}

/// The stored answer to a change id of the device, if it was pushed before.
async fn seen(
    db: &DatabaseTransaction,
    d: &device::Model,
    change_id: &str,
) -> ApiResult<Option<change::Model>> {
    Ok(change::Entity::find()
        .filter(change::Column::DeviceId.eq(d.id))
        .filter(change::Column::ClientChangeId.eq(change_id.to_owned()))
        .one(db)
        .await?)
}

async fn store(
    txn: &DatabaseTransaction,
    d: &device::Model,
    c: &PushChange,
    status: SyncChangeStatus,
    record_id: Option<i64>,
    answer: ChangeAnswer,
) -> ApiResult<change::Model> {
    change::ActiveModel {
        device_id: Set(d.id),
        client_change_id: Set(c.change_id.clone()),
        kind: Set(c.kind),
        client_id: Set(c.client_id.clone()),
        record_id: Set(record_id),
        status: Set(status),
        result: Set(serde_json::to_value(&answer).map_err(|e| ApiError::internal("sync answer", e))?),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "this change id was pushed already"))
}

async fn record_conflicts(
    txn: &DatabaseTransaction,
    p: &Principal,
    d: &device::Model,
    c: &PushChange,
    row: &change::Model,
    applied: &Applied,
) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::new();
    for f in &applied.conflicts {
        let saved = conflict::ActiveModel {
            device_id: Set(d.id),
            user_id: Set(p.user_id),
            case_id: Set(applied.case_id),
            change_id: Set(row.id),
            kind: Set(c.kind),
            record_id: Set(applied.id),
            field: Set(f.field.clone()),
            base_value: Set(Some(f.base.clone())),
            phone_value: Set(Some(f.phone.clone())),
            server_value: Set(Some(f.server.clone())),
            created_at: Set(now()),
            resolved_at: Set(None),
            resolved_by: Set(None),
            resolution: Set(None),
            resolved_value: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            p,
            Entry::new("sync_conflict.record")
                .target("SyncConflict", saved.id)
                .case(applied.case_id)
                .detail(json!({"kind": enum_name(c.kind), "recordId": applied.id, "field": f.field})),
        )
        .await?;
        ids.push(saved.id);
    }
    Ok(ids)
}

/// The server id a change is about: given, or created by an earlier change of the
/// device under the same client id; none for a record to create.
async fn target(txn: &DatabaseTransaction, d: &device::Model, c: &PushChange) -> ApiResult<Option<i64>> {
    if c.id.is_some() {
        return Ok(c.id);
    }
    let Some(client_id) = &c.client_id else {
        return Err(ApiError::bad_input(
            "id",
            "give the record's id, or a clientId for a new record",
        ));
    };
    Ok(change::Entity::find()
        .filter(change::Column::DeviceId.eq(d.id))
        .filter(change::Column::Kind.eq(c.kind))
        .filter(change::Column::ClientId.eq(client_id.clone()))
        .filter(change::Column::RecordId.is_not_null())
        .one(txn)
        .await?
        .and_then(|r| r.record_id))
}

async fn apply(
    txn: &DatabaseTransaction,
    p: &Principal,
    d: &device::Model,
    c: &PushChange,
) -> ApiResult<Applied> {
    let id = target(txn, d, c).await?;
    match (c.kind, id) {
        (SyncKind::Appointment, None) => create_check_in(txn, p, c).await,
        (SyncKind::CaseNote, None) => create_note(txn, p, c).await,
        (SyncKind::Appointment | SyncKind::CaseNote | SyncKind::MahallaTask, Some(id)) => {
            let (case_id, server, version) = current(txn, p, c.kind, id).await?;
            let fields = match c.kind {
                SyncKind::Appointment => APPOINTMENT_FIELDS,
                SyncKind::CaseNote => NOTE_FIELDS,
                _ => TASK_FIELDS,
            };
            if c.kind == SyncKind::MahallaTask
                && let Some(status) = c.values.get("status")
            {
                if status != "DONE" {
                    return Err(ApiError::bad_input(
                        "values.status",
                        "a device only records a task as DONE",
                    ));
                }
                if server["status"] != "DONE" {
                    // A transition is judged on the task as it is now, not merged: legal
                    // only from OPEN, else INVALID_TRANSITION with the current task.
                    let record = apply_fields(txn, p, c.kind, id, &c.values, &c.values).await?;
                    return Ok(Applied {
                        id,
                        case_id,
                        record,
                        conflicts: Vec::new(),
                    });
                }
            }
            let m = merge(
                fields,
                &c.values,
                &c.base,
                &server,
                c.base_version == Some(version),
            )?;
            let record = if m.apply.is_empty() {
                server
            } else {
                apply_fields(txn, p, c.kind, id, &m.apply, &c.values).await?
            };
            Ok(Applied {
                id,
                case_id,
                record,
                conflicts: m.conflicts,
            })
        }
        (kind, _) => Err(ApiError::bad_input(
            "kind",
            format!(
                "{} records are not created or changed from a device",
                enum_name(kind)
            ),
        )),
    }
}

/// The record as it is, if the caller may change it: (case, record, version).
async fn current(
    txn: &DatabaseTransaction,
    p: &Principal,
    kind: SyncKind,
    id: i64,
) -> ApiResult<(i64, Json, i32)> {
    match kind {
        SyncKind::Appointment => {
            let (a, c) = appointment_for_change(txn, p, id).await?;
            Ok((c.id, records::appointment(&a), a.version))
        }
        SyncKind::CaseNote => {
            let (n, c) = note_for_change(txn, p, id).await?;
            Ok((c.id, records::note(&n), n.version))
        }
        _ => {
            let t = crate::mahalla::entity::task::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("MahallaTask"))?;
            if !tasks::can_see(txn, p, &t).await? {
                return Err(ApiError::NotFound("MahallaTask"));
            }
            Ok((t.case_id, records::task(&t), t.version))
        }
    }
}
