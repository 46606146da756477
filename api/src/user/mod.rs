//! Users: people who sign in and machine clients (service accounts), with roles and a
//! territorial scope.

pub mod entity;
pub mod graphql;
pub mod service;
pub mod service_account;
