//! Early-warning alerts, their per-organisation rule settings, and the cursor of the
//! rules' outbox consumer.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// How urgently an alert needs acting on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum AlertSeverity {
    Low,
    Medium,
    High,
    /// Act today (a safety flag, a serious violation).
    Critical,
}

/// Where an alert stands: OPEN → ACKNOWLEDGED → RESOLVED (or OPEN → RESOLVED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum AlertStatus {
    Open,
    /// Someone has seen it and is acting.
    Acknowledged,
    /// Dealt with (see the resolution note).
    Resolved,
}

/// Who must act on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ActingRole {
    /// The case's probation officer.
    ProbationOfficer,
    /// The case's prevention inspector (a home visit, a curfew check).
    PreventionInspector,
}

/// Who among those who see a case's alerts sees this one: the least case access, from
/// the part of the case its rule tells about (`EventRule::reveals`). Not in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum AlertAudience {
    /// The case's inspectors and officers (what most alerts tell).
    Supervise,
    /// The lead probation officer alone (an alert over what the person reported through
    /// their own app, say).
    Full,
}

impl AlertAudience {
    /// The audience of an alert that tells about `field`.
    pub fn of(field: crate::access::CaseField) -> Self {
        use crate::access::{CaseAccess, CaseField};
        match field.needs().max(CaseField::Alerts.needs()) {
            CaseAccess::Full => Self::Full,
            CaseAccess::Supervise | CaseAccess::Community => Self::Supervise,
        }
    }

    pub fn access(self) -> crate::access::CaseAccess {
        match self {
            Self::Supervise => crate::access::CaseAccess::Supervise,
            Self::Full => crate::access::CaseAccess::Full,
        }
    }

    /// The audiences a reader with `access` to a case is among (none below the access
    /// the case's alerts need).
    pub fn shown_at(access: crate::access::CaseAccess) -> Vec<Self> {
        use crate::access::CaseField;
        [Self::Supervise, Self::Full]
            .into_iter()
            .filter(|a| access >= a.access() && CaseField::Alerts.shown_at(access))
            .collect()
    }
}

pub mod alert {
    use super::{ActingRole, AlertAudience, AlertSeverity, AlertStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "alerts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        /// The case's lead organisation, whose rule settings applied.
        pub organisation_id: i64,
        pub rule: String,
        /// Rule, case and window: an alert fires at most once per key.
        pub dedup_key: String,
        pub severity: AlertSeverity,
        pub status: AlertStatus,
        pub reason: String,
        pub acting_role: ActingRole,
        /// Who sees the alert and its events (more than the case's alerts need when its
        /// rule tells about a part of the case fewer may see).
        pub audience: AlertAudience,
        pub assignee_id: Option<i64>,
        /// The record the alert is about (an appointment, violation, assessment, referral).
        pub subject_id: Option<i64>,
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub suggestion: Option<Json>,
        pub source_event_id: Option<i64>,
        pub raised_at: DateTimeUtc,
        pub acknowledged_at: Option<DateTimeUtc>,
        pub acknowledged_by: Option<i64>,
        pub acknowledge_note: Option<String>,
        pub resolved_at: Option<DateTimeUtc>,
        pub resolved_by: Option<i64>,
        pub resolution_note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod rule_setting {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "alert_rule_settings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub organisation_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rule: String,
        pub enabled: bool,
        pub threshold: Option<i32>,
        pub window_days: Option<i32>,
        pub updated_by: i64,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod consumer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "event_consumers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        /// The last outbox event this consumer has handled.
        pub position: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
