//! Supervision records of a case: appointments and check-ins, violations, case notes.

use crate::helpers::{enum_str, enum_str_null, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
}
#[derive(DeriveIden)]
enum Users {
    Table,
}
#[derive(DeriveIden)]
enum Organisations {
    Table,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
    Id,
    CaseId,
    Kind,
    ScheduledAt,
    Location,
    Outcome,
    OutcomeNote,
    OutcomeRecordedAt,
    OutcomeRecordedBy,
    RescheduledToId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Violations {
    Table,
    Id,
    CaseId,
    Kind,
    Severity,
    OccurredAt,
    Description,
    Response,
    ResponseNote,
    RespondedAt,
    RespondedBy,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseNotes {
    Table,
    Id,
    CaseId,
    AuthorId,
    OrganisationId,
    Visibility,
    Body,
    CreatedAt,
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
                    .table(Appointments::Table)
                    .col(id(Appointments::Id))
                    .col(fk(Appointments::CaseId))
                    .col(enum_str(Appointments::Kind))
                    .col(ts(Appointments::ScheduledAt))
                    .col(string_null(Appointments::Location))
                    .col(enum_str_null(Appointments::Outcome))
                    .col(text_null(Appointments::OutcomeNote))
                    .col(ts_null(Appointments::OutcomeRecordedAt))
                    .col(fk_null(Appointments::OutcomeRecordedBy))
                    .col(fk_null(Appointments::RescheduledToId))
                    .col(fk(Appointments::CreatedBy))
                    .col(ts(Appointments::CreatedAt))
                    .foreign_key(&mut foreign(
                        Appointments::Table,
                        Appointments::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        Appointments::Table,
                        Appointments::OutcomeRecordedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Appointments::Table,
                        Appointments::RescheduledToId,
                        Appointments::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign(
                        Appointments::Table,
                        Appointments::CreatedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_appointments_case", &["case_id", "id"][..]),
            (
                "idx_appointments_case_scheduled",
                &["case_id", "scheduled_at"][..],
            ),
            ("idx_appointments_scheduled", &["scheduled_at"][..]),
        ] {
            manager
                .create_index(index(Appointments::Table, name, cols, false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Violations::Table)
                    .col(id(Violations::Id))
                    .col(fk(Violations::CaseId))
                    .col(enum_str(Violations::Kind))
                    .col(enum_str(Violations::Severity))
                    .col(ts(Violations::OccurredAt))
                    .col(text(Violations::Description))
                    .col(enum_str_null(Violations::Response))
                    .col(text_null(Violations::ResponseNote))
                    .col(ts_null(Violations::RespondedAt))
                    .col(fk_null(Violations::RespondedBy))
                    .col(fk(Violations::RecordedBy))
                    .col(ts(Violations::CreatedAt))
                    .foreign_key(&mut foreign(
                        Violations::Table,
                        Violations::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        Violations::Table,
                        Violations::RespondedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Violations::Table,
                        Violations::RecordedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_violations_case", &["case_id", "id"][..]),
            ("idx_violations_occurred", &["occurred_at"][..]),
        ] {
            manager
                .create_index(index(Violations::Table, name, cols, false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CaseNotes::Table)
                    .col(id(CaseNotes::Id))
                    .col(fk(CaseNotes::CaseId))
                    .col(fk(CaseNotes::AuthorId))
                    .col(fk(CaseNotes::OrganisationId))
                    .col(enum_str(CaseNotes::Visibility))
                    .col(text(CaseNotes::Body))
                    .col(ts(CaseNotes::CreatedAt))
                    .foreign_key(&mut foreign(
                        CaseNotes::Table,
                        CaseNotes::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        CaseNotes::Table,
                        CaseNotes::AuthorId,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        CaseNotes::Table,
                        CaseNotes::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                CaseNotes::Table,
                "idx_case_notes_case",
                &["case_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }
}
