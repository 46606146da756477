//! Batched first pages of child connections (a case's appointments, violations, notes,
//! status history), so that a list of cases that asks for each case's latest records
//! costs one query per kind of record, not one per case.
//!
//! A key names one page of one parent's children: the parent, the page size, the cursor,
//! and a `variant` that selects an extra filter (for notes, the reader's visibility). Keys
//! that share page size, cursor and variant are read together with a window function
//! (`ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id DESC)`), which both SQLite and
//! PostgreSQL run from the `(parent, id)` index.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::OutputType;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, IdenStatic, QueryFilter, QuerySelect,
    QueryTrait,
};

use super::loader_error;
use crate::error::ApiResult;
use crate::pagination::{Conn, Page, Paged, TotalCount};

type Pages<E> = Arc<DataLoader<ChildPageLoader<E>, HashMapCache>>;
type Counts<E> = Arc<DataLoader<ChildCountLoader<E>, HashMapCache>>;

/// Batched pages and counts of one kind of child record.
pub struct Children<E: EntityTrait> {
    pub pages: Pages<E>,
    pub counts: Counts<E>,
}

impl<E> Children<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    /// Pages of `E` rows under their `parent` column, keyed by `id`; `variant` turns the
    /// page key's variant into an extra filter (a reader's access level, say).
    pub fn new(
        db: &DatabaseConnection,
        parent: E::Column,
        id: E::Column,
        parent_of: fn(&E::Model) -> i64,
        id_of: fn(&E::Model) -> i64,
        variant: fn(u8) -> Condition,
    ) -> Self {
        let pages = ChildPageLoader {
            db: db.clone(),
            parent,
            id,
            parent_of,
            id_of,
            variant,
        };
        let counts = ChildCountLoader {
            db: db.clone(),
            parent,
            variant,
        };
        Self {
            pages: Arc::new(DataLoader::with_cache(
                pages,
                tokio::spawn,
                HashMapCache::default(),
            )),
            counts: Arc::new(DataLoader::with_cache(
                counts,
                tokio::spawn,
                HashMapCache::default(),
            )),
        }
    }

    /// One page of `parent`'s children as a connection, newest first; `totalCount` is
    /// counted in the same batched way when selected.
    pub async fn connection<N: OutputType>(
        &self,
        parent: i64,
        variant: u8,
        page: Page,
        id_of: impl Fn(&E::Model) -> i64,
        to_node: impl Fn(E::Model) -> N,
    ) -> ApiResult<Conn<N>> {
        Ok(self
            .paged(parent, variant, page)
            .await?
            .into_connection(id_of, to_node))
    }

    /// One page of `parent`'s children, newest first.
    pub async fn paged(&self, parent: i64, variant: u8, page: Page) -> ApiResult<Paged<E::Model>> {
        let key = PageKey {
            parent,
            first: page.first,
            after: page.after,
            variant,
        };
        let loaded = self
            .pages
            .load_one(key)
            .await
            .map_err(loader_error)?
            .unwrap_or(ChildPage {
                rows: Vec::new(),
                has_next: false,
            });
        let counts = self.counts.clone();
        let total = TotalCount::deferred(move || {
            let counts = counts.clone();
            Box::pin(async move {
                counts
                    .load_one((parent, variant))
                    .await
                    .map(Option::unwrap_or_default)
                    .map_err(|e| (*e).clone())
            })
        });
        Ok(Paged {
            rows: loaded.rows,
            has_next: loaded.has_next,
            page,
            total,
        })
    }
}

/// The `variant` filter of children that every reader sees alike.
pub fn unfiltered(_: u8) -> Condition {
    Condition::all()
}

/// One page of the children of one parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub parent: i64,
    pub first: u64,
    pub after: Option<i64>,
    pub variant: u8,
}

/// The children on a page, newest first, and whether more follow.
#[derive(Debug, Clone)]
pub struct ChildPage<M> {
    pub rows: Vec<M>,
    pub has_next: bool,
}

/// Loads pages of children of `E`, newest first.
pub struct ChildPageLoader<E: EntityTrait> {
    pub(super) db: DatabaseConnection,
    pub(super) parent: E::Column,
    pub(super) id: E::Column,
    pub(super) parent_of: fn(&E::Model) -> i64,
    pub(super) id_of: fn(&E::Model) -> i64,
    pub(super) variant: fn(u8) -> Condition,
}

impl<E> Loader<PageKey> for ChildPageLoader<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    type Value = ChildPage<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Self::Value>, Self::Error> {
        let mut groups: HashMap<(u64, Option<i64>, u8), Vec<i64>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.first, k.after, k.variant))
                .or_default()
                .push(k.parent);
        }
        let backend = self.db.get_database_backend();
        let mut out = HashMap::with_capacity(keys.len());
        for ((first, after, variant), parents) in groups {
            let mut inner = E::find()
                .filter(self.parent.is_in(parents.iter().copied()))
                .filter((self.variant)(variant));
            if let Some(after) = after {
                inner = inner.filter(self.id.lt(after));
            }
            let mut inner = inner.into_query();
            inner.expr_as(
                Expr::cust(format!(
                    "ROW_NUMBER() OVER (PARTITION BY {} ORDER BY {} DESC)",
                    self.parent.as_str(),
                    self.id.as_str()
                )),
                Alias::new("page_row"),
            );
            let outer = Query::select()
                .column(Asterisk)
                .from_subquery(inner, Alias::new("page"))
                .and_where(Expr::col(Alias::new("page_row")).lte(first as i64 + 1))
                .to_owned();
            let rows = E::find()
                .from_raw_sql(backend.build(&outer))
                .all(&self.db)
                .await
                .map_err(Arc::new)?;
            let mut by_parent: HashMap<i64, Vec<E::Model>> = HashMap::new();
            for row in rows {
                by_parent.entry((self.parent_of)(&row)).or_default().push(row);
            }
            for parent in parents {
                let mut rows = by_parent.remove(&parent).unwrap_or_default();
                rows.sort_by_key(|r| std::cmp::Reverse((self.id_of)(r)));
                let has_next = rows.len() as u64 > first;
                rows.truncate(first as usize);
                out.insert(
                    PageKey {
                        parent,
                        first,
                        after,
                        variant,
                    },
                    ChildPage { rows, has_next },
                );
            }
        }
        Ok(out)
    }
}

/// Counts the children of many parents with one grouped query per variant.
pub struct ChildCountLoader<E: EntityTrait> {
    pub(super) db: DatabaseConnection,
    pub(super) parent: E::Column,
    pub(super) variant: fn(u8) -> Condition,
}

impl<E> Loader<(i64, u8)> for ChildCountLoader<E>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    E::Column: Send + Sync,
{
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[(i64, u8)]) -> Result<HashMap<(i64, u8), u64>, Self::Error> {
        let mut groups: HashMap<u8, Vec<i64>> = HashMap::new();
        for (parent, variant) in keys {
            groups.entry(*variant).or_default().push(*parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (variant, parents) in groups {
            let counts: Vec<(i64, i64)> = E::find()
                .select_only()
                .column(self.parent)
                .column_as(self.parent.count(), "n")
                .filter(self.parent.is_in(parents.iter().copied()))
                .filter((self.variant)(variant))
                .group_by(self.parent)
                .into_tuple()
                .all(&self.db)
                .await
                .map_err(Arc::new)?;
            let counts: HashMap<i64, i64> = counts.into_iter().collect();
            for parent in parents {
                let n = counts.get(&parent).copied().unwrap_or(0);
                out.insert((parent, variant), u64::try_from(n).unwrap_or(0));
            }
        }
        Ok(out)
    }
}
