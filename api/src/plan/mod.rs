//! The individual rehabilitation plan of a case: goals per domain, actions owned by
//! organisations.

pub mod entity;
pub mod graphql;
pub mod service;
