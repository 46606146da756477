//! Cases, their status history and their conditions.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// The kind of sentence under supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum CaseKind {
    /// Restriction of liberty (ozodlikni cheklash), served at home.
    RestrictionOfLiberty,
    /// A suspended (conditional) sentence with a probation period.
    ConditionalSentence,
    /// Correctional labour.
    CorrectionalLabour,
    /// Early conditional release (parole).
    Parole,
    Other,
}

/// Lifecycle: PENDING → ACTIVE ⇄ SUSPENDED → COMPLETED | REVOKED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum CaseStatus {
    /// Registered, supervision not started yet.
    Pending,
    /// Under supervision.
    Active,
    /// Supervision paused (e.g. hospitalisation, pending court review).
    Suspended,
    /// Sentence served.
    Completed,
    /// Sentence replaced by the court (e.g. by imprisonment).
    Revoked,
}

/// Risk of re-offending.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Enum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    VeryHigh,
}

/// Kind of an obligation or restriction set by the court.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ConditionKind {
    /// Stay at home between `curfewStart` and `curfewEnd`.
    Curfew,
    /// Do not leave the given territory.
    StayWithinArea,
    /// Do not enter the given territory or kind of place.
    StayOutOfArea,
    /// Report to the probation service every `reportEveryDays` days.
    Reporting,
    /// Any other obligation, described in text.
    Other,
}

pub mod case {
    use super::{CaseKind, CaseStatus, RiskLevel};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cases")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i64,
        pub kind: CaseKind,
        pub status: CaseStatus,
        pub court_name: String,
        pub court_decision_date: Date,
        pub criminal_code_article: Option<String>,
        pub sentence_start: Date,
        pub sentence_end: Date,
        /// Lead organisation (probation service).
        pub organisation_id: i64,
        pub officer_id: Option<i64>,
        pub inspector_id: Option<i64>,
        pub mahalla_id: i64,
        pub district_id: i64,
        pub region_id: i64,
        pub risk_level: Option<RiskLevel>,
        pub status_reason: Option<String>,
        pub status_changed_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod status_change {
    use super::CaseStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_status_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub from_status: Option<CaseStatus>,
        pub to_status: CaseStatus,
        pub reason: Option<String>,
        pub changed_by: i64,
        pub changed_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod condition {
    use super::ConditionKind;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_conditions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub kind: ConditionKind,
        pub curfew_start: Option<Time>,
        pub curfew_end: Option<Time>,
        pub region_id: Option<i64>,
        pub district_id: Option<i64>,
        pub mahalla_id: Option<i64>,
        pub place: Option<String>,
        pub report_every_days: Option<i32>,
        pub description: Option<String>,
        pub valid_from: Option<Date>,
        pub valid_until: Option<Date>,
        /// A zone on the map (GeoJSON; a circle as `{"type": "Circle", …}`).
        pub geofence: Option<Json>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
