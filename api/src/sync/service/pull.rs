//! Pull: pages of what changed within the caller's sight, and tombstones for what left
//! it. The server keeps, per device, the version of every record it sent and the page
//! it went in (`sync_shadow`); asking for the page after cursor N confirms pages up to
//! N. A record is sent when the device has never had it, has an older version, or got
//! it in a page it never confirmed; a tombstone when the device was sent a record the
//! caller may no longer see (deleted, case moved to another mahalla, membership or
//! assignment ended) — whatever the reason, since sight is decided by the read rules.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
};
use serde_json::Value as Json;

use super::delta::{Against, Delta};
use super::devices::own;
use super::scope::{Scope, scopes};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::module::Registry;
use crate::sync::entity::{device, shadow};
use crate::sync::kind::RecordKind;

/// Most records and tombstones in one page.
pub const MAX_PULL_PAGE: u64 = 1_000;
/// Page size when the client does not ask for one.
pub const DEFAULT_PULL_PAGE: u64 = 500;
/// Rows per multi-row insert.
const CHUNK: usize = 500;

/// One record as sent.
#[derive(Debug, Clone)]
pub struct SyncRecord {
    pub kind: RecordKind,
    pub id: i64,
    pub data: Json,
}

/// One page of a pull.
#[derive(Debug, Clone, Default)]
pub struct PullPage {
    /// The device was revoked: drop everything and sign out. Nothing else is sent.
    pub wipe: bool,
    pub records: Vec<SyncRecord>,
    pub tombstones: Vec<(RecordKind, i64)>,
    /// Pass as `after` to confirm this page and get the next (empty when wiped).
    pub cursor: String,
    /// More is waiting: pull again with `cursor`.
    pub has_more: bool,
}

fn encode(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("sync:{seq}"))
}

fn decode(cursor: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(raw).ok()?.strip_prefix("sync:")?.parse().ok()
}

/// The next page for the caller's device. `after: None` starts from nothing (a new or
/// reset phone); otherwise it confirms every page up to that cursor.
pub async fn pull(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    device_id: i64,
    after: Option<&str>,
    first: Option<i32>,
) -> ApiResult<PullPage> {
    let budget = match first {
        None => DEFAULT_PULL_PAGE,
        Some(n) if n < 1 || n as u64 > MAX_PULL_PAGE => {
            return Err(ApiError::bad_input(
                "first",
                format!("must be between 1 and {MAX_PULL_PAGE}"),
            ));
        }
        Some(n) => n as u64,
    } as usize;
    let txn = write_txn(db).await?;
    let d = own(&txn, p, device_id).await?;
    if d.revoked_at.is_some() {
        return Ok(PullPage {
            wipe: true,
            ..Default::default()
        });
    }
    let acked = match after {
        None => {
            shadow::Entity::delete_many()
                .filter(shadow::Column::DeviceId.eq(d.id))
                .exec(&txn)
                .await?;
            d.pull_seq
        }
        Some(c) => {
            let seq = decode(c)
                .filter(|s| (0..=d.pull_seq).contains(s))
                .ok_or_else(|| ApiError::bad_input("after", "not a cursor of this device"))?;
            // Tombstones the device confirmed are done with.
            shadow::Entity::delete_many()
                .filter(shadow::Column::DeviceId.eq(d.id))
                .filter(shadow::Column::Gone.eq(true))
                .filter(shadow::Column::SentSeq.lte(seq))
                .exec(&txn)
                .await?;
            seq
        }
    };
    if txn.get_database_backend() == DbBackend::Postgres {
        // A pull's statements are short index probes whose estimated cost (a young
        // shadow, subplans per row) passes the JIT threshold: compiling them took longer
        // than running them (on the notes, 16 of 25 ms).
        txn.execute_unprepared("SET LOCAL jit = off").await?;
    }
    let seq = d.pull_seq + 1;
    let mut page = PullPage::default();
    let mut left = budget;
    for scope in scopes(&txn, registry, p).await? {
        if left == 0 {
            page.has_more = true;
            break;
        }
        let more = pull_kind(&txn, p, d.id, &scope, acked, seq, &mut left, &mut page).await?;
        page.has_more |= more;
    }
    let mut row: device::ActiveModel = d.into();
    row.pull_seq = Set(seq);
    row.acked_seq = Set(acked);
    row.last_seen_at = Set(Some(now()));
    row.update(&txn).await?;
    txn.commit().await?;
    page.cursor = encode(seq);
    Ok(page)
}

/// Add to `page` what `kind` has to send, within `left`; true when some had to wait.
#[allow(clippy::too_many_arguments)]
async fn pull_kind(
    txn: &DatabaseTransaction,
    p: &Principal,
    device_id: i64,
    scope: &Scope,
    acked: i64,
    seq: i64,
    left: &mut usize,
    page: &mut PullPage,
) -> ApiResult<bool> {
    let kind = scope.kind();
    let stored = kind.stored();
    let at = Against {
        device_id,
        kind: &stored,
        acked,
        left: *left,
    };
    let Delta {
        gone,
        due: rows,
        more,
    } = match scope.delta(txn, p, &at).await? {
        Some(delta) => delta,
        None => in_memory(txn, p, scope, &at).await?,
    };
    *left -= gone.len() + rows.len();
    for chunk in gone.chunks(CHUNK) {
        shadow::Entity::update_many()
            .col_expr(shadow::Column::Gone, true.into())
            .col_expr(shadow::Column::SentSeq, seq.into())
            .filter(shadow::Column::DeviceId.eq(device_id))
            .filter(shadow::Column::Kind.eq(stored.clone()))
            .filter(shadow::Column::RecordId.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    page.tombstones
        .extend(gone.into_iter().map(|id| (kind.clone(), id)));
    for chunk in rows.chunks(CHUNK) {
        shadow::Entity::insert_many(chunk.iter().map(|(id, version, _)| shadow::ActiveModel {
            device_id: Set(device_id),
            kind: Set(stored.clone()),
            record_id: Set(*id),
            version: Set(*version),
            sent_seq: Set(seq),
            gone: Set(false),
        }))
        .on_conflict(
            OnConflict::columns([
                shadow::Column::DeviceId,
                shadow::Column::Kind,
                shadow::Column::RecordId,
            ])
            .update_columns([
                shadow::Column::Version,
                shadow::Column::SentSeq,
                shadow::Column::Gone,
            ])
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    page.records
        .extend(rows.into_iter().map(|(id, _, data)| SyncRecord {
            kind: kind.clone(),
            id,
            data,
        }));
    Ok(more)
}

/// [`pull_kind`]'s delta for a kind compared in memory: the ids and versions of
/// everything in sight against the device's whole shadow of the kind, then the records
/// due loaded by id.
async fn in_memory(
    txn: &DatabaseTransaction,
    p: &Principal,
    scope: &Scope,
    at: &Against<'_>,
) -> ApiResult<Delta> {
    let visible = scope.visible(txn, p).await?;
    let sent: HashMap<i64, shadow::Model> = shadow::Entity::find()
        .filter(shadow::Column::DeviceId.eq(at.device_id))
        .filter(shadow::Column::Kind.eq(at.kind))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.record_id, s))
        .collect();
    let unconfirmed = |s: &shadow::Model| s.sent_seq > at.acked;
    let mut gone: Vec<i64> = sent
        .values()
        .filter(|s| !visible.contains_key(&s.record_id) && (!s.gone || unconfirmed(s)))
        .map(|s| s.record_id)
        .collect();
    let mut due: Vec<i64> = visible
        .iter()
        .filter(|(id, v)| {
            sent.get(id)
                .is_none_or(|s| s.gone || s.version != **v || unconfirmed(s))
        })
        .map(|(id, _)| *id)
        .collect();
    gone.sort_unstable();
    due.sort_unstable();
    let mut more = false;
    let mut left = at.left;
    if gone.len() > left {
        gone.truncate(left);
        more = true;
    }
    left -= gone.len();
    if due.len() > left {
        due.truncate(left);
        more = true;
    }
    let due = scope.load(txn, p, &due).await?;
    Ok(Delta { gone, due, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_garbage_does_not() {
        assert_eq!(decode(&encode(42)), Some(42));
        assert_eq!(decode("not-a-cursor"), None);
    }
}
