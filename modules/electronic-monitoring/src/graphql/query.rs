//! `Query.electronicMonitoring`.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::graphql::context::{page, principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::Conn;

use super::case::CaseMonitoring;
use super::em_visible;
use super::equipment::{DeadLetter, MonitoringDevice, MonitoringVendor, QuarantinedEvent};
use crate::ID as MODULE;
use crate::service::{equipment, reading};

/// `Query.electronicMonitoring`.
#[derive(Default)]
pub struct ElectronicMonitoringQueryRoot;

#[Object]
impl ElectronicMonitoringQueryRoot {
    /// Electronic monitoring: devices, a case's monitoring, incidents and positions.
    #[graphql(visible = "em_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn electronic_monitoring(&self) -> ElectronicMonitoringQuery {
        ElectronicMonitoringQuery
    }
}

pub struct ElectronicMonitoringQuery;

#[Object(visible = "em_visible", guard = "ModuleGuard::new(MODULE)")]
impl ElectronicMonitoringQuery {
    /// The monitoring of a case: for its supervising officer and inspector only
    /// (FORBIDDEN for a mahalla member, NOT_FOUND for anyone who cannot see the case).
    async fn case(&self, ctx: &Context<'_>, case_id: ID) -> Result<CaseMonitoring> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&case_id, "Case", "caseId")?;
        Ok(CaseMonitoring(reading::case_for(&state(ctx)?.db, p, id).await?))
    }

    /// The devices of the caller's organisation.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn devices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<MonitoringDevice>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let paged = equipment::devices(&state(ctx)?.db, p, page).await?;
        Ok(paged.into_connection(|d| d.id, MonitoringDevice))
    }

    /// The equipment vendors (platform admin).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn vendors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<MonitoringVendor>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let paged = equipment::vendors(&state(ctx)?.db, p, page).await?;
        Ok(paged.into_connection(|v| v.id, MonitoringVendor))
    }

    /// Events for unknown or unfitted devices, newest first (platform admin).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn quarantine(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<QuarantinedEvent>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let paged = reading::quarantined(&state(ctx)?.db, p, page).await?;
        Ok(paged.into_connection(|q| q.id, QuarantinedEvent))
    }

    /// Messages the pipeline could not read, newest first (platform admin).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn dead_letters(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<DeadLetter>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let paged = reading::dead_letters(&state(ctx)?.db, p, page).await?;
        Ok(paged.into_connection(|d| d.id, DeadLetter))
    }
}
