//! Domain events: the transactional outbox, its catch-up query and live subscriptions.

pub mod entity;
pub mod feed;
pub mod graphql;
pub mod service;
pub mod subscription;
