//! Structured risk assessment of a case: the instrument, its history and overrides.

pub mod entity;
pub mod graphql;
pub mod instrument;
pub mod service;
