//! Batched first pages of the child connections of a case (appointments, violations,
//! notes, status history, …), newest first, on the generic [`Nested`] loader.
//!
//! A page key's `variant` selects an extra filter that depends on the reader, not on the
//! field's arguments (for notes, the reader's visibility).

use std::sync::Arc;

use async_graphql::OutputType;
use sea_orm::{Condition, DatabaseConnection, EntityTrait};

use super::nested::{Filter, Nested};
use crate::error::ApiResult;
use crate::pagination::{Conn, Order, Page, Paged};

/// Batched pages and counts of one kind of child record, newest first.
pub struct Children<E: EntityTrait> {
    nested: Nested<E>,
    variant: fn(u8) -> Condition,
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
        Self {
            nested: Nested::with_extractors(
                db,
                parent,
                id,
                Order::Descending,
                Arc::new(parent_of),
                Arc::new(id_of),
            ),
            variant,
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
        self.nested
            .paged(parent, Filter::new((self.variant)(variant)), page)
            .await
    }
}

/// The `variant` filter of children that every reader sees alike.
pub fn unfiltered(_: u8) -> Condition {
    Condition::all()
}
