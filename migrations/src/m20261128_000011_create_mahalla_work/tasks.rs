//! Tasks for the seven on a case.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date, string_len, text_null};

use super::conferences::CaseConferences;
use super::roster::MahallaMembers;
use super::{Cases, Users};
use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};

#[derive(DeriveIden)]
pub(super) enum MahallaTasks {
    Table,
    Id,
    CaseId,
    MahallaId,
    MemberId,
    Title,
    Details,
    DueOn,
    Status,
    Outcome,
    CompletedAt,
    CompletedBy,
    CancelReason,
    AssignedBy,
    ConferenceId,
    OverdueAt,
    CreatedAt,
    UpdatedAt,
}

/// Tasks for members of the seven on a case.
pub(super) async fn create_tasks(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(MahallaTasks::Table)
                .col(id(MahallaTasks::Id))
                .col(fk(MahallaTasks::CaseId))
                .col(fk(MahallaTasks::MahallaId))
                .col(fk(MahallaTasks::MemberId))
                .col(string_len(MahallaTasks::Title, 200))
                .col(text_null(MahallaTasks::Details))
                .col(date(MahallaTasks::DueOn))
                .col(enum_str(MahallaTasks::Status))
                .col(text_null(MahallaTasks::Outcome))
                .col(ts_null(MahallaTasks::CompletedAt))
                .col(fk_null(MahallaTasks::CompletedBy))
                .col(text_null(MahallaTasks::CancelReason))
                .col(fk(MahallaTasks::AssignedBy))
                .col(fk_null(MahallaTasks::ConferenceId))
                .col(ts_null(MahallaTasks::OverdueAt))
                .col(ts(MahallaTasks::CreatedAt))
                .col(ts(MahallaTasks::UpdatedAt))
                .foreign_key(&mut foreign(
                    MahallaTasks::Table,
                    MahallaTasks::CaseId,
                    Cases::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    MahallaTasks::Table,
                    MahallaTasks::MemberId,
                    MahallaMembers::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    MahallaTasks::Table,
                    MahallaTasks::AssignedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    MahallaTasks::Table,
                    MahallaTasks::CompletedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    MahallaTasks::Table,
                    MahallaTasks::ConferenceId,
                    CaseConferences::Table,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
    for (name, cols) in [
        ("idx_mahalla_tasks_member", &["member_id", "status", "due_on"][..]),
        ("idx_mahalla_tasks_case", &["case_id", "id"][..]),
        (
            "idx_mahalla_tasks_mahalla",
            &["mahalla_id", "status", "due_on"][..],
        ),
        ("idx_mahalla_tasks_due", &["status", "overdue_at", "due_on"][..]),
    ] {
        manager
            .create_index(index(MahallaTasks::Table, name, cols, false))
            .await?;
    }
    Ok(())
}
