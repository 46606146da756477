//! Domain events: the transactional outbox.

pub mod entity;
pub mod service;
