//! Batched pages of nested lists: one statement per nested field of a page of parents,
//! whatever the number of parents.
//!
//! A nested list (a case's appointments, a person's cases, a region's districts, a
//! module's records of a person) is the children of a parent under a filter built from
//! the field's arguments. A [`NestedKey`] names one page of it: the parent, the page
//! size, the cursor and the [`Filter`]. Keys that share page size, cursor and filter —
//! the same field asked of every parent on a page — are read together with a window
//! function, `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id)`, which SQLite (3.25
//! and later) and PostgreSQL both run from the `(parent, id)` index. Each parent's rows
//! are then cut to its page, so `hasNextPage` and cursors stay per parent.
//!
//! [`Loaders::nested`](super::Loaders::nested) hands out one `Nested` per kind of nested
//! list and request; modules use it as the core does.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::OutputType;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, IdenStatic, ModelTrait, QueryFilter,
    QuerySelect, QueryTrait, Value,
};

use super::loader_error;
use crate::error::ApiResult;
use crate::pagination::{Conn, Order, Page, Paged, TotalCount};

/// The filter of a nested list, built from the field's arguments (and the caller's
/// scope). Two filters are the same key when they would produce the same SQL.
#[derive(Clone)]
pub struct Filter {
    identity: Arc<str>,
    condition: Arc<Condition>,
}

impl Filter {
    pub fn new(condition: Condition) -> Self {
        // The debug form spells out every column, operator and bound value, so equal
        // forms mean equal SQL.
        Self {
            identity: format!("{condition:?}").into(),
            condition: Arc::new(condition),
        }
    }

    /// No filter beyond the parent.
    pub fn all() -> Self {
        Self::new(Condition::all())
    }

    fn condition(&self) -> Condition {
        (*self.condition).clone()
    }
}

impl PartialEq for Filter {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity
    }
}

impl Eq for Filter {}

impl Hash for Filter {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity.hash(state);
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.identity)
    }
}

/// One page of the children of one parent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NestedKey {
    pub parent: i64,
    pub first: u64,
    pub after: Option<i64>,
    pub filter: Filter,
}

/// The children on a page, in the list's order, and whether more follow.
#[derive(Debug, Clone)]
pub struct NestedPage<M> {
    pub rows: Vec<M>,
    pub has_next: bool,
}

type Extract<M> = Arc<dyn Fn(&M) -> i64 + Send + Sync>;

/// How to find one kind of children: the table, its parent column and its key.
struct Shape<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    id: E::Column,
    order: Order,
    parent_of: Extract<E::Model>,
    id_of: Extract<E::Model>,
}

impl<E: EntityTrait> Clone for Shape<E> {
    fn clone(&self) -> Self {
        Self {
            db: self.db.clone(),
            parent: self.parent,
            id: self.id,
            order: self.order,
            parent_of: self.parent_of.clone(),
            id_of: self.id_of.clone(),
        }
    }
}

/// Batched pages and counts of one kind of nested list.
pub struct Nested<E: EntityTrait> {
    pages: Arc<DataLoader<PageLoader<E>, HashMapCache>>,
    counts: Arc<DataLoader<CountLoader<E>, HashMapCache>>,
}

/// The integer in a key column's value (0 for a null one, which matches no parent).
fn int_of(value: Value) -> i64 {
    match value {
        Value::BigInt(Some(v)) => v,
        Value::Int(Some(v)) => i64::from(v),
        Value::SmallInt(Some(v)) => i64::from(v),
        Value::BigUnsigned(Some(v)) => i64::try_from(v).unwrap_or(i64::MAX),
        Value::Unsigned(Some(v)) => i64::from(v),
        _ => 0,
    }
}

impl<E> Nested<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    /// Pages of `E` rows under their `parent` column, keyed and ordered by `id`.
    pub fn new(db: &DatabaseConnection, parent: E::Column, id: E::Column, order: Order) -> Self {
        Self::with_extractors(
            db,
            parent,
            id,
            order,
            Arc::new(move |m: &E::Model| int_of(m.get(parent))),
            Arc::new(move |m: &E::Model| int_of(m.get(id))),
        )
    }

    pub(super) fn with_extractors(
        db: &DatabaseConnection,
        parent: E::Column,
        id: E::Column,
        order: Order,
        parent_of: Extract<E::Model>,
        id_of: Extract<E::Model>,
    ) -> Self {
        let shape = Shape {
            db: db.clone(),
            parent,
            id,
            order,
            parent_of,
            id_of,
        };
        Self {
            pages: Arc::new(DataLoader::with_cache(
                PageLoader(shape.clone()),
                super::spawn_in_span,
                HashMapCache::default(),
            )),
            counts: Arc::new(DataLoader::with_cache(
                CountLoader(shape),
                super::spawn_in_span,
                HashMapCache::default(),
            )),
        }
    }

    /// One page of `parent`'s children under `filter`, as a connection; `totalCount` is
    /// counted in the same batched way when selected.
    pub async fn connection<N: OutputType>(
        &self,
        parent: i64,
        filter: Filter,
        page: Page,
        id_of: impl Fn(&E::Model) -> i64,
        to_node: impl Fn(E::Model) -> N,
    ) -> ApiResult<Conn<N>> {
        Ok(self
            .paged(parent, filter, page)
            .await?
            .into_connection(id_of, to_node))
    }

    /// One page of `parent`'s children under `filter`.
    pub async fn paged(&self, parent: i64, filter: Filter, page: Page) -> ApiResult<Paged<E::Model>> {
        let key = NestedKey {
            parent,
            first: page.first,
            after: page.after,
            filter: filter.clone(),
        };
        let loaded = self
            .pages
            .load_one(key)
            .await
            .map_err(loader_error)?
            .unwrap_or(NestedPage {
                rows: Vec::new(),
                has_next: false,
            });
        let counts = self.counts.clone();
        let total = TotalCount::deferred(move || {
            let counts = counts.clone();
            let filter = filter.clone();
            Box::pin(async move {
                counts
                    .load_one((parent, filter))
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

    /// Every child of `parent` under `filter`, in the list's order (for nested lists
    /// that are not paged; keep them to relationships whose size is capped on write).
    pub async fn all(&self, parent: i64, filter: Filter) -> ApiResult<Vec<E::Model>> {
        let page = Page {
            first: u64::from(u32::MAX),
            after: None,
        };
        Ok(self.paged(parent, filter, page).await?.rows)
    }
}

/// Loads pages of nested lists, one windowed statement per (page size, cursor, filter).
struct PageLoader<E: EntityTrait>(Shape<E>);

impl<E> Loader<NestedKey> for PageLoader<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    type Value = NestedPage<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[NestedKey]) -> Result<HashMap<NestedKey, Self::Value>, Self::Error> {
        let s = &self.0;
        let mut groups: HashMap<(u64, Option<i64>, Filter), Vec<i64>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.first, k.after, k.filter.clone()))
                .or_default()
                .push(k.parent);
        }
        let backend = s.db.get_database_backend();
        let direction = match s.order {
            Order::Ascending => "ASC",
            Order::Descending => "DESC",
        };
        let mut out = HashMap::with_capacity(keys.len());
        for ((first, after, filter), parents) in groups {
            let mut inner = E::find()
                .filter(s.parent.is_in(parents.iter().copied()))
                .filter(filter.condition());
            if let Some(after) = after {
                inner = inner.filter(match s.order {
                    Order::Ascending => s.id.gt(after),
                    Order::Descending => s.id.lt(after),
                });
            }
            let mut inner = inner.into_query();
            inner.expr_as(
                Expr::cust(format!(
                    "ROW_NUMBER() OVER (PARTITION BY {} ORDER BY {} {direction})",
                    s.parent.as_str(),
                    s.id.as_str()
                )),
                Alias::new("page_row"),
            );
            let limit = i64::try_from(first.saturating_add(1)).unwrap_or(i64::MAX);
            let outer = Query::select()
                .column(Asterisk)
                .from_subquery(inner, Alias::new("page"))
                .and_where(Expr::col(Alias::new("page_row")).lte(limit))
                .to_owned();
            let rows = E::find()
                .from_raw_sql(backend.build(&outer))
                .all(&s.db)
                .await
                .map_err(Arc::new)?;
            let mut by_parent: HashMap<i64, Vec<E::Model>> = HashMap::new();
            for row in rows {
                by_parent.entry((s.parent_of)(&row)).or_default().push(row);
            }
            for parent in parents {
                let mut rows = by_parent.remove(&parent).unwrap_or_default();
                match s.order {
                    Order::Ascending => rows.sort_by_key(|r| (s.id_of)(r)),
                    Order::Descending => rows.sort_by_key(|r| std::cmp::Reverse((s.id_of)(r))),
                }
                let has_next = rows.len() as u64 > first;
                rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
                let key = NestedKey {
                    parent,
                    first,
                    after,
                    filter: filter.clone(),
                };
                out.insert(key, NestedPage { rows, has_next });
            }
        }
        Ok(out)
    }
}

/// Counts the children of many parents with one grouped statement per filter.
struct CountLoader<E: EntityTrait>(Shape<E>);

impl<E> Loader<(i64, Filter)> for CountLoader<E>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    E::Column: Send + Sync,
{
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[(i64, Filter)]) -> Result<HashMap<(i64, Filter), u64>, Self::Error> {
        let s = &self.0;
        let mut groups: HashMap<Filter, Vec<i64>> = HashMap::new();
        for (parent, filter) in keys {
            groups.entry(filter.clone()).or_default().push(*parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (filter, parents) in groups {
            let counts: Vec<(i64, i64)> = E::find()
                .select_only()
                .column(s.parent)
                .column_as(s.parent.count(), "n")
                .filter(s.parent.is_in(parents.iter().copied()))
                .filter(filter.condition())
                .group_by(s.parent)
                .into_tuple()
                .all(&s.db)
                .await
                .map_err(Arc::new)?;
            let counts: HashMap<i64, i64> = counts.into_iter().collect();
            for parent in parents {
                let n = counts.get(&parent).copied().unwrap_or(0);
                out.insert((parent, filter.clone()), u64::try_from(n).unwrap_or(0));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::entity::case;

    #[test]
    fn filters_with_the_same_sql_are_the_same_key() {
        let a = Filter::new(Condition::all().add(case::Column::RegionId.eq(1)));
        let b = Filter::new(Condition::all().add(case::Column::RegionId.eq(1)));
        let c = Filter::new(Condition::all().add(case::Column::RegionId.eq(2)));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, Filter::all());
    }
}
