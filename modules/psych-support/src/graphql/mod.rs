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

pub use mutation::{PsychSupportMutation, PsychSupportMutationRoot};
pub use query::{PsychSupportQuery, PsychSupportQueryRoot};

pub use crate::psych_visible;
