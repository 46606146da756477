//! Mahalla-, district- and region-level analytics: GraphQL and a CSV export.

pub mod csv;
pub mod graphql;
pub mod service;
