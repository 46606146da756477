//! Organisations: the agencies and partners that work cases together.

pub mod entity;
pub mod graphql;
pub mod service;

pub use entity::{Entity, Model, OrganisationKind};
