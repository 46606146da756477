//! The module's tables and enumerations. Enumerations are stored as their GraphQL names.
//!
//! Compliance is keyed to the *activation* (a device fitted to one case for a period),
//! not to the device: devices are reused.

use serde::{Deserialize, Serialize};

hamkor_api::string_enum! {
    #![derive(Serialize, Deserialize)]
    #![serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #![graphql(visible = "crate::em_visible")]

    /// What a device is.
    DeviceKind {
        /// Worn on the ankle; reports positions and strap tamper.
        AnkleTag,
        /// A base station at home; reports whether the tag is in range.
        HomeUnit,
        /// A GPS tracker (carried or worn).
        GpsTracker,
    }

    /// What an incident is about.
    IncidentKind {
        /// Away from the home zone during the curfew.
        Curfew,
        /// Outside an area the person must stay within.
        LeftArea,
        /// Inside a zone the person must stay out of.
        EnteredForbiddenArea,
        /// The strap or the case was tampered with.
        Tamper,
        /// No signal for longer than the organisation allows.
        SignalLoss,
        /// The battery ran low.
        LowBattery,
        /// The device reported a fault.
        DeviceFault,
    }

    /// How urgent an incident is.
    IncidentSeverity {
        Low,
        Medium,
        High,
    }

    /// OPEN → ACKNOWLEDGED → CLOSED.
    IncidentStatus {
        Open,
        Acknowledged,
        Closed,
    }

    /// How an incident was closed.
    IncidentOutcome {
        /// Confirmed by the officer as a violation (linked).
        ConfirmedViolation,
        /// Explained (an authorised absence, an equipment fault).
        Explained,
        /// Not a breach after all (a bad fix, a test).
        FalseAlarm,
        /// Joined to an earlier incident of the same breach.
        Merged,
    }

    /// Why a message from a vendor was set aside.
    QuarantineReason {
        /// No device of the vendor has this serial.
        UnknownDevice,
        /// The device was not fitted to anyone at the event's time.
        NotFitted,
    }

    /// The door a message came in through.
    IngestSource {
        Https,
        Mqtt,
    }
}

pub mod vendor {
    use sea_orm::entity::prelude::*;

    /// A supplier of monitoring equipment and its feed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_vendors")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        /// The vendor's MQTT topic prefix (`acme`: topics `acme/<serial>/events`); also
        /// its code in the HTTPS door's `hamkor-vendor` header.
        pub topic_prefix: String,
        /// The Standard Webhooks secret (`whsec_…`) the vendor signs HTTPS batches with.
        pub signing_secret: String,
        pub active: bool,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod device {
    use sea_orm::entity::prelude::*;

    use super::DeviceKind;

    /// A physical device of a vendor, held by a probation service.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_devices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub vendor_id: i64,
        pub organisation_id: i64,
        pub serial: String,
        pub kind: DeviceKind,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod activation {
    use sea_orm::entity::prelude::*;

    use super::DeviceKind;

    /// A device fitted to one case for a period.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_activations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub device_id: i64,
        pub case_id: i64,
        pub organisation_id: i64,
        /// The device's kind (one live activation per case and kind).
        pub device_kind: DeviceKind,
        pub fitted_at: DateTimeUtc,
        pub fitted_by: i64,
        pub removed_at: Option<DateTimeUtc>,
        pub removed_by: Option<i64>,
        pub removal_reason: Option<String>,
        pub created_at: DateTimeUtc,
        /// When the device last sent something (`None`: nothing since it was fitted).
        pub last_heard_at: Option<DateTimeUtc>,
        /// The SIGNAL_LOSS incident of the current silence, once raised (cleared when
        /// the device is heard again).
        pub silence_incident_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod position {
    use sea_orm::entity::prelude::*;

    /// A position fix (kept for the retention period, then removed in bulk).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_positions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub activation_id: i64,
        pub vendor_id: i64,
        pub vendor_event_id: String,
        pub fix_at: DateTimeUtc,
        pub lat: f64,
        pub lon: f64,
        pub accuracy_m: f64,
        pub speed_mps: Option<f64>,
        pub heading_deg: Option<f64>,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod device_event {
    use sea_orm::entity::prelude::*;

    /// A device event other than a position: presence, tamper, battery, signal, fault.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_device_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub activation_id: i64,
        pub vendor_id: i64,
        pub vendor_event_id: String,
        /// The event kind as the feed names it (`TAMPER`, `BATTERY`, …).
        pub kind: String,
        pub at: DateTimeUtc,
        pub detail: Json,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod quarantine {
    use sea_orm::entity::prelude::*;

    use super::QuarantineReason;

    /// A well-formed event that names no fitted device: kept, never dropped.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_quarantine")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub vendor_id: i64,
        pub vendor_event_id: String,
        pub serial: String,
        pub reason: QuarantineReason,
        pub event_at: DateTimeUtc,
        pub payload: Json,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dead_letter {
    use sea_orm::entity::prelude::*;

    use super::IngestSource;

    /// A message the pipeline could not read, with its first bytes.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_dead_letters")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub vendor_id: Option<i64>,
        pub source: IngestSource,
        pub error: String,
        /// At most [`crate::ingest::MAX_DEAD_LETTER_BYTES`] of the message.
        pub raw: Vec<u8>,
        /// The message's full length.
        pub raw_len: i64,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod incident {
    use sea_orm::entity::prelude::*;

    use super::{IncidentKind, IncidentOutcome, IncidentSeverity, IncidentStatus};

    /// A breach, tamper, signal loss or flat battery: one per occurrence, extended while
    /// it lasts.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "em_incidents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub activation_id: i64,
        pub case_id: i64,
        pub organisation_id: i64,
        pub kind: IncidentKind,
        pub severity: IncidentSeverity,
        pub status: IncidentStatus,
        pub first_at: DateTimeUtc,
        pub last_at: DateTimeUtc,
        pub first_fix_id: Option<i64>,
        pub last_fix_id: Option<i64>,
        pub outcome: Option<IncidentOutcome>,
        pub note: Option<String>,
        pub violation_id: Option<i64>,
        pub acknowledged_by: Option<i64>,
        pub acknowledged_at: Option<DateTimeUtc>,
        pub closed_by: Option<i64>,
        pub closed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
