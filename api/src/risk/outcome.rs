//! Outcomes on record: which recorded events, within how long after an assessment,
//! count as the outcome a risk instrument is validated against.
//!
//! A definition is a row of `risk_outcome_definitions`, identified by its version; a new
//! definition is a new version (added by a migration), so every figure derived from one
//! names it. Version 1: within 365 days after the assessment, a violation of kind
//! `NEW_OFFENCE` or of severity `SERIOUS`, or the case revoked (a status change to
//! `REVOKED`). A case is labelled only once the window has passed or the case has closed
//! (COMPLETED or REVOKED); before that its outcome is not known and it is left out.
//!
//! `risk_level_bands` holds, per instrument and outcome version, the outcome rate each
//! level is expected to show: calibration compares the observed rate with it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::case::entity::{CaseStatus, RiskLevel};
use crate::error::{ApiError, ApiResult};
use crate::supervision::entity::{ViolationKind, ViolationSeverity};

pub mod definition {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_outcome_definitions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub version: i32,
        /// Days after the assessment the outcome is looked for.
        pub window_days: i32,
        /// Violation kinds that count, comma-separated (`NEW_OFFENCE`).
        pub violation_kinds: String,
        /// Violation severities that count whatever the kind, comma-separated (`SERIOUS`).
        pub violation_severities: String,
        /// Case statuses whose reaching counts, comma-separated (`REVOKED`).
        pub case_statuses: String,
        pub description: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod band {
    use crate::case::entity::RiskLevel;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_level_bands")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub instrument_version: String,
        pub outcome_version: i32,
        pub level: RiskLevel,
        pub expected_min: f64,
        pub expected_max: f64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A definition, parsed into the enumerations it names.
#[derive(Debug, Clone)]
pub struct OutcomeDefinition {
    pub version: i32,
    pub window_days: i32,
    pub violation_kinds: Vec<ViolationKind>,
    pub violation_severities: Vec<ViolationSeverity>,
    pub case_statuses: Vec<CaseStatus>,
    pub description: String,
}

fn parse_list<T: sea_orm::ActiveEnum<Value = String>>(version: i32, list: &str) -> ApiResult<Vec<T>> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            T::try_from_value(&s.to_owned()).map_err(|_| {
                ApiError::Internal(anyhow::anyhow!(
                    "outcome definition {version} names an unknown value {s}"
                ))
            })
        })
        .collect()
}

impl OutcomeDefinition {
    pub fn parse(m: definition::Model) -> ApiResult<Self> {
        Ok(Self {
            version: m.version,
            window_days: m.window_days,
            violation_kinds: parse_list(m.version, &m.violation_kinds)?,
            violation_severities: parse_list(m.version, &m.violation_severities)?,
            case_statuses: parse_list(m.version, &m.case_statuses)?,
            description: m.description,
        })
    }
}

/// The most definitions listed at once.
pub const MAX_DEFINITIONS: u64 = 100;

/// Every definition, newest version first (at most [`MAX_DEFINITIONS`]).
pub async fn definitions<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<OutcomeDefinition>> {
    definition::Entity::find()
        .order_by_desc(definition::Column::Version)
        .limit(MAX_DEFINITIONS)
        .all(db)
        .await?
        .into_iter()
        .map(OutcomeDefinition::parse)
        .collect()
}

/// The definition of `version`, or the newest when none is given.
pub async fn definition<C: ConnectionTrait>(
    db: &C,
    version: Option<i32>,
    field: &str,
) -> ApiResult<OutcomeDefinition> {
    let mut q = definition::Entity::find().order_by_desc(definition::Column::Version);
    if let Some(v) = version {
        q = q.filter(definition::Column::Version.eq(v));
    }
    let row = q
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input(field, "no outcome definition of this version"))?;
    OutcomeDefinition::parse(row)
}

/// The expected outcome rate of each level of `instrument` under outcome `version`
/// (levels without a band are absent).
pub async fn bands<C: ConnectionTrait>(
    db: &C,
    instrument: &str,
    version: i32,
) -> ApiResult<Vec<(RiskLevel, f64, f64)>> {
    Ok(band::Entity::find()
        .filter(band::Column::InstrumentVersion.eq(instrument))
        .filter(band::Column::OutcomeVersion.eq(version))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.level, b.expected_min, b.expected_max))
        .collect())
}
