//! Loaders of rows by primary key and of the small child lists of parents, and the
//! helpers resolvers load through.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::case::entity::{case, condition};
use crate::consent::entity as consent;
use crate::error::ApiError;
use crate::organisation::entity as organisation;
use crate::person::entity as person;
use crate::plan::entity::{action, goal, plan};
use crate::referral::entity::referral;
use crate::territory::entity::{district, mahalla, region};
use crate::user::entity::user;

/// An entity with an `i64` primary key named `id`.
pub trait HasId: EntityTrait {
    fn id_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i64;
}

/// Implement [`HasId`] for entities whose primary key is an `i64` column named `id`
/// (`hamkor_api::has_id!(programme::Entity, intake::Entity);`). The caller's crate
/// depends on `sea-orm`.
#[macro_export]
macro_rules! has_id {
    ($($entity:path),* $(,)?) => {$(
        impl $crate::loaders::HasId for $entity {
            fn id_column() -> Self::Column {
                <Self as sea_orm::EntityTrait>::Column::Id
            }
            fn id_of(model: &Self::Model) -> i64 {
                model.id
            }
        }
    )*};
}

crate::has_id!(
    region::Entity,
    district::Entity,
    mahalla::Entity,
    organisation::Entity,
    user::Entity,
    person::Entity,
    case::Entity,
    condition::Entity,
    plan::Entity,
    goal::Entity,
    action::Entity,
    consent::Entity,
    referral::Entity,
    crate::mahalla::entity::member::Entity,
    crate::mahalla::entity::programme::Entity,
    crate::mahalla::entity::conference::Entity,
    crate::mahalla::entity::task::Entity,
);

/// Loads rows by primary key.
pub struct ByIdLoader<E> {
    db: DatabaseConnection,
    _entity: PhantomData<fn() -> E>,
}

impl<E> Loader<i64> for ByIdLoader<E>
where
    E: HasId,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, E::Model>, Self::Error> {
        let rows = E::find()
            .filter(E::id_column().is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// Loads the children of many parents in one query, grouped by parent id. Only for
/// relationships whose size is capped on write (conditions, plan goals and actions,
/// roles, territories), so the lists stay small.
pub struct ByParentLoader<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    order: E::Column,
    parent_of: fn(&E::Model) -> i64,
}

impl<E> Loader<i64> for ByParentLoader<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<E::Model>>, Self::Error> {
        let rows = E::find()
            .filter(self.parent.is_in(keys.iter().copied()))
            .order_by_asc(self.order)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut grouped: HashMap<i64, Vec<E::Model>> = HashMap::new();
        for row in rows {
            grouped.entry((self.parent_of)(&row)).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// A request-long loader of rows by id.
pub type ById<E> = DataLoader<ByIdLoader<E>, HashMapCache>;
/// A request-long loader of the (small) child lists of parents.
pub type ByParent<E> = DataLoader<ByParentLoader<E>, HashMapCache>;

/// A loader of `E` rows by id (for the loaders of modules).
pub fn by_id<E: HasId>(db: &DatabaseConnection) -> ById<E>
where
    E::Model: Clone + Send + Sync + 'static,
{
    DataLoader::with_cache(
        ByIdLoader {
            db: db.clone(),
            _entity: PhantomData,
        },
        super::spawn_in_span,
        HashMapCache::default(),
    )
}

/// A loader of the children of parents, grouped by `parent`, ordered by `order`.
pub fn by_parent<E: EntityTrait>(
    db: &DatabaseConnection,
    parent: E::Column,
    order: E::Column,
    parent_of: fn(&E::Model) -> i64,
) -> ByParent<E>
where
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    DataLoader::with_cache(
        ByParentLoader {
            db: db.clone(),
            parent,
            order,
            parent_of,
        },
        super::spawn_in_span,
        HashMapCache::default(),
    )
}

/// A loader failure is an internal error.
pub fn loader_error(err: Arc<DbErr>) -> ApiError {
    ApiError::internal("batch load", err)
}

/// Load one row by id through `loader`.
pub async fn one<E>(loader: &ById<E>, id: i64) -> Result<Option<E::Model>, ApiError>
where
    E: HasId,
    E::Model: Clone + Send + Sync + 'static,
{
    loader.load_one(id).await.map_err(loader_error)
}

/// Load several rows by id in one batch through `loader`, in the order of `ids`
/// (missing ones, and repeats, left out).
pub async fn many<E>(loader: &ById<E>, ids: impl IntoIterator<Item = i64>) -> Result<Vec<E::Model>, ApiError>
where
    E: HasId,
    E::Model: Clone + Send + Sync + 'static,
{
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut found = loader
        .load_many(ids.iter().copied())
        .await
        .map_err(loader_error)?;
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Load the children of one parent through `loader`.
pub async fn children<E>(loader: &ByParent<E>, parent_id: i64) -> Result<Vec<E::Model>, ApiError>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    Ok(loader
        .load_one(parent_id)
        .await
        .map_err(loader_error)?
        .unwrap_or_default())
}
