//! Structured risk assessment of a case: the instrument, its history and overrides, the
//! outcomes on record and the instrument's validation against them, and the learned
//! model that assists (never decides).

pub mod entity;
pub mod graphql;
pub mod instrument;
pub mod model;
pub mod model_graphql;
pub mod outcome;
pub mod service;
pub mod validation;
pub mod validation_graphql;
