//! Vendors, devices, activations, and what the pipeline set aside.

use async_graphql::{ID, Object};
use base64::Engine;
use chrono::{DateTime, Utc};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use crate::ID as MODULE;
use crate::entity::{
    DeviceKind, IngestSource, QuarantineReason, activation, dead_letter, device, quarantine, vendor,
};

/// A supplier of monitoring equipment and its feed.
pub struct MonitoringVendor(pub vendor::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl MonitoringVendor {
    async fn id(&self) -> ID {
        ids::encode("MonitoringVendor", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The MQTT topic prefix (`<prefix>/<serial>/events`), also the vendor's code in the
    /// HTTPS door's `hamkor-vendor` header.
    async fn topic_prefix(&self) -> &str {
        &self.0.topic_prefix
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A vendor just registered, with its signing secret (shown this once).
pub struct RegisteredVendor(pub vendor::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl RegisteredVendor {
    async fn vendor(&self) -> MonitoringVendor {
        MonitoringVendor(self.0.clone())
    }
    /// The Standard Webhooks secret (`whsec_…`) the vendor signs HTTPS batches with.
    async fn signing_secret(&self) -> &str {
        &self.0.signing_secret
    }
}

/// A physical device held by a probation service.
pub struct MonitoringDevice(pub device::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl MonitoringDevice {
    async fn id(&self) -> ID {
        ids::encode("MonitoringDevice", self.0.id)
    }
    async fn serial(&self) -> &str {
        &self.0.serial
    }
    async fn kind(&self) -> DeviceKind {
        self.0.kind
    }
    async fn vendor_id(&self) -> ID {
        ids::encode("MonitoringVendor", self.0.vendor_id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A device fitted to one case for a period (compliance is judged per activation).
pub struct MonitoringActivation(pub activation::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl MonitoringActivation {
    async fn id(&self) -> ID {
        ids::encode("MonitoringActivation", self.0.id)
    }
    async fn device_id(&self) -> ID {
        ids::encode("MonitoringDevice", self.0.device_id)
    }
    async fn device_kind(&self) -> DeviceKind {
        self.0.device_kind
    }
    async fn fitted_at(&self) -> DateTime<Utc> {
        self.0.fitted_at
    }
    async fn fitted_by(&self) -> ID {
        ids::encode("User", self.0.fitted_by)
    }
    async fn removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.removed_at
    }
    async fn removal_reason(&self) -> Option<&str> {
        self.0.removal_reason.as_deref()
    }
    /// Whether the device is still fitted.
    async fn live(&self) -> bool {
        self.0.removed_at.is_none()
    }
    /// When the device last sent something (null: nothing since it was fitted). A live
    /// device silent for longer than the organisation's `signalLossMinutes` has a
    /// SIGNAL_LOSS incident.
    async fn last_heard_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_heard_at
    }
}

/// An event for an unknown or unfitted device, set aside (never dropped).
pub struct QuarantinedEvent(pub quarantine::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl QuarantinedEvent {
    async fn id(&self) -> ID {
        ids::encode("QuarantinedEvent", self.0.id)
    }
    async fn vendor_id(&self) -> ID {
        ids::encode("MonitoringVendor", self.0.vendor_id)
    }
    async fn vendor_event_id(&self) -> &str {
        &self.0.vendor_event_id
    }
    async fn serial(&self) -> &str {
        &self.0.serial
    }
    async fn reason(&self) -> QuarantineReason {
        self.0.reason
    }
    async fn event_at(&self) -> DateTime<Utc> {
        self.0.event_at
    }
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
}

/// A message the pipeline could not read.
pub struct DeadLetter(pub dead_letter::Model);

#[Object(visible = "super::em_visible", guard = "ModuleGuard::new(MODULE)")]
impl DeadLetter {
    async fn id(&self) -> ID {
        ids::encode("MonitoringDeadLetter", self.0.id)
    }
    async fn source(&self) -> IngestSource {
        self.0.source
    }
    async fn error(&self) -> &str {
        &self.0.error
    }
    /// The message's first bytes (at most 16 KiB), base64.
    async fn raw_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0.raw)
    }
    /// The message's full length in bytes.
    async fn raw_length(&self) -> i64 {
        self.0.raw_len
    }
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
}
