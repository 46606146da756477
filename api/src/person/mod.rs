//! People under supervision.

pub mod education;
pub mod entity;
pub mod graphql;
pub mod pinfl;
pub mod service;

pub use entity::{Entity, Model};
