//! The `employment` namespace on Query and Mutation, and the module's GraphQL types.
//! Resolvers are thin: they decode their input into domain types, call one function of
//! `crate::service` with the caller, and wrap what it returns; relationship fields read
//! through the request's loaders. Every type carries the module's `visible` function
//! and guard: hidden from, and refused to, callers whose organisation has the module
//! switched off.

pub mod application;
pub mod employer;
pub mod matching;
pub mod mutation;
pub mod outcome;
pub mod profile;
pub mod query;
pub mod vacancy;

pub use mutation::{EmploymentMutation, EmploymentMutationRoot};
pub use query::{EmploymentQuery, EmploymentQueryRoot};
