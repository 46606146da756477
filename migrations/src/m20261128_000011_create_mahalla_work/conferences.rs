//! Joint case conferences: agenda, participants, minutes and decisions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean_null, string_len, string_len_null, text, text_null};

use super::roster::MahallaMembers;
use super::tasks::MahallaTasks;
use super::{Cases, Mahallas, PlanActions, Users};
use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};

#[derive(DeriveIden)]
pub(super) enum CaseConferences {
    Table,
    Id,
    MahallaId,
    DistrictId,
    RegionId,
    Title,
    ScheduledAt,
    Place,
    Agenda,
    Status,
    ConvenedBy,
    HeldAt,
    RecordedBy,
    CancelReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(super) enum ConferenceCases {
    Table,
    ConferenceId,
    CaseId,
}

#[derive(DeriveIden)]
pub(super) enum ConferenceParticipants {
    Table,
    Id,
    ConferenceId,
    UserId,
    MemberId,
    Attended,
}

#[derive(DeriveIden)]
pub(super) enum ConferenceMinutes {
    Table,
    Id,
    ConferenceId,
    CaseId,
    Visibility,
    Body,
    WrittenBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(super) enum ConferenceDecisions {
    Table,
    Id,
    ConferenceId,
    CaseId,
    Body,
    TaskId,
    PlanActionId,
    CreatedAt,
}

/// Joint case conferences of a mahalla.
pub(super) async fn create_conferences(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CaseConferences::Table)
                .col(id(CaseConferences::Id))
                .col(fk(CaseConferences::MahallaId))
                .col(fk(CaseConferences::DistrictId))
                .col(fk(CaseConferences::RegionId))
                .col(string_len(CaseConferences::Title, 200))
                .col(ts(CaseConferences::ScheduledAt))
                .col(string_len_null(CaseConferences::Place, 200))
                .col(text(CaseConferences::Agenda))
                .col(enum_str(CaseConferences::Status))
                .col(fk(CaseConferences::ConvenedBy))
                .col(ts_null(CaseConferences::HeldAt))
                .col(fk_null(CaseConferences::RecordedBy))
                .col(text_null(CaseConferences::CancelReason))
                .col(ts(CaseConferences::CreatedAt))
                .col(ts(CaseConferences::UpdatedAt))
                .foreign_key(&mut foreign(
                    CaseConferences::Table,
                    CaseConferences::MahallaId,
                    Mahallas::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    CaseConferences::Table,
                    CaseConferences::ConvenedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    CaseConferences::Table,
                    CaseConferences::RecordedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            CaseConferences::Table,
            "idx_case_conferences_mahalla",
            &["mahalla_id", "scheduled_at", "id"],
            false,
        ))
        .await?;
    Ok(())
}

/// The cases on a conference's agenda.
pub(super) async fn create_conference_cases(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ConferenceCases::Table)
                .col(fk(ConferenceCases::ConferenceId))
                .col(fk(ConferenceCases::CaseId))
                .primary_key(
                    Index::create()
                        .col(ConferenceCases::ConferenceId)
                        .col(ConferenceCases::CaseId),
                )
                .foreign_key(&mut foreign(
                    ConferenceCases::Table,
                    ConferenceCases::ConferenceId,
                    CaseConferences::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ConferenceCases::Table,
                    ConferenceCases::CaseId,
                    Cases::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            ConferenceCases::Table,
            "idx_conference_cases_case",
            &["case_id"],
            false,
        ))
        .await?;
    Ok(())
}

/// Who was invited to a conference, and who attended.
pub(super) async fn create_participants(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ConferenceParticipants::Table)
                .col(id(ConferenceParticipants::Id))
                .col(fk(ConferenceParticipants::ConferenceId))
                .col(fk_null(ConferenceParticipants::UserId))
                .col(fk_null(ConferenceParticipants::MemberId))
                .col(boolean_null(ConferenceParticipants::Attended))
                .check(Expr::cust("user_id IS NOT NULL OR member_id IS NOT NULL"))
                .foreign_key(&mut foreign(
                    ConferenceParticipants::Table,
                    ConferenceParticipants::ConferenceId,
                    CaseConferences::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ConferenceParticipants::Table,
                    ConferenceParticipants::UserId,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    ConferenceParticipants::Table,
                    ConferenceParticipants::MemberId,
                    MahallaMembers::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    for (name, cols) in [
        (
            "uq_conference_participants_user",
            &["conference_id", "user_id"][..],
        ),
        (
            "uq_conference_participants_member",
            &["conference_id", "member_id"][..],
        ),
    ] {
        manager
            .create_index(index(ConferenceParticipants::Table, name, cols, true))
            .await?;
    }
    manager
        .create_index(index(
            ConferenceParticipants::Table,
            "idx_conference_participants_user",
            &["user_id"],
            false,
        ))
        .await?;
    Ok(())
}

/// What was said at a conference, with a visibility like case notes.
pub(super) async fn create_minutes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ConferenceMinutes::Table)
                .col(id(ConferenceMinutes::Id))
                .col(fk(ConferenceMinutes::ConferenceId))
                .col(fk_null(ConferenceMinutes::CaseId))
                .col(enum_str(ConferenceMinutes::Visibility))
                .col(text(ConferenceMinutes::Body))
                .col(fk(ConferenceMinutes::WrittenBy))
                .col(ts(ConferenceMinutes::CreatedAt))
                .foreign_key(&mut foreign(
                    ConferenceMinutes::Table,
                    ConferenceMinutes::ConferenceId,
                    CaseConferences::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ConferenceMinutes::Table,
                    ConferenceMinutes::CaseId,
                    Cases::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ConferenceMinutes::Table,
                    ConferenceMinutes::WrittenBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            ConferenceMinutes::Table,
            "idx_conference_minutes_conference",
            &["conference_id", "id"],
            false,
        ))
        .await?;
    Ok(())
}

/// A conference's decisions, each with the task or plan action it created.
pub(super) async fn create_decisions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ConferenceDecisions::Table)
                .col(id(ConferenceDecisions::Id))
                .col(fk(ConferenceDecisions::ConferenceId))
                .col(fk(ConferenceDecisions::CaseId))
                .col(text(ConferenceDecisions::Body))
                .col(fk_null(ConferenceDecisions::TaskId))
                .col(fk_null(ConferenceDecisions::PlanActionId))
                .col(ts(ConferenceDecisions::CreatedAt))
                .foreign_key(&mut foreign(
                    ConferenceDecisions::Table,
                    ConferenceDecisions::ConferenceId,
                    CaseConferences::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ConferenceDecisions::Table,
                    ConferenceDecisions::CaseId,
                    Cases::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ConferenceDecisions::Table,
                    ConferenceDecisions::TaskId,
                    MahallaTasks::Table,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut foreign(
                    ConferenceDecisions::Table,
                    ConferenceDecisions::PlanActionId,
                    PlanActions::Table,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            ConferenceDecisions::Table,
            "idx_conference_decisions_conference",
            &["conference_id", "id"],
            false,
        ))
        .await?;
    Ok(())
}
