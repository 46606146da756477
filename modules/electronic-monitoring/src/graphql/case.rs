//! A case's monitoring: its devices, incidents and (audited) positions.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::audit::reads::ReadKind;
use hamkor_api::case::entity::case;
use hamkor_api::graphql::context::{page, state};
use hamkor_api::graphql::read_audit::audit_read;
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::Conn;
use sea_orm::EntityTrait;

use super::equipment::{MonitoringActivation, MonitoringDevice};
use crate::ID as MODULE;
use crate::entity::{
    IncidentKind, IncidentOutcome, IncidentSeverity, IncidentStatus, device, incident, position,
};
use crate::service::reading;

/// The monitoring of one case (supervising officer and inspector only).
pub struct CaseMonitoring(pub case::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl CaseMonitoring {
    async fn case_id(&self) -> ID {
        ids::encode("Case", self.0.id)
    }
    /// The live activation (the most recent one when none is live).
    async fn activation(&self, ctx: &Context<'_>) -> Result<Option<MonitoringActivation>> {
        let rows = reading::activations(&state(ctx)?.db, self.0.id).await?;
        Ok(rows.into_iter().next().map(MonitoringActivation))
    }
    /// Every activation of the case (at most 50), live ones first.
    async fn activations(&self, ctx: &Context<'_>) -> Result<Vec<MonitoringActivation>> {
        let rows = reading::activations(&state(ctx)?.db, self.0.id).await?;
        Ok(rows.into_iter().map(MonitoringActivation).collect())
    }
    /// The device of the live activation.
    async fn device(&self, ctx: &Context<'_>) -> Result<Option<MonitoringDevice>> {
        let db = &state(ctx)?.db;
        let Some(a) = reading::activations(db, self.0.id).await?.into_iter().next() else {
            return Ok(None);
        };
        let d = device::Entity::find_by_id(a.device_id)
            .one(db)
            .await
            .map_err(hamkor_api::error::ApiError::from)?;
        Ok(d.map(MonitoringDevice))
    }
    /// The latest position fix (each read is audited).
    async fn last_fix(&self, ctx: &Context<'_>) -> Result<Option<PositionFix>> {
        audit_read(ctx, ReadKind::Positions, self.0.id)?;
        Ok(reading::last_fix(&state(ctx)?.db, self.0.id)
            .await?
            .map(PositionFix))
    }
    /// The case's incidents, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn incidents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<IncidentStatus>,
    ) -> Result<Conn<MonitoringIncident>> {
        let page = page(ctx, first, after)?;
        let paged = reading::incidents(&state(ctx)?.db, self.0.id, status, page).await?;
        Ok(paged.into_connection(|i| i.id, MonitoringIncident))
    }
    /// The fixes from `from` to `to` (at most 7 days), thinned evenly to at most 2,000
    /// points (each read is audited).
    async fn track(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PositionFix>> {
        audit_read(ctx, ReadKind::Positions, self.0.id)?;
        let rows = reading::track(&state(ctx)?.db, self.0.id, from, to).await?;
        Ok(rows.into_iter().map(PositionFix).collect())
    }
}

/// A position fix of a tag.
pub struct PositionFix(pub position::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl PositionFix {
    async fn at(&self) -> DateTime<Utc> {
        self.0.fix_at
    }
    async fn lat(&self) -> f64 {
        self.0.lat
    }
    async fn lon(&self) -> f64 {
        self.0.lon
    }
    /// The radius of the fix's accuracy circle, in metres.
    async fn accuracy_m(&self) -> f64 {
        self.0.accuracy_m
    }
    /// Metres per second.
    async fn speed(&self) -> Option<f64> {
        self.0.speed_mps
    }
    /// Degrees from north.
    async fn heading(&self) -> Option<f64> {
        self.0.heading_deg
    }
}

/// A breach, tamper, signal loss or flat battery seen by monitoring: OPEN →
/// ACKNOWLEDGED → CLOSED with an outcome. It becomes a violation only when an officer
/// confirms it.
pub struct MonitoringIncident(pub incident::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl MonitoringIncident {
    async fn id(&self) -> ID {
        ids::encode("MonitoringIncident", self.0.id)
    }
    async fn case_id(&self) -> ID {
        ids::encode("Case", self.0.case_id)
    }
    async fn activation_id(&self) -> ID {
        ids::encode("MonitoringActivation", self.0.activation_id)
    }
    async fn kind(&self) -> IncidentKind {
        self.0.kind
    }
    async fn severity(&self) -> IncidentSeverity {
        self.0.severity
    }
    async fn status(&self) -> IncidentStatus {
        self.0.status
    }
    /// When the breach began (its first breaching fix).
    async fn first_at(&self) -> DateTime<Utc> {
        self.0.first_at
    }
    /// Its last breaching fix so far.
    async fn last_at(&self) -> DateTime<Utc> {
        self.0.last_at
    }
    async fn outcome(&self) -> Option<IncidentOutcome> {
        self.0.outcome
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The violation the officer confirmed it as.
    async fn violation_id(&self) -> Option<ID> {
        self.0.violation_id.map(|id| ids::encode("Violation", id))
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}
