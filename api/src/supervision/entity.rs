//! Appointments and check-ins, violations, case notes.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// How a supervision contact takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum AppointmentKind {
    /// The person reports at the probation office.
    OfficeReport,
    /// An officer or inspector visits the person at home.
    HomeVisit,
    Phone,
    Video,
}

/// What happened at an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum AppointmentOutcome {
    Attended,
    Missed,
    /// Missed with a valid reason.
    Excused,
    /// Moved to another time (a new appointment is created).
    Rescheduled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ViolationKind {
    CurfewBreach,
    /// Left the area the person must stay within.
    LeftArea,
    /// Entered a place the person must stay out of.
    EnteredForbiddenArea,
    MissedReport,
    SubstanceUse,
    NewOffence,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ViolationSeverity {
    Minor,
    Moderate,
    Serious,
}

/// The response taken to a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ViolationResponse {
    /// Recorded, no further action.
    NoAction,
    /// An oral warning.
    Warning,
    /// A written (formal) warning.
    FormalWarning,
    /// Conditions tightened (e.g. more frequent reporting).
    ConditionsTightened,
    /// A submission to the court to replace the sentence.
    CourtSubmission,
}

/// Who may read a case note, from widest to narrowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum NoteVisibility {
    /// Everyone who may see the case, mahalla seven members included.
    Mahalla,
    /// The supervising agencies: probation officers and prevention inspectors.
    Agencies,
    /// The lead probation organisation only.
    Probation,
}

pub mod appointment {
    use super::{AppointmentKind, AppointmentOutcome};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "appointments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub kind: AppointmentKind,
        pub scheduled_at: DateTimeUtc,
        pub location: Option<String>,
        pub outcome: Option<AppointmentOutcome>,
        pub outcome_note: Option<String>,
        pub outcome_recorded_at: Option<DateTimeUtc>,
        pub outcome_recorded_by: Option<i64>,
        pub rescheduled_to_id: Option<i64>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        /// Incremented by every change (optimistic concurrency, offline sync).
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod violation {
    use super::{ViolationKind, ViolationResponse, ViolationSeverity};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "violations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub kind: ViolationKind,
        pub severity: ViolationSeverity,
        pub occurred_at: DateTimeUtc,
        pub description: String,
        pub response: Option<ViolationResponse>,
        pub response_note: Option<String>,
        pub responded_at: Option<DateTimeUtc>,
        pub responded_by: Option<i64>,
        pub recorded_by: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod note {
    use super::NoteVisibility;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_notes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub author_id: i64,
        pub organisation_id: i64,
        pub visibility: NoteVisibility,
        pub body: String,
        pub created_at: DateTimeUtc,
        /// Incremented by every change (optimistic concurrency, offline sync).
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
