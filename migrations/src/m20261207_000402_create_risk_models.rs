//! The learned risk model: versioned models with their validation report (DRAFT →
//! APPROVED → RETIRED, one APPROVED at a time), officers' marks of disagreement with a
//! score, and the drift reports of the monthly check.

use crate::helpers::{enum_str, enum_str_null, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, integer, string_len, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RiskModels {
    Table,
    Id,
    Version,
    OutcomeVersion,
    Status,
    /// The model itself (features, coefficients, intercept, scaling, bins), JSON.
    Spec,
    /// The validation report on the test cases, JSON.
    Report,
    Fingerprint,
    TrainCases,
    TestCases,
    TrainedBy,
    TrainedAt,
    ApprovedBy,
    ApprovedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum RiskAttentionDisagreements {
    Table,
    Id,
    ModelId,
    CaseId,
    MarkedBy,
    Score,
    Reason,
    MarkedAt,
}

#[derive(DeriveIden)]
enum RiskModelDriftReports {
    Table,
    Id,
    ModelId,
    RunAt,
    Report,
    Drifted,
    AlertStatus,
    AcknowledgedBy,
    AcknowledgedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RiskModels::Table)
                    .col(id(RiskModels::Id))
                    .col(integer(RiskModels::Version))
                    .col(integer(RiskModels::OutcomeVersion))
                    .col(enum_str(RiskModels::Status))
                    .col(text(RiskModels::Spec))
                    .col(text(RiskModels::Report))
                    .col(string_len(RiskModels::Fingerprint, 64))
                    .col(integer(RiskModels::TrainCases))
                    .col(integer(RiskModels::TestCases))
                    .col(fk_null(RiskModels::TrainedBy))
                    .col(ts(RiskModels::TrainedAt))
                    .col(fk_null(RiskModels::ApprovedBy))
                    .col(ts_null(RiskModels::ApprovedAt))
                    .col(ts_null(RiskModels::RetiredAt))
                    .foreign_key(&mut foreign(
                        RiskModels::Table,
                        RiskModels::TrainedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        RiskModels::Table,
                        RiskModels::ApprovedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                RiskModels::Table,
                "idx_risk_models_version",
                &["version"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                RiskModels::Table,
                "idx_risk_models_status",
                &["status", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RiskAttentionDisagreements::Table)
                    .col(id(RiskAttentionDisagreements::Id))
                    .col(fk(RiskAttentionDisagreements::ModelId))
                    .col(fk(RiskAttentionDisagreements::CaseId))
                    .col(fk(RiskAttentionDisagreements::MarkedBy))
                    .col(sea_orm_migration::schema::double(
                        RiskAttentionDisagreements::Score,
                    ))
                    .col(text(RiskAttentionDisagreements::Reason))
                    .col(ts(RiskAttentionDisagreements::MarkedAt))
                    .foreign_key(&mut foreign(
                        RiskAttentionDisagreements::Table,
                        RiskAttentionDisagreements::ModelId,
                        RiskModels::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        RiskAttentionDisagreements::Table,
                        RiskAttentionDisagreements::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        RiskAttentionDisagreements::Table,
                        RiskAttentionDisagreements::MarkedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_risk_attention_disagreements_model", &["model_id", "id"][..]),
            ("idx_risk_attention_disagreements_case", &["case_id", "id"][..]),
        ] {
            manager
                .create_index(index(RiskAttentionDisagreements::Table, name, cols, false))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RiskModelDriftReports::Table)
                    .col(id(RiskModelDriftReports::Id))
                    .col(fk(RiskModelDriftReports::ModelId))
                    .col(ts(RiskModelDriftReports::RunAt))
                    .col(text(RiskModelDriftReports::Report))
                    .col(boolean(RiskModelDriftReports::Drifted))
                    .col(enum_str_null(RiskModelDriftReports::AlertStatus))
                    .col(fk_null(RiskModelDriftReports::AcknowledgedBy))
                    .col(ts_null(RiskModelDriftReports::AcknowledgedAt))
                    .foreign_key(&mut foreign(
                        RiskModelDriftReports::Table,
                        RiskModelDriftReports::ModelId,
                        RiskModels::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        RiskModelDriftReports::Table,
                        RiskModelDriftReports::AcknowledgedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_risk_model_drift_reports_model", &["model_id", "id"][..]),
            ("idx_risk_model_drift_reports_alert", &["alert_status", "id"][..]),
        ] {
            manager
                .create_index(index(RiskModelDriftReports::Table, name, cols, false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            RiskModelDriftReports::Table.into_iden(),
            RiskAttentionDisagreements::Table.into_iden(),
            RiskModels::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
