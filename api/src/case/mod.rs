//! Cases: one sentence under supervision, its conditions and its lifecycle.

pub mod conditions;
pub mod entity;
pub mod geofence;
pub mod graphql;
pub mod lifecycle;
pub mod restrictions;
pub mod service;
