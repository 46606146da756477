//! The append-only audit log.

pub mod entity;
pub mod graphql;
pub mod reads;
pub mod service;
