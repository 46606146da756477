//! A pushed change and its answer.

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use serde_json::Value as Json_;

use super::objects::{SyncConflict, global_id};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::module::Registry;
use crate::sync::entity::{SyncChangeStatus, SyncKind};
use crate::sync::kind::RecordKind;
use crate::sync::service::{ChangeOutcome, PushChange};

/// One change made offline.
#[derive(InputObject)]
pub struct SyncChangeInput {
    /// The phone's id of this change, unique per device: sent again, it is answered, not
    /// applied again.
    pub change_id: String,
    pub kind: SyncKind,
    /// With `kind: MODULE`, the module's kind (`<module id>.<name>`).
    pub module_kind: Option<String>,
    /// The record changed (its global id); leave out for a record the phone created.
    pub id: Option<ID>,
    /// The phone's id of a record it created, here or in an earlier change.
    pub client_id: Option<String>,
    /// The case of a record created.
    pub case_id: Option<ID>,
    /// The record's `version` the change started from.
    pub base_version: Option<i32>,
    /// The values the change started from, for the fields it sets.
    pub base: Option<Json<Json_>>,
    /// The fields the phone set (names as in the pulled record's data).
    pub values: Json<Json_>,
}

fn object(v: Option<Json<Json_>>, field: String) -> ApiResult<serde_json::Map<String, Json_>> {
    match v.map(|j| j.0) {
        None | Some(Json_::Null) => Ok(Default::default()),
        Some(Json_::Object(m)) => Ok(m),
        Some(_) => Err(ApiError::bad_input(field, "must be an object")),
    }
}

impl SyncChangeInput {
    pub fn decode(self, i: usize, registry: &Registry) -> ApiResult<PushChange> {
        let kind = match (self.kind, self.module_kind) {
            (SyncKind::Module, Some(key)) => {
                if registry.sync_source(&key).is_none() {
                    return Err(ApiError::bad_input(
                        format!("changes.{i}.moduleKind"),
                        "not a kind a module of this server syncs",
                    ));
                }
                RecordKind::Module(key)
            }
            (SyncKind::Module, None) => {
                return Err(ApiError::bad_input(
                    format!("changes.{i}.moduleKind"),
                    "name the module's kind",
                ));
            }
            (k, None) => RecordKind::Core(k),
            (_, Some(_)) => {
                return Err(ApiError::bad_input(
                    format!("changes.{i}.moduleKind"),
                    "only with kind MODULE",
                ));
            }
        };
        let kind_name = kind.type_name(registry);
        Ok(PushChange {
            change_id: self.change_id,
            kind,
            id: ids::decode_opt(self.id.as_ref(), &kind_name, &format!("changes.{i}.id"))?,
            client_id: self.client_id,
            case_id: ids::decode_opt(self.case_id.as_ref(), "Case", &format!("changes.{i}.caseId"))?,
            base_version: self.base_version,
            base: object(self.base, format!("changes.{i}.base"))?,
            values: object(Some(self.values), format!("changes.{i}.values"))?,
        })
    }
}

/// Why a change was refused.
#[derive(SimpleObject)]
pub struct SyncChangeError {
    /// The code the same error would carry (INVALID_TRANSITION, CONFLICT, NOT_FOUND,
    /// FORBIDDEN, BAD_USER_INPUT …).
    pub code: String,
    pub message: String,
    /// The offending input field of a BAD_USER_INPUT.
    pub field: Option<String>,
}

/// What came of one pushed change.
pub struct SyncChangeResult(pub ChangeOutcome);

#[Object]
impl SyncChangeResult {
    async fn change_id(&self) -> &str {
        &self.0.change_id
    }
    async fn kind(&self) -> SyncKind {
        self.0.kind.kind()
    }
    /// A module's kind when `kind` is MODULE.
    async fn module_kind(&self) -> Option<&str> {
        self.0.kind.module_kind()
    }
    /// APPLIED, CONFLICT (the other fields applied) or REJECTED (see `error`).
    async fn status(&self) -> SyncChangeStatus {
        self.0.status
    }
    /// The server's id of the record (of the one created, for a new record).
    async fn id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        self.0
            .record_id
            .map(|id| global_id(ctx, &self.0.kind, id))
            .transpose()
    }
    /// The phone's id of a record it created, answered with the server's `id`.
    async fn client_id(&self) -> Option<&str> {
        self.0.client_id.as_deref()
    }
    /// The record as it is now (after the change, or as it stands when refused).
    async fn record(&self) -> Option<Json<Json_>> {
        self.0.answer.record.clone().map(Json)
    }
    async fn conflicts(&self) -> Vec<SyncConflict> {
        self.0.conflicts.iter().cloned().map(SyncConflict).collect()
    }
    async fn error(&self) -> Option<SyncChangeError> {
        self.0.answer.error.as_ref().map(|e| SyncChangeError {
            code: e.code.clone(),
            message: e.message.clone(),
            field: e.field.clone(),
        })
    }
    /// Answered from an earlier push of the same change: nothing was applied now.
    async fn replayed(&self) -> bool {
        self.0.replayed
    }
}
