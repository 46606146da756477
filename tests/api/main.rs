//! End-to-end tests of the assembled server: one binary, a fresh database per test.
#![recursion_limit = "256"]

mod helpers;
mod probe;
mod process;
mod world;

mod access;
mod alerts;
mod analytics;
mod audit;
mod auth;
mod cases;
mod config_env;
mod event_audiences;
mod events;
mod federation;
mod http_spec;
mod idempotency;
mod mahalla;
mod metrics;
mod modules;
mod names;
mod pagination;
mod plan;
mod protocol;
mod read_audit;
mod referrals;
mod replicas;
mod risk;
mod risk_model;
mod risk_validation;
mod schema;
mod service_accounts;
mod statements;
mod supervision;
mod sync;
mod territory;
mod throttle;
mod tracing_otlp;
mod trusted_documents;
mod users;
mod webhook_delivery;
mod webhook_tls;
mod webhooks;
mod ws;
