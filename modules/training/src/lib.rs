//! The training module: courses, sessions and certificates for the people who do the
//! supervising (prevention inspectors, probation officers, the mahalla's seven), the
//! requirements organisations set for them, and coverage per district and mahalla.
//!
//! Who does what:
//! - an organisation with the module on publishes courses and opens their sessions
//!   (`PARTNER_STAFF`, `ORG_ADMIN`); its staff record attendance and assessments;
//! - a learner enrols themself, or their organisation's admin enrols them; a full
//!   session waitlists (seats are taken by one conditional update, never oversold);
//! - an organisation's admin states requirements (a course per role or mahalla seat,
//!   renewed every so many months) and reads their coverage;
//! - a learner sees their own record, their organisation's admin the organisation's,
//!   the course's staff their sessions' learners; nobody else anything.

pub mod access;
pub mod alerts;
pub mod demo;
pub mod entity;
pub mod figures;
pub mod graphql;
pub mod loaders;
pub mod migration;
pub mod service;

use async_graphql::Context;
use chrono::{DateTime, Utc};
use hamkor_api::access::events::EventAudience;
use hamkor_api::alert::rules::EventRule;
use hamkor_api::analytics::service::AnalyticsLevel;
use hamkor_api::module::{BoxFuture, EventContext, Module, ModuleFigure, Permission, is_enabled};
use hamkor_api::state::AppState;
use hamkor_api::user::entity::Role;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigrationTrait;

pub use graphql::{TrainingMutationRoot, TrainingQueryRoot};

/// The module id: GraphQL namespace `training`.
pub const ID: &str = "training";

/// Whether the caller's organisation has the module enabled (hides its schema otherwise).
pub fn training_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// The training module.
pub struct Training;

/// An error of the module's services where the host expects `anyhow`.
pub(crate) fn anyhow_of(e: hamkor_api::error::ApiError) -> anyhow::Error {
    match e {
        hamkor_api::error::ApiError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
    }
}

impl Module for Training {
    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Staff training"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn description(&self) -> &'static str {
        "Courses, sessions and certificates for inspectors, officers and the mahalla's seven; requirements per role and seat, coverage per district, reminders before certificates expire"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(migration::CreateTrainingTables)]
    }
    /// Training is about staff, not about a case: the organisation's admins follow it
    /// (the provider's for courses and sessions, the learner's for enrolments,
    /// certificates and reminders), and its webhooks receive it.
    fn event_audiences(&self) -> Vec<EventAudience> {
        vec![
            EventAudience::administration("training.course_published"),
            EventAudience::administration("training.session_opened"),
            EventAudience::administration("training.enrolment_changed"),
            EventAudience::administration("training.certificate_issued"),
            EventAudience::administration("training.certificate_due"),
            EventAudience::administration("training.requirement_set"),
        ]
    }
    fn alert_rules(&self) -> Vec<EventRule> {
        alerts::rules()
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![
            Permission {
                code: "training.publish_courses",
                description: "Publish courses, open sessions, record attendance and assessments",
                roles: &[Role::PartnerStaff, Role::OrgAdmin],
            },
            Permission {
                code: "training.enrol_staff",
                description: "Enrol the organisation's staff and state the training they must hold",
                roles: &[Role::OrgAdmin],
            },
        ]
    }
    fn sweep<'a>(
        &'a self,
        ctx: &'a EventContext<'a>,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, anyhow::Result<usize>> {
        Box::pin(async move { service::reminders::sweep(ctx.db, at).await.map_err(anyhow_of) })
    }
    fn territory_figures<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        level: AnalyticsLevel,
        units: &'a [i64],
    ) -> BoxFuture<'a, anyhow::Result<Vec<ModuleFigure>>> {
        Box::pin(async move { figures::trained_share(db, level, units).await })
    }
    fn seed_demo<'a>(&'a self, st: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move { demo::load(st).await })
    }
}
