//! Supervision records of a case: appointments and check-ins, violations, case notes.

pub mod entity;
pub mod graphql;
pub mod service;
