//! `Mutation.electronicMonitoring`: every change is validated, authorised, audited and
//! emits its domain event in one transaction (see the services).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::supervision::entity::{ViolationKind, ViolationSeverity};

use super::case::MonitoringIncident;
use super::em_visible;
use super::equipment::{MonitoringActivation, MonitoringDevice, RegisteredVendor};
use crate::ID as MODULE;
use crate::entity::{DeviceKind, IncidentOutcome};
use crate::service::equipment;
use crate::service::incidents::{self, Confirmation};

/// `Mutation.electronicMonitoring`.
#[derive(Default)]
pub struct ElectronicMonitoringMutationRoot;

#[Object]
impl ElectronicMonitoringMutationRoot {
    /// Electronic monitoring: vendors, devices, fitting, incidents.
    #[graphql(visible = "em_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn electronic_monitoring(&self) -> ElectronicMonitoringMutation {
        ElectronicMonitoringMutation
    }
}

pub struct ElectronicMonitoringMutation;

/// A vendor to register.
#[derive(InputObject)]
#[graphql(visible = "em_visible")]
pub struct RegisterVendorInput {
    pub name: String,
    /// Its MQTT topic prefix and code (a-z, 0-9, '-', '_', '/').
    pub topic_prefix: String,
}

/// A device to register in the caller's organisation.
#[derive(InputObject)]
#[graphql(visible = "em_visible")]
pub struct RegisterMonitoringDeviceInput {
    pub vendor_id: ID,
    pub serial: String,
    pub kind: DeviceKind,
}

/// Fit a device to a case.
#[derive(InputObject)]
#[graphql(visible = "em_visible")]
pub struct FitDeviceInput {
    pub device_id: ID,
    pub case_id: ID,
    /// When it was fitted (default now).
    pub fitted_at: Option<DateTime<Utc>>,
}

/// Close an incident without a violation.
#[derive(InputObject)]
#[graphql(visible = "em_visible")]
pub struct CloseIncidentInput {
    pub incident_id: ID,
    /// EXPLAINED or FALSE_ALARM.
    pub outcome: IncidentOutcome,
    pub note: String,
}

/// Confirm an incident as a violation.
#[derive(InputObject)]
#[graphql(visible = "em_visible")]
pub struct ConfirmIncidentInput {
    pub incident_id: ID,
    /// CURFEW_BREACH, LEFT_AREA or ENTERED_FORBIDDEN_AREA.
    pub kind: ViolationKind,
    pub severity: ViolationSeverity,
    pub description: String,
}

/// An incident confirmed as a violation.
#[derive(SimpleObject)]
#[graphql(visible = "em_visible")]
pub struct ConfirmedIncident {
    pub incident: MonitoringIncident,
    /// The violation recorded (linked to the incident).
    pub violation_id: ID,
}

#[Object(visible = "em_visible", guard = "ModuleGuard::new(MODULE)")]
impl ElectronicMonitoringMutation {
    /// Register an equipment vendor (platform admin); its signing secret is shown once.
    async fn register_vendor(
        &self,
        ctx: &Context<'_>,
        input: RegisterVendorInput,
    ) -> Result<RegisteredVendor> {
        let p = principal(ctx)?;
        let row = equipment::register_vendor(&state(ctx)?.db, p, &input.name, &input.topic_prefix).await?;
        Ok(RegisteredVendor(row))
    }

    /// Register a device in the caller's organisation.
    async fn register_device(
        &self,
        ctx: &Context<'_>,
        input: RegisterMonitoringDeviceInput,
    ) -> Result<MonitoringDevice> {
        let p = principal(ctx)?;
        let vendor = ids::decode_as(&input.vendor_id, "MonitoringVendor", "input.vendorId")?;
        let row = equipment::register_device(&state(ctx)?.db, p, vendor, &input.serial, input.kind).await?;
        Ok(MonitoringDevice(row))
    }

    /// Fit a device to a case (the case's probation officer): one live activation per
    /// device, and per case and device kind.
    async fn fit_device(&self, ctx: &Context<'_>, input: FitDeviceInput) -> Result<MonitoringActivation> {
        let p = principal(ctx)?;
        let device = ids::decode_as(&input.device_id, "MonitoringDevice", "input.deviceId")?;
        let case = ids::decode_as(&input.case_id, "Case", "input.caseId")?;
        let row = equipment::fit(&state(ctx)?.db, p, device, case, input.fitted_at).await?;
        Ok(MonitoringActivation(row))
    }

    /// Remove a fitted device, with the reason.
    async fn remove_device(
        &self,
        ctx: &Context<'_>,
        activation_id: ID,
        reason: String,
    ) -> Result<MonitoringActivation> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&activation_id, "MonitoringActivation", "activationId")?;
        Ok(MonitoringActivation(
            equipment::remove(&state(ctx)?.db, p, id, &reason).await?,
        ))
    }

    /// The officer or inspector is on it (OPEN → ACKNOWLEDGED).
    async fn acknowledge_incident(&self, ctx: &Context<'_>, incident_id: ID) -> Result<MonitoringIncident> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&incident_id, "MonitoringIncident", "incidentId")?;
        Ok(MonitoringIncident(
            incidents::acknowledge(&state(ctx)?.db, p, id).await?,
        ))
    }

    /// Close an incident without a violation (the probation officer).
    async fn close_incident(
        &self,
        ctx: &Context<'_>,
        input: CloseIncidentInput,
    ) -> Result<MonitoringIncident> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.incident_id, "MonitoringIncident", "input.incidentId")?;
        let row = incidents::close(&state(ctx)?.db, p, id, input.outcome, &input.note).await?;
        Ok(MonitoringIncident(row))
    }

    /// Confirm an incident as a violation, linked to it, in one step (the probation
    /// officer; never automatic).
    async fn confirm_incident_as_violation(
        &self,
        ctx: &Context<'_>,
        input: ConfirmIncidentInput,
    ) -> Result<ConfirmedIncident> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.incident_id, "MonitoringIncident", "input.incidentId")?;
        let (row, violation) = incidents::confirm_as_violation(
            &state(ctx)?.db,
            p,
            id,
            Confirmation {
                kind: input.kind,
                severity: input.severity,
                description: input.description,
            },
        )
        .await?;
        Ok(ConfirmedIncident {
            incident: MonitoringIncident(row),
            violation_id: ids::encode("Violation", violation),
        })
    }
}
