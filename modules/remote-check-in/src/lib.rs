//! The remote check-in module: the supervised person's own app. The officer enrols a
//! case's person (phone, language, schedule); a one-time code by SMS and the birth date
//! activate the app on one device (tokens of a `SUPERVISED_PERSON` account, revocable);
//! the person sees their own appointments, check-ins due, conditions, shared goals and
//! referrals — nothing else — and checks in inside each window with a short
//! questionnaire, an optional photo (object storage, EXIF stripped) and an optional
//! location judged against the case's areas. The officer reviews from a queue ordered
//! by urgency; answers raise alerts, tasks and plan suggestions; reminders, expiry and
//! photo retention run in the module's sweep.

pub mod alerts;
pub mod config;
pub mod demo;
pub mod entity;
pub mod graphql;
pub mod migration;
pub mod notifier;
pub mod photo;
pub mod questionnaire;
pub mod routes;
pub mod schedule;
pub mod service;
pub mod storage;
pub mod templates;

use async_graphql::Context;
use chrono::{DateTime, Utc};
use hamkor_api::access::CaseField;
use hamkor_api::access::events::EventAudience;
use hamkor_api::alert::rules::EventRule;
use hamkor_api::module::{
    BoxFuture, ConfigError, EventContext, HostContext, Module, ModuleFeature, Permission, is_enabled,
};
use hamkor_api::risk::instrument::RiskFactor;
use hamkor_api::state::AppState;
use hamkor_api::user::entity::Role;
use sea_orm_migration::MigrationTrait;
use serde_json::Value as Json;

pub use graphql::{RemoteCheckInMutationRoot, RemoteCheckInQueryRoot};

/// The module id: GraphQL namespace `remoteCheckIn`.
pub const ID: &str = "remote_check_in";

/// Whether the caller's organisation has the module enabled (hides its schema otherwise).
pub fn remote_check_in_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// The remote check-in module.
pub struct RemoteCheckIn;

fn anyhow_of(e: hamkor_api::error::ApiError) -> anyhow::Error {
    match e {
        hamkor_api::error::ApiError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
    }
}

impl Module for RemoteCheckIn {
    /// Check-ins that expired unanswered in the 90 days before the assessment.
    fn risk_features(&self) -> Vec<ModuleFeature> {
        vec![ModuleFeature {
            name: "expired_check_ins_90d",
            label: "remote check-ins missed in the 90 days before the assessment",
            sql: |q| {
                format!(
                    "(SELECT COUNT(*) FROM rci_check_ins c WHERE c.case_id = ia.case_id AND c.status = 'EXPIRED' AND {})",
                    q.in_window("c.opens_at")
                )
            },
        }]
    }

    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Remote check-in"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn description(&self) -> &'static str {
        "The supervised person's own app: enrolment by the officer, scheduled check-ins with a photo and a short survey, review, reminders and missed check-ins"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(migration::CreateRemoteCheckInTables),
            Box::new(migration::CreatePhotoUploads),
            Box::new(migration::AlertsForTheLeadOfficer),
        ]
    }
    fn validate_config(&self, config: &Json) -> Result<Json, ConfigError> {
        let c = config::Config::parse(config)?;
        serde_json::to_value(c).map_err(|e| ConfigError(e.to_string()))
    }
    fn default_config(&self) -> Json {
        serde_json::to_value(config::Config::default()).unwrap_or_default()
    }
    /// Check-ins are what the person reports through their own app: read only by the
    /// case's lead officer (`CaseAccess::Full`, the rule of `service::review::get`), so
    /// their events reach the same readers and no one else — not an inspector, not a
    /// mahalla member, not a partner.
    fn event_audiences(&self) -> Vec<EventAudience> {
        [
            "remote_check_in.enrolled",
            "remote_check_in.revoked",
            "remote_check_in.submitted",
            "remote_check_in.reviewed",
            "remote_check_in.expired",
        ]
        .into_iter()
        .map(|t| EventAudience::field(t, CaseField::SelfReports))
        .collect()
    }
    fn alert_rules(&self) -> Vec<EventRule> {
        alerts::rules()
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![Permission {
            code: "remote_check_in.enrol",
            description: "Enrol a case's person in remote check-in and review their check-ins",
            roles: &[Role::ProbationOfficer],
        }]
    }
    fn needs_served(&self) -> Vec<RiskFactor> {
        Vec::new()
    }
    fn self_service_fields(&self) -> Vec<&'static str> {
        vec!["Query.remoteCheckIn.me", "Mutation.remoteCheckIn.submitCheckIn"]
    }
    fn missed_contacts<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseTransaction,
        case_id: i64,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<DateTime<Utc>>, sea_orm::DbErr>> {
        Box::pin(service::check_ins::missed(db, case_id, since, until))
    }
    fn seed_demo<'a>(&'a self, st: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(st))
    }
    fn routes(&self, host: &HostContext<'_>) -> Option<axum::Router> {
        Some(routes::routes(host.app.clone()))
    }
    fn sweep<'a>(
        &'a self,
        ctx: &'a EventContext<'a>,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, anyhow::Result<usize>> {
        Box::pin(async move {
            let store = storage::current()?;
            let n = notifier::current();
            service::sweep::sweep(ctx.db, &store, n.as_ref(), at)
                .await
                .map_err(anyhow_of)
        })
    }
}
