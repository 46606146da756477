//! One pushed change from start to answer: answered from its stored answer when the
//! device sent it before, else applied in a savepoint of its own (a refused change
//! rolls back alone), its conflicts recorded and audited, and its answer stored for a
//! replay.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::json;

use super::dispatch::{Applied, apply};
use super::push::{ChangeAnswer, ChangeError, ChangeOutcome, PushChange};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::module::Registry;
use crate::sync::entity::{SyncChangeStatus, change, conflict, device};
use crate::sync::kind::RecordKind;

pub(super) fn outcome_of(row: change::Model, replayed: bool) -> ApiResult<ChangeOutcome> {
    let answer: ChangeAnswer =
        serde_json::from_value(row.result).map_err(|e| ApiError::internal("stored sync answer", e))?;
    Ok(ChangeOutcome {
        change_id: row.client_change_id,
        kind: RecordKind::from_stored(&row.kind),
        status: row.status,
        record_id: row.record_id,
        client_id: row.client_id,
        answer,
        replayed,
        conflicts: Vec::new(),
    })
}

/// The answers stored for those of `change_ids` the device pushed before (one query
/// for a batch).
pub(super) async fn seen_before(
    db: &DatabaseTransaction,
    d: &device::Model,
    change_ids: Vec<String>,
) -> ApiResult<HashMap<String, change::Model>> {
    let mut out = HashMap::new();
    for chunk in change_ids.chunks(500) {
        let rows = change::Entity::find()
            .filter(change::Column::DeviceId.eq(d.id))
            .filter(change::Column::ClientChangeId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.client_change_id.clone(), r)));
    }
    Ok(out)
}

/// Answer one change: from `earlier` when pushed before, else by applying it.
pub(super) async fn one(
    db: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
    d: &device::Model,
    c: PushChange,
    earlier: Option<change::Model>,
) -> ApiResult<ChangeOutcome> {
    if let Some(row) = earlier {
        return outcome_of(row, true);
    }
    let txn = db.begin().await?;
    match apply(&txn, registry, p, d, &c).await {
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
                // The same change, pushed again at the same moment (or twice in one
                // batch), got there first: this attempt rolls back and answers as that
                // one did.
                Err(ApiError::Conflict(_)) => {
                    txn.rollback().await?;
                    let row = seen_before(db, d, vec![c.change_id.clone()])
                        .await?
                        .remove(&c.change_id)
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
        kind: Set(c.kind.stored()),
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
            kind: Set(c.kind.stored()),
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
                .detail(json!({"kind": c.kind.stored(), "recordId": applied.id, "field": f.field})),
        )
        .await?;
        ids.push(saved.id);
    }
    Ok(ids)
}
