//! Which record a pushed change is about, and applying it by kind: the core's kinds
//! through their ordinary service functions, a module's through its `SyncSource` —
//! both merged field by field against the record as it stands (`merge.rs`).

use std::sync::Arc;

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::{Map, Value as Json};

use super::apply::{apply_fields, create_check_in, create_note};
use super::merge::{FieldConflict, merge};
use super::push::PushChange;
use crate::auth::principal::Principal;
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::mahalla::tasks;
use crate::module::Registry;
use crate::module::service::is_enabled_for;
use crate::supervision::service::{appointment_for_change, note_for_change};
use crate::sync::entity::{SyncKind, change, device};
use crate::sync::kind::RecordKind;
use crate::sync::records;
use crate::sync::source::{SyncCreated, SyncCx, SyncSource};

/// Fields a device may change, per core kind.
const APPOINTMENT_FIELDS: &[&str] = &["location", "outcome", "outcomeNote"];
const NOTE_FIELDS: &[&str] = &["body"];
const TASK_FIELDS: &[&str] = &["status", "outcome"];

/// A change applied: the record, its case, and the fields that conflict.
pub(super) struct Applied {
    pub id: i64,
    pub case_id: i64,
    pub record: Json,
    pub conflicts: Vec<FieldConflict>,
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
        .filter(change::Column::Kind.eq(c.kind.stored()))
        .filter(change::Column::ClientId.eq(client_id.clone()))
        .filter(change::Column::RecordId.is_not_null())
        .one(txn)
        .await?
        .and_then(|r| r.record_id))
}

/// Apply one change (inside its savepoint).
pub(super) async fn apply(
    txn: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
    d: &device::Model,
    c: &PushChange,
) -> ApiResult<Applied> {
    let id = target(txn, d, c).await?;
    let kind = match &c.kind {
        RecordKind::Core(k) => *k,
        RecordKind::Module(key) => {
            let source = module_source(txn, registry, p, key).await?;
            let cx = SyncCx {
                txn,
                registry,
                principal: p,
            };
            return apply_module(&cx, source.as_ref(), id, c).await;
        }
    };
    match (kind, id) {
        (SyncKind::Appointment, None) => create_check_in(txn, p, c).await,
        (SyncKind::CaseNote, None) => create_note(txn, p, c).await,
        (SyncKind::Appointment | SyncKind::CaseNote | SyncKind::MahallaTask, Some(id)) => {
            let (case_id, server, version) = current(txn, p, kind, id).await?;
            let fields = match kind {
                SyncKind::Appointment => APPOINTMENT_FIELDS,
                SyncKind::CaseNote => NOTE_FIELDS,
                _ => TASK_FIELDS,
            };
            if kind == SyncKind::MahallaTask
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
                    let record = apply_fields(txn, p, kind, id, &c.values, &c.values).await?;
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
                apply_fields(txn, p, kind, id, &m.apply, &c.values).await?
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

/// A module's change: created, or merged into the record as it stands.
async fn apply_module(
    cx: &SyncCx<'_>,
    source: &dyn SyncSource,
    id: Option<i64>,
    c: &PushChange,
) -> ApiResult<Applied> {
    let (id, values, base, unchanged) = match id {
        Some(id) => (id, c.values.clone(), c.base.clone(), None),
        None => match source.create(cx, &c.values).await? {
            SyncCreated::New { id, case_id, record } => {
                return Ok(Applied {
                    id,
                    case_id,
                    record,
                    conflicts: Vec::new(),
                });
            }
            // Created on both sides: the phone's values merge in as a change from
            // nothing (its other values named the record).
            SyncCreated::Existing { id } => {
                let values: Map<String, Json> = c
                    .values
                    .iter()
                    .filter(|(k, _)| source.fields().contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let base = values.keys().map(|k| (k.clone(), Json::Null)).collect();
                (id, values, base, Some(false))
            }
        },
    };
    let now = source.current(cx, id).await?;
    let m = merge(
        source.fields(),
        &values,
        &base,
        &now.record,
        unchanged.unwrap_or(c.base_version == Some(now.version)),
    )?;
    let record = if m.apply.is_empty() {
        now.record
    } else {
        source.apply(cx, id, now.version, &m.apply).await?
    };
    Ok(Applied {
        id,
        case_id: now.case_id,
        record,
        conflicts: m.conflicts,
    })
}

/// The module kind keyed `key`, if the caller's organisation has its module enabled.
pub(super) async fn module_source(
    txn: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
    key: &str,
) -> ApiResult<Arc<dyn SyncSource>> {
    let (m, source) = registry
        .sync_source(key)
        .ok_or_else(|| ApiError::bad_input("moduleKind", "not a kind a module syncs"))?;
    if !is_enabled_for(txn, registry, p.organisation_id, m.id()).await? {
        return Err(ApiError::ModuleDisabled(m.id().to_owned()));
    }
    Ok(source)
}

/// Apply values of one record's fields as the caller (a conflict's resolution).
pub(super) async fn apply_values(
    txn: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
    kind: &RecordKind,
    id: i64,
    values: &Map<String, Json>,
) -> ApiResult<Json> {
    match kind {
        RecordKind::Core(k) => apply_fields(txn, p, *k, id, values, values).await,
        RecordKind::Module(key) => {
            let source = module_source(txn, registry, p, key).await?;
            let cx = SyncCx {
                txn,
                registry,
                principal: p,
            };
            let now = source.current(&cx, id).await?;
            source.apply(&cx, id, now.version, values).await
        }
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
