//! What one core kind has to send a device, decided in SQL: the records within the
//! caller's sight that the device's shadow (`sync_shadow`) does not hold at their
//! current version as confirmed, and the shadow's records no longer within sight. Both
//! are anti-joins on (device, kind, record id), the shadow's primary key, so a pull
//! reads and serialises only what it sends; sight is the read path's own condition.

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value as Json;

use crate::error::ApiResult;
use crate::sync::entity::shadow;

/// Which device and page the delta is for.
pub(super) struct Against<'a> {
    pub device_id: i64,
    /// The kind as stored in the shadow.
    pub kind: &'a str,
    /// The last page the device confirmed: what went in a later one is sent again.
    pub acked: i64,
    /// Most tombstones and records to return together.
    pub left: usize,
}

/// A kind's share of a page.
#[derive(Default)]
pub(super) struct Delta {
    /// Ids the device holds that the caller may no longer see, ascending.
    pub gone: Vec<i64>,
    /// Records to send, ascending by id: (id, version, data).
    pub due: Vec<(i64, i64, Json)>,
    /// Some had to wait for the next page.
    pub more: bool,
}

/// The delta of the table `E`, whose rows the caller sees where `sight` holds, with its
/// `id` and `version` columns, each row sent as `send` shapes it.
pub(super) async fn delta<E>(
    txn: &DatabaseTransaction,
    at: &Against<'_>,
    sight: Condition,
    id: E::Column,
    version: E::Column,
    send: impl Fn(&E::Model) -> (i64, i64, Json),
) -> ApiResult<Delta>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
{
    let table = E::default();
    let mut out = Delta::default();

    // Tombstones: held (and not yet a confirmed tombstone) but no longer in sight.
    let in_sight = Query::select()
        .expr(Expr::val(1))
        .from(table)
        .cond_where(sight.clone())
        .and_where(Expr::col((table, id)).equals((shadow::Entity, shadow::Column::RecordId)))
        .to_owned();
    let mut gone: Vec<i64> = shadow::Entity::find()
        .select_only()
        .column(shadow::Column::RecordId)
        .filter(shadow::Column::DeviceId.eq(at.device_id))
        .filter(shadow::Column::Kind.eq(at.kind))
        .filter(
            Condition::any()
                .add(shadow::Column::Gone.eq(false))
                .add(shadow::Column::SentSeq.gt(at.acked)),
        )
        .filter(Expr::exists(in_sight).not())
        .order_by_asc(shadow::Column::RecordId)
        .limit(at.left as u64 + 1)
        .into_tuple()
        .all(txn)
        .await?;
    if gone.len() > at.left {
        gone.truncate(at.left);
        out.more = true;
    }
    let left = at.left - gone.len();
    out.gone = gone;
    if out.more {
        return Ok(out);
    }

    // Records: in sight, and not held at this version in a confirmed page. The shadow is
    // probed once per row in sight, by its primary key: a scalar subquery, which the
    // planner cannot turn into a join it would misjudge while the device's shadow is
    // young (its statistics then say one row). Only ids: the page takes the lowest
    // `left`, and loads those.
    let held = Query::select()
        .column((shadow::Entity, shadow::Column::Version))
        .from(shadow::Entity)
        .and_where(shadow::Column::DeviceId.eq(at.device_id))
        .and_where(shadow::Column::Kind.eq(at.kind))
        .and_where(Expr::col((shadow::Entity, shadow::Column::RecordId)).equals((table, id)))
        .and_where(shadow::Column::Gone.eq(false))
        .and_where(shadow::Column::SentSeq.lte(at.acked))
        .to_owned();
    let mut due: Vec<i64> = E::find()
        .select_only()
        .column(id)
        .filter(sight.clone())
        .filter(
            Expr::expr(Func::coalesce([Expr::from(held), Expr::val(-1_i64)])).ne(Expr::col((table, version))),
        )
        .into_tuple()
        .all(txn)
        .await?;
    due.sort_unstable();
    if due.len() > left {
        due.truncate(left);
        out.more = true;
    }
    if due.is_empty() {
        return Ok(out);
    }
    let rows = E::find()
        .filter(sight)
        .filter(id.is_in(due))
        .order_by_asc(id)
        .all(txn)
        .await?;
    out.due = rows.iter().map(send).collect();
    Ok(out)
}
