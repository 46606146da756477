//! Early warnings: rules evaluated as events arrive and by a periodic sweep, the alerts
//! they raise (acknowledged and resolved with a note), and per-organisation settings.

pub mod engine;
pub mod entity;
pub mod graphql;
pub mod rules;
pub mod service;
