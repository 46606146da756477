//! The `training` namespace on Query and Mutation, and the module's GraphQL types.
//! Resolvers are thin: they decode their input into domain types, call one function of
//! `crate::service`, and wrap what it returns; relationship fields read through the
//! request's loaders. Every type carries the module's `visible` function and guard.

pub mod course;
pub mod coverage;
pub mod enrolment;
pub mod mutation;
pub mod query;

pub use mutation::{TrainingMutation, TrainingMutationRoot};
pub use query::{TrainingQuery, TrainingQueryRoot};
