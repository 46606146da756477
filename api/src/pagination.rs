//! Relay cursor connections with keyset pagination.
//!
//! Pages are read with `WHERE id < cursor ORDER BY id DESC LIMIT n + 1` (or ascending),
//! so a deep page costs the same as the first one, and `totalCount` is counted only when
//! a client selects it.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Object, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use crate::error::{ApiError, ApiResult};

/// Page size used when a client does not ask for one.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// Direction of the keyset order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// Oldest first (reference data: territories, organisations, users).
    Ascending,
    /// Newest first (case records, audit log).
    Descending,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub first: u64,
    pub after: Option<i64>,
}

impl Page {
    /// Validate `first` (0..=max) and decode `after`.
    pub fn new(first: Option<i32>, after: Option<&str>, max: u64) -> ApiResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE.min(max),
            Some(n) if n < 0 => return Err(ApiError::bad_input("first", "must not be negative")),
            Some(n) if n as u64 > max => {
                return Err(ApiError::bad_input("first", format!("must be at most {max}")));
            }
            Some(n) => n as u64,
        };
        let after = after
            .map(|c| decode_cursor(c).ok_or_else(|| ApiError::bad_input("after", "not a valid cursor")))
            .transpose()?;
        Ok(Self { first, after })
    }
}

/// The opaque cursor of the row with this id.
pub fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(cursor.as_bytes()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.strip_prefix("cursor:")?.parse().ok()
}

type CountFn = dyn Fn() -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync;

/// The connection's `totalCount`, counted on demand with the list's own filter.
#[derive(Clone)]
pub struct TotalCount(Arc<CountFn>);

impl TotalCount {
    pub fn of<E>(db: &DatabaseConnection, query: Select<E>) -> Self
    where
        E: EntityTrait,
        E::Model: FromQueryResult + Send + Sync,
    {
        let db = db.clone();
        Self(Arc::new(move || {
            let db = db.clone();
            let query = query.clone();
            Box::pin(async move { query.count(&db).await })
        }))
    }

    /// A count computed on demand by `f`.
    pub fn deferred(f: impl Fn() -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }
}

#[Object]
impl TotalCount {
    /// Number of items matching the filter, across all pages.
    async fn total_count(&self) -> async_graphql::Result<i32> {
        let n = (self.0)().await.map_err(ApiError::from)?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}

/// A Relay connection of `N` with `totalCount`.
pub type Conn<N> = Connection<String, N, TotalCount, EmptyFields>;

/// Load one page of `query`, keyed by `id_col`.
pub async fn fetch<E>(
    db: &DatabaseConnection,
    query: Select<E>,
    id_col: E::Column,
    page: Page,
    order: Order,
) -> ApiResult<(Vec<E::Model>, bool)>
where
    E: EntityTrait,
{
    let mut q = query;
    if let Some(after) = page.after {
        q = match order {
            Order::Ascending => q.filter(id_col.gt(after)),
            Order::Descending => q.filter(id_col.lt(after)),
        };
    }
    q = match order {
        Order::Ascending => q.order_by_asc(id_col),
        Order::Descending => q.order_by_desc(id_col),
    };
    let mut rows = q.limit(page.first + 1).all(db).await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok((rows, has_next))
}

/// One page of rows, with what a connection needs to describe it.
pub struct Paged<M> {
    pub rows: Vec<M>,
    pub has_next: bool,
    pub page: Page,
    pub total: TotalCount,
}

impl<M> Paged<M> {
    /// Wrap the rows as a Relay connection of `N`.
    pub fn into_connection<N: OutputType>(
        self,
        id_of: impl Fn(&M) -> i64,
        to_node: impl Fn(M) -> N,
    ) -> Conn<N> {
        let mut conn =
            Connection::with_additional_fields(self.page.after.is_some(), self.has_next, self.total);
        conn.edges.extend(self.rows.into_iter().map(|row| {
            let cursor = encode_cursor(id_of(&row));
            Edge::new(cursor, to_node(row))
        }));
        conn
    }
}

/// Fetch one page of `query` with its lazy total count.
pub async fn paginate<E>(
    db: &DatabaseConnection,
    query: Select<E>,
    id_col: E::Column,
    page: Page,
    order: Order,
) -> ApiResult<Paged<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
{
    let total = TotalCount::of(db, query.clone());
    let (rows, has_next) = fetch(db, query, id_col, page, order).await?;
    Ok(Paged {
        rows,
        has_next,
        page,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(1234)), Some(1234));
        assert_eq!(decode_cursor("garbage"), None);
    }

    #[test]
    fn a_page_above_the_maximum_is_refused() {
        assert!(Page::new(Some(101), None, 100).is_err());
        assert!(Page::new(Some(-1), None, 100).is_err());
        assert_eq!(Page::new(None, None, 100).map(|p| p.first).ok(), Some(20));
    }
}
