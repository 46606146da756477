//! End-to-end tests of the assembled server: one binary, a fresh database per test.
#![recursion_limit = "256"]

mod helpers;
mod probe;
mod world;

mod access;
mod alerts;
mod analytics;
mod audit;
mod auth;
mod cases;
mod events;
mod http_spec;
mod idempotency;
mod mahalla;
mod modules;
mod pagination;
mod plan;
mod referrals;
mod risk;
mod schema;
mod service_accounts;
mod supervision;
mod territory;
mod users;
mod webhook_delivery;
mod webhook_tls;
mod webhooks;
