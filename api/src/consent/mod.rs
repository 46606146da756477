//! A person's consents to share their data with partner organisations.

pub mod entity;
pub mod graphql;
pub mod service;
