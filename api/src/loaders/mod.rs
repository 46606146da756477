//! Per-request DataLoaders: every relationship is fetched in batches, once per request.
//!
//! Loaders return raw rows; the resolver that exposes a row checks the caller's access.
//! They are built per request (never shared between callers) with a request-long cache.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use async_graphql::OutputType;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

pub mod child_pages;

use crate::access::CaseAccess;
use crate::case::entity::{case, condition, status_change};
use crate::consent::entity as consent;
use crate::error::ApiError;
use crate::error::ApiResult;
use crate::organisation::entity as organisation;
use crate::pagination::{Conn, Page, Paged, TotalCount};
use crate::person::entity as person;
use crate::plan::entity::{action, goal, plan};
use crate::referral::entity::{referral, transition};
use crate::supervision::entity::{appointment, note, violation};
use crate::territory::entity::{district, mahalla, region};
use crate::user::entity::{user, user_role, user_territory};
use child_pages::{ChildCountLoader, ChildPageLoader, PageKey};

/// An entity with an `i64` primary key named `id`.
pub trait HasId: EntityTrait {
    fn id_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i64;
}

macro_rules! has_id {
    ($($entity:path),* $(,)?) => {$(
        impl HasId for $entity {
            fn id_column() -> Self::Column {
                <Self as EntityTrait>::Column::Id
            }
            fn id_of(model: &Self::Model) -> i64 {
                model.id
            }
        }
    )*};
}

has_id!(
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
        let loaded =
            self.pages
                .load_one(key)
                .await
                .map_err(loader_error)?
                .unwrap_or(child_pages::ChildPage {
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

/// The `variant` of note pages: the reader's access level.
pub fn note_variant(level: CaseAccess) -> u8 {
    match level {
        CaseAccess::Community => 0,
        CaseAccess::Supervise => 1,
        CaseAccess::Full => 2,
    }
}

fn readable_notes(variant: u8) -> Condition {
    let level = match variant {
        2 => CaseAccess::Full,
        1 => CaseAccess::Supervise,
        _ => CaseAccess::Community,
    };
    Condition::all().add(note::Column::Visibility.is_in(level.readable_note_visibilities()))
}

/// The `variant` filter of children that every reader sees alike.
pub fn unfiltered(_: u8) -> Condition {
    Condition::all()
}

/// All loaders of one request.
pub struct Loaders {
    pub regions: ById<region::Entity>,
    pub districts: ById<district::Entity>,
    pub mahallas: ById<mahalla::Entity>,
    pub organisations: ById<organisation::Entity>,
    pub users: ById<user::Entity>,
    pub persons: ById<person::Entity>,
    pub cases: ById<case::Entity>,
    pub plans: ById<plan::Entity>,
    pub goals: ById<goal::Entity>,
    pub consents: ById<consent::Entity>,
    pub referrals: ById<referral::Entity>,
    /// A referral's transitions (at most one per status, so the list stays short).
    pub transitions_by_referral: ByParent<transition::Entity>,
    pub roles_by_user: ByParent<user_role::Entity>,
    pub territories_by_user: ByParent<user_territory::Entity>,
    pub conditions_by_case: ByParent<condition::Entity>,
    pub plan_by_case: ByParent<plan::Entity>,
    pub goals_by_plan: ByParent<goal::Entity>,
    pub actions_by_goal: ByParent<action::Entity>,
    pub appointments: Children<appointment::Entity>,
    pub violations: Children<violation::Entity>,
    pub notes: Children<note::Entity>,
    pub status_changes: Children<status_change::Entity>,
    /// Referrals of a case.
    pub referrals_by_case: Children<referral::Entity>,
    db: DatabaseConnection,
    /// The loaders of modules, created on first use within the request.
    extensions: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

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
        tokio::spawn,
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
        tokio::spawn,
        HashMapCache::default(),
    )
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            regions: by_id(db),
            districts: by_id(db),
            mahallas: by_id(db),
            organisations: by_id(db),
            users: by_id(db),
            persons: by_id(db),
            cases: by_id(db),
            plans: by_id(db),
            goals: by_id(db),
            consents: by_id(db),
            referrals: by_id(db),
            transitions_by_referral: by_parent(
                db,
                transition::Column::ReferralId,
                transition::Column::Id,
                |m: &transition::Model| m.referral_id,
            ),
            roles_by_user: by_parent(
                db,
                user_role::Column::UserId,
                user_role::Column::Role,
                |m: &user_role::Model| m.user_id,
            ),
            territories_by_user: by_parent(
                db,
                user_territory::Column::UserId,
                user_territory::Column::Id,
                |m: &user_territory::Model| m.user_id,
            ),
            conditions_by_case: by_parent(
                db,
                condition::Column::CaseId,
                condition::Column::Id,
                |m: &condition::Model| m.case_id,
            ),
            plan_by_case: by_parent(db, plan::Column::CaseId, plan::Column::Id, |m: &plan::Model| {
                m.case_id
            }),
            goals_by_plan: by_parent(db, goal::Column::PlanId, goal::Column::Id, |m: &goal::Model| {
                m.plan_id
            }),
            actions_by_goal: by_parent(
                db,
                action::Column::GoalId,
                action::Column::Id,
                |m: &action::Model| m.goal_id,
            ),
            appointments: Children::new(
                db,
                appointment::Column::CaseId,
                appointment::Column::Id,
                |m: &appointment::Model| m.case_id,
                |m: &appointment::Model| m.id,
                unfiltered,
            ),
            violations: Children::new(
                db,
                violation::Column::CaseId,
                violation::Column::Id,
                |m: &violation::Model| m.case_id,
                |m: &violation::Model| m.id,
                unfiltered,
            ),
            notes: Children::new(
                db,
                note::Column::CaseId,
                note::Column::Id,
                |m: &note::Model| m.case_id,
                |m: &note::Model| m.id,
                readable_notes,
            ),
            status_changes: Children::new(
                db,
                status_change::Column::CaseId,
                status_change::Column::Id,
                |m: &status_change::Model| m.case_id,
                |m: &status_change::Model| m.id,
                unfiltered,
            ),
            referrals_by_case: Children::new(
                db,
                referral::Column::CaseId,
                referral::Column::Id,
                |m: &referral::Model| m.case_id,
                |m: &referral::Model| m.id,
                unfiltered,
            ),
            db: db.clone(),
            extensions: Mutex::default(),
        }
    }

    /// The request's loaders of type `T` (a module's own), built by `init` on first use
    /// and shared by every resolver of the request afterwards.
    pub fn extension<T: Any + Send + Sync>(&self, init: impl FnOnce(&DatabaseConnection) -> T) -> Arc<T> {
        let mut map = self.extensions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = map
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|any| any.downcast::<T>().ok())
        {
            return found;
        }
        let made = Arc::new(init(&self.db));
        map.insert(TypeId::of::<T>(), made.clone());
        made
    }
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
