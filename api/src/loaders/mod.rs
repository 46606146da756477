//! Per-request DataLoaders: every relationship is fetched in batches, once per request.
//!
//! Loaders return raw rows; the resolver that exposes a row checks the caller's access.
//! They are built per request (never shared between callers) with a request-long cache.
//! `rows.rs` loads rows by id and small child lists; `nested.rs` loads pages of nested
//! lists under the field's arguments (a case's pending appointments, a person's cases,
//! a region's districts, …) for many parents at once, one statement per field;
//! `child_pages.rs` is its form for a case's records read by access level.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait};

pub mod child_pages;
pub mod nested;
mod rows;

pub use child_pages::{Children, unfiltered};
pub use nested::{Filter, Nested};
pub use rows::{
    ById, ByIdLoader, ByParent, ByParentLoader, HasId, by_id, by_parent, children, loader_error, many, one,
};

/// The spawner of every DataLoader: a batch runs in the span of the field that asked
/// first, so its statements join the request's trace.
pub(crate) fn spawn_in_span(fut: futures::future::BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(tracing::Instrument::in_current_span(fut))
}

use crate::access::CaseAccess;
use crate::case::entity::{case, condition, status_change};
use crate::consent::entity as consent;
use crate::organisation::entity as organisation;
use crate::pagination::Order;
use crate::person::entity as person;
use crate::plan::entity::{action, goal, plan};
use crate::referral::entity::{referral, transition};
use crate::supervision::entity::{note, violation};
use crate::territory::entity::{district, mahalla, region};
use crate::user::entity::{user, user_role, user_territory};

/// The `variant` of pages whose rows a reader sees by their access level (notes, alerts).
pub fn level_variant(level: CaseAccess) -> u8 {
    match level {
        CaseAccess::Community => 0,
        CaseAccess::Supervise => 1,
        CaseAccess::Full => 2,
    }
}

/// The access level of a page key's variant ([`level_variant`]'s inverse).
pub fn variant_level(variant: u8) -> CaseAccess {
    match variant {
        2 => CaseAccess::Full,
        1 => CaseAccess::Supervise,
        _ => CaseAccess::Community,
    }
}

fn readable_notes(variant: u8) -> Condition {
    let level = variant_level(variant);
    Condition::all().add(note::Column::Visibility.is_in(level.readable_note_visibilities()))
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
    pub violations: Children<violation::Entity>,
    pub notes: Children<note::Entity>,
    pub status_changes: Children<status_change::Entity>,
    /// Referrals of a case.
    pub referrals_by_case: Children<referral::Entity>,
    db: DatabaseConnection,
    /// The loaders of modules, created on first use within the request.
    extensions: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// The nested-list loaders, created on first use within the request.
    nested: Mutex<HashMap<NestedShape, Arc<dyn Any + Send + Sync>>>,
}

/// Which nested list a [`Nested`] loader reads: the entity, its parent and key columns,
/// and the order.
type NestedShape = (TypeId, &'static str, &'static str, Order);

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
            nested: Mutex::default(),
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

    /// The request's loader of the `E` rows under their `parent` column, paged by `id`
    /// in `order`: what every nested list resolver (of the core or of a module) reads
    /// through, so that a page of N parents costs one statement per nested field.
    pub fn nested<C>(&self, parent: C, id: C, order: Order) -> Arc<Nested<C::EntityName>>
    where
        C: ColumnTrait + Send + Sync,
        C::EntityName: EntityTrait<Column = C>,
        <C::EntityName as EntityTrait>::Model: Clone + Send + Sync + 'static,
    {
        let shape = (TypeId::of::<C::EntityName>(), parent.as_str(), id.as_str(), order);
        let mut map = self.nested.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = map
            .get(&shape)
            .cloned()
            .and_then(|any| any.downcast::<Nested<C::EntityName>>().ok())
        {
            return found;
        }
        let made = Arc::new(Nested::new(&self.db, parent, id, order));
        map.insert(shape, made.clone());
        made
    }
}
