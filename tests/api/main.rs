//! End-to-end tests of the assembled server: one binary, a fresh database per test.

mod helpers;
mod world;

mod access;
mod audit;
mod auth;
mod cases;
mod http_spec;
mod pagination;
mod plan;
mod schema;
mod supervision;
mod territory;
mod users;
