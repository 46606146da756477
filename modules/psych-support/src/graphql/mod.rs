//! The `psychSupport` namespaces on Query and Mutation, and the module's GraphQL types.
//! Resolvers are thin: they decode their input into domain types, call one function of
//! `crate::service` with the caller, and wrap what it returns. Every type carries the
//! module's `visible` predicate and guard.

pub mod clinical;
pub mod mutation;
pub mod practitioner;
pub mod query;
pub mod session;
pub mod support;

use async_graphql::Context;
use hamkor_api::module::is_enabled;

pub use mutation::{PsychSupportMutation, PsychSupportMutationRoot};
pub use query::{PsychSupportQuery, PsychSupportQueryRoot};

use crate::ID as MODULE;

/// Whether the caller's organisation has the module enabled (its schema is hidden otherwise).
pub fn psych_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, MODULE)
}
