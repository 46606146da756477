//! Record kinds a module syncs to field devices (`Module::sync_sources`). The core's
//! pull and push know a module's kind only through this trait: the module says which
//! records of the kind the caller's reads show (the pull sends exactly those, and
//! tombstones the rest), loads them as sent, and applies a change through its own
//! service functions — checked, audited, with its events — claiming the record's next
//! version so that a concurrent writer is told. The three-way merge, the conflicts and
//! their resolution are the core's, as for its own kinds.

use sea_orm::DatabaseTransaction;
use serde_json::{Map, Value as Json};

use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::module::{BoxFuture, Registry};

/// What a module's change may use: the transaction (one savepoint per pushed change),
/// the registry (a module's configuration), and the caller, named with their device.
pub struct SyncCx<'a> {
    pub txn: &'a DatabaseTransaction,
    pub registry: &'a Registry,
    pub principal: &'a Principal,
}

/// A record as it stands, for a change by the caller.
#[derive(Debug, Clone)]
pub struct SyncCurrent {
    /// The case it belongs to (conflicts are listed by case).
    pub case_id: i64,
    /// As a pull sends it (with its `version`).
    pub record: Json,
    pub version: i32,
}

/// What came of a record a device created.
#[derive(Debug, Clone)]
pub enum SyncCreated {
    /// Created: its id, its case, and the record as sent.
    New { id: i64, case_id: i64, record: Json },
    /// The record exists already under the same natural key (one day's attendance,
    /// say): the phone's values are merged into it as a change that started from
    /// nothing, so a different value someone else recorded is a conflict.
    Existing { id: i64 },
}

/// A kind of record a module syncs.
pub trait SyncSource: Send + Sync + 'static {
    /// Stable key, `<module id>.<name>`, at most 32 characters:
    /// the `moduleKind` of the API and what the sync tables store.
    fn key(&self) -> &'static str;

    /// The global type name of the records' ids (`EducationAttendance`).
    fn type_name(&self) -> &'static str;

    /// The fields of a pulled record a device may change.
    fn fields(&self) -> &'static [&'static str];

    /// The ids and versions of every record of the kind the caller's reads show.
    fn versions<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        p: &'a Principal,
    ) -> BoxFuture<'a, ApiResult<Vec<(i64, i64)>>>;

    /// The records with these ids that the caller's reads show, as sent: (id, version,
    /// data). The data carries `id` and `version` like the core's records.
    fn load<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        p: &'a Principal,
        ids: &'a [i64],
    ) -> BoxFuture<'a, ApiResult<Vec<(i64, i64, Json)>>>;

    /// The record as it stands, if the caller may change it (NOT_FOUND when they may
    /// not see it, FORBIDDEN when they see it but do not change it).
    fn current<'a>(&'a self, cx: &'a SyncCx<'a>, id: i64) -> BoxFuture<'a, ApiResult<SyncCurrent>>;

    /// Apply `values` (fields of [`SyncSource::fields`]) to the record at `version`,
    /// through the module's service: CONFLICT when the record moved past `version`
    /// meanwhile. Returns the record as it now is.
    fn apply<'a>(
        &'a self,
        cx: &'a SyncCx<'a>,
        id: i64,
        version: i32,
        values: &'a Map<String, Json>,
    ) -> BoxFuture<'a, ApiResult<Json>>;

    /// Create a record from a device's values. The default: the kind is not created
    /// from a device.
    fn create<'a>(
        &'a self,
        cx: &'a SyncCx<'a>,
        values: &'a Map<String, Json>,
    ) -> BoxFuture<'a, ApiResult<SyncCreated>> {
        let _ = (cx, values);
        let key = self.key();
        Box::pin(async move {
            Err(ApiError::bad_input(
                "kind",
                format!("{key} records are not created from a device"),
            ))
        })
    }
}
