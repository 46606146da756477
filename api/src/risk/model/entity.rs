//! The tables of the learned model: `risk_models`, `risk_attention_disagreements`,
//! `risk_model_drift_reports`.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// Where a model stands: DRAFT → APPROVED → RETIRED (a draft may also be retired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ModelStatus {
    /// Trained, with its report; never used.
    Draft,
    /// Approved by a platform admin: the one model that scores.
    Approved,
    /// No longer used.
    Retired,
}

/// Where a drift alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum DriftAlertStatus {
    Open,
    Acknowledged,
}

pub mod model {
    use super::ModelStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_models")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub version: i32,
        pub outcome_version: i32,
        pub status: ModelStatus,
        /// [`crate::risk::model::Spec`] as JSON.
        pub spec: String,
        /// [`crate::risk::model::report::Report`] as JSON.
        pub report: String,
        pub fingerprint: String,
        pub train_cases: i32,
        pub test_cases: i32,
        pub trained_by: Option<i64>,
        pub trained_at: DateTimeUtc,
        pub approved_by: Option<i64>,
        pub approved_at: Option<DateTimeUtc>,
        pub retired_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod disagreement {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_attention_disagreements")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub model_id: i64,
        pub case_id: i64,
        pub marked_by: i64,
        /// The score the officer disagreed with.
        pub score: f64,
        pub reason: String,
        pub marked_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod drift {
    use super::DriftAlertStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_model_drift_reports")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub model_id: i64,
        pub run_at: DateTimeUtc,
        /// [`crate::risk::model::drift::DriftReport`] as JSON.
        pub report: String,
        pub drifted: bool,
        pub alert_status: Option<DriftAlertStatus>,
        pub acknowledged_by: Option<i64>,
        pub acknowledged_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
