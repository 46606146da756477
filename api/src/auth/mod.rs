//! Authentication: passwords, access tokens, refresh tokens, service accounts.

pub mod entity;
pub mod graphql;
pub mod jwt;
pub mod password;
pub mod principal;
pub mod service;
