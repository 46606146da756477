//! Mahalla-, district- and region-level analytics (GraphQL; the CSV export is `http::analytics_csv`).

pub mod graphql;
pub mod service;
