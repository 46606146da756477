//! The `electronicMonitoring` namespaces on Query and Mutation, and the module's GraphQL
//! types. Resolvers are thin: they decode their input, call one function of
//! `crate::service` with the caller, and wrap what it returns. Every type carries the
//! module's `visible` predicate and guard.

pub mod case;
pub mod equipment;
pub mod mutation;
pub mod query;

pub use mutation::{ElectronicMonitoringMutation, ElectronicMonitoringMutationRoot};
pub use query::{ElectronicMonitoringQuery, ElectronicMonitoringQueryRoot};

pub use crate::em_visible;
