//! Hamkor core gateway: the shared case schema, authentication, access control, audit.
//!
//! Layers go one way: `http` → `graphql` (per area) → `service` (per area) → `entity`.

pub mod access;
pub mod alert;
pub mod analytics;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod case;
pub mod config;
pub mod consent;
pub mod db;
pub mod enums;
pub mod error;
pub mod events;
pub mod external_id;
pub mod filters;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod lifecycle;
pub mod loaders;
pub mod mahalla;
pub mod module;
pub mod monitoring;
pub mod organisation;
pub mod pagination;
pub mod person;
pub mod plan;
pub mod referral;
pub mod risk;
pub mod seed;
pub mod state;
pub mod supervision;
pub mod sync;
pub mod telemetry;
pub mod territory;
pub mod trusted_documents;
pub mod user;
pub mod validate;
pub mod webhook;
