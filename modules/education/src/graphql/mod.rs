//! The `education` namespace on Query and Mutation, and the module's GraphQL types.
//! Resolvers are thin: they decode their input into domain types, call one function of
//! `crate::service`, and wrap what it returns; relationship fields read through the
//! request's loaders. Every type carries the module's `visible` function and guard:
//! hidden from, and refused to, callers whose organisation has the module switched off.

pub mod enrolment;
pub mod matching;
pub mod mutation;
pub mod programme;
pub mod query;

pub use mutation::{EducationMutation, EducationMutationRoot};
pub use query::{EducationQuery, EducationQueryRoot};
