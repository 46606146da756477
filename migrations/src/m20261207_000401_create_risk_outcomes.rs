//! Outcomes on record: versioned definitions of what counts as an outcome after a risk
//! assessment, and the outcome rate each instrument level is expected to show under one
//! (its band). Both are data: a new definition is a new version, never an edit.

use crate::helpers::{enum_str, id, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{double, integer, string_len, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RiskOutcomeDefinitions {
    Table,
    Id,
    Version,
    WindowDays,
    ViolationKinds,
    ViolationSeverities,
    CaseStatuses,
    Description,
}

#[derive(DeriveIden)]
enum RiskLevelBands {
    Table,
    Id,
    InstrumentVersion,
    OutcomeVersion,
    Level,
    ExpectedMin,
    ExpectedMax,
}

/// HRA-1 under outcome version 1: the provisional bands stated with the instrument, to be
/// confirmed (or replaced by a new version) once validated on Hamkor's own cases.
const HRA1_V1_BANDS: [(&str, f64, f64); 4] = [
    ("LOW", 0.0, 0.15),
    ("MEDIUM", 0.15, 0.35),
    ("HIGH", 0.35, 0.60),
    ("VERY_HIGH", 0.60, 1.0),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RiskOutcomeDefinitions::Table)
                    .col(id(RiskOutcomeDefinitions::Id))
                    .col(integer(RiskOutcomeDefinitions::Version))
                    .col(integer(RiskOutcomeDefinitions::WindowDays))
                    .col(string_len(RiskOutcomeDefinitions::ViolationKinds, 400))
                    .col(string_len(RiskOutcomeDefinitions::ViolationSeverities, 400))
                    .col(string_len(RiskOutcomeDefinitions::CaseStatuses, 400))
                    .col(text(RiskOutcomeDefinitions::Description))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                RiskOutcomeDefinitions::Table,
                "idx_risk_outcome_definitions_version",
                &["version"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RiskLevelBands::Table)
                    .col(id(RiskLevelBands::Id))
                    .col(string_len(RiskLevelBands::InstrumentVersion, 32))
                    .col(integer(RiskLevelBands::OutcomeVersion))
                    .col(enum_str(RiskLevelBands::Level))
                    .col(double(RiskLevelBands::ExpectedMin))
                    .col(double(RiskLevelBands::ExpectedMax))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                RiskLevelBands::Table,
                "idx_risk_level_bands_key",
                &["instrument_version", "outcome_version", "level"],
                true,
            ))
            .await?;
        let definition = Query::insert()
            .into_table(RiskOutcomeDefinitions::Table)
            .columns([
                RiskOutcomeDefinitions::Version,
                RiskOutcomeDefinitions::WindowDays,
                RiskOutcomeDefinitions::ViolationKinds,
                RiskOutcomeDefinitions::ViolationSeverities,
                RiskOutcomeDefinitions::CaseStatuses,
                RiskOutcomeDefinitions::Description,
            ])
            .values_panic([
                1.into(),
                365.into(),
                "NEW_OFFENCE".into(),
                "SERIOUS".into(),
                "REVOKED".into(),
                "Within 365 days after the assessment: a violation of kind NEW_OFFENCE or of \
                 severity SERIOUS, or the case revoked."
                    .into(),
            ])
            .to_owned();
        manager.exec_stmt(definition).await?;
        let mut bands = Query::insert();
        bands.into_table(RiskLevelBands::Table).columns([
            RiskLevelBands::InstrumentVersion,
            RiskLevelBands::OutcomeVersion,
            RiskLevelBands::Level,
            RiskLevelBands::ExpectedMin,
            RiskLevelBands::ExpectedMax,
        ]);
        for (level, min, max) in HRA1_V1_BANDS {
            bands.values_panic(["HRA-1".into(), 1.into(), level.into(), min.into(), max.into()]);
        }
        manager.exec_stmt(bands).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RiskLevelBands::Table).take())
            .await?;
        manager
            .drop_table(Table::drop().table(RiskOutcomeDefinitions::Table).take())
            .await
    }
}
