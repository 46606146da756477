//! Record versions: optimistic concurrency for the ordinary mutations and the base of
//! a sync merge. Every change of a versioned record claims the next version with a
//! compare-and-set, so two writers that read the same version cannot both win.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value as Json;

use crate::error::{ApiError, ApiResult};

/// Refuse a change that started from `expected` when the record is at `actual`
/// (CONFLICT with the record as it is now).
pub fn expect(expected: Option<i32>, actual: i32, current: impl FnOnce() -> Json) -> ApiResult<()> {
    match expected {
        Some(v) if v != actual => Err(ApiError::StaleVersion {
            expected: v,
            current: current(),
        }),
        _ => Ok(()),
    }
}

/// Move a record from version `from` to `from + 1`; CONFLICT when another change
/// moved it first (the record is re-read for the answer by the caller's `current`).
pub async fn claim<E, C>(
    db: &C,
    id_col: E::Column,
    version_col: E::Column,
    id: i64,
    from: i32,
    current: impl FnOnce() -> Json,
) -> ApiResult<i32>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let res = E::update_many()
        .col_expr(version_col, Expr::col(version_col).add(1))
        .filter(id_col.eq(id))
        .filter(version_col.eq(from))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(ApiError::StaleVersion {
            expected: from,
            current: current(),
        });
    }
    Ok(from + 1)
}
