//! Schema migrations of the Hamkor core.
//!
//! Migrations describe tables with `sea-query` only and never import entity code, so an
//! old migration keeps compiling and meaning the same thing when entities change.
//! Every migration runs in a transaction on every backend (SQLite included), so a
//! failure never leaves a half-created schema behind.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261125_000001_create_territories;
mod m20261125_000002_create_organisations_and_users;
mod m20261125_000003_create_auth_sessions;
mod m20261125_000004_create_people_and_cases;
mod m20261125_000005_create_supervision;
mod m20261125_000006_create_rehabilitation_plans;
mod m20261125_000007_create_audit_and_events;
mod m20261126_000008_create_modules;
mod m20261126_000009_create_consents_and_referrals;
mod m20261127_000010_referral_plan_goal;
mod m20261128_000011_create_mahalla_work;
mod m20261128_000012_create_risk_and_alerts;
mod m20261128_000014_create_webhooks;
mod m20261128_000015_create_idempotency_keys;
mod m20261207_000020_create_login_addresses;
mod m20261207_000201_add_condition_geofence;
mod m20261207_000301_record_versions;
mod m20261207_000302_create_sync;
mod m20261207_000401_create_risk_outcomes;
mod m20261207_000402_create_risk_models;
mod m20261207_000501_add_event_traceparent;
mod m20261208_000101_add_alert_audience;

/// The core's migrations, in order.
pub fn core_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000001_create_territories::Migration),
        Box::new(m20261125_000002_create_organisations_and_users::Migration),
        Box::new(m20261125_000003_create_auth_sessions::Migration),
        Box::new(m20261125_000004_create_people_and_cases::Migration),
        Box::new(m20261125_000005_create_supervision::Migration),
        Box::new(m20261125_000006_create_rehabilitation_plans::Migration),
        Box::new(m20261125_000007_create_audit_and_events::Migration),
        Box::new(m20261126_000008_create_modules::Migration),
        Box::new(m20261126_000009_create_consents_and_referrals::Migration),
        Box::new(m20261127_000010_referral_plan_goal::Migration),
        Box::new(m20261128_000011_create_mahalla_work::Migration),
        Box::new(m20261128_000012_create_risk_and_alerts::Migration),
        Box::new(m20261128_000014_create_webhooks::Migration),
        Box::new(m20261128_000015_create_idempotency_keys::Migration),
        Box::new(m20261207_000020_create_login_addresses::Migration),
        Box::new(m20261207_000201_add_condition_geofence::Migration),
        Box::new(m20261207_000301_record_versions::Migration),
        Box::new(m20261207_000302_create_sync::Migration),
        Box::new(m20261207_000401_create_risk_outcomes::Migration),
        Box::new(m20261207_000402_create_risk_models::Migration),
        Box::new(m20261207_000501_add_event_traceparent::Migration),
        Box::new(m20261208_000101_add_alert_audience::Migration),
    ]
}

/// Migrator over the core's migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        core_migrations()
    }
}
