//! Prevention programmes, their activities and the cases those involve.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    date, date_null, integer_null, string_len, string_len_null, text, text_null,
};

use super::roster::MahallaMembers;
use super::{Cases, Mahallas, Users};
use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts};

#[derive(DeriveIden)]
pub(super) enum PreventionProgrammes {
    Table,
    Id,
    MahallaId,
    DistrictId,
    RegionId,
    Title,
    PeriodStart,
    PeriodEnd,
    Objectives,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(super) enum ProgrammeActivities {
    Table,
    Id,
    ProgrammeId,
    Kind,
    Title,
    PlannedOn,
    Place,
    ResponsibleMemberId,
    Status,
    DoneOn,
    Result,
    Participants,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(super) enum ProgrammeActivityCases {
    Table,
    ActivityId,
    CaseId,
}

/// Prevention programmes of a mahalla for a period.
pub(super) async fn create_programmes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PreventionProgrammes::Table)
                .col(id(PreventionProgrammes::Id))
                .col(fk(PreventionProgrammes::MahallaId))
                .col(fk(PreventionProgrammes::DistrictId))
                .col(fk(PreventionProgrammes::RegionId))
                .col(string_len(PreventionProgrammes::Title, 200))
                .col(date(PreventionProgrammes::PeriodStart))
                .col(date(PreventionProgrammes::PeriodEnd))
                .col(text(PreventionProgrammes::Objectives))
                .col(fk(PreventionProgrammes::CreatedBy))
                .col(ts(PreventionProgrammes::CreatedAt))
                .col(ts(PreventionProgrammes::UpdatedAt))
                .check(Expr::cust("period_end >= period_start"))
                .foreign_key(&mut foreign(
                    PreventionProgrammes::Table,
                    PreventionProgrammes::MahallaId,
                    Mahallas::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    PreventionProgrammes::Table,
                    PreventionProgrammes::CreatedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    for (name, cols) in [
        ("idx_programmes_mahalla", &["mahalla_id", "period_start"][..]),
        ("idx_programmes_district", &["district_id", "period_start"][..]),
    ] {
        manager
            .create_index(index(PreventionProgrammes::Table, name, cols, false))
            .await?;
    }
    Ok(())
}

/// Activities of a programme.
pub(super) async fn create_activities(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ProgrammeActivities::Table)
                .col(id(ProgrammeActivities::Id))
                .col(fk(ProgrammeActivities::ProgrammeId))
                .col(enum_str(ProgrammeActivities::Kind))
                .col(string_len(ProgrammeActivities::Title, 200))
                .col(date(ProgrammeActivities::PlannedOn))
                .col(string_len_null(ProgrammeActivities::Place, 200))
                .col(fk_null(ProgrammeActivities::ResponsibleMemberId))
                .col(enum_str(ProgrammeActivities::Status))
                .col(date_null(ProgrammeActivities::DoneOn))
                .col(text_null(ProgrammeActivities::Result))
                .col(integer_null(ProgrammeActivities::Participants))
                .col(fk(ProgrammeActivities::CreatedBy))
                .col(ts(ProgrammeActivities::CreatedAt))
                .col(ts(ProgrammeActivities::UpdatedAt))
                .foreign_key(&mut foreign(
                    ProgrammeActivities::Table,
                    ProgrammeActivities::ProgrammeId,
                    PreventionProgrammes::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ProgrammeActivities::Table,
                    ProgrammeActivities::ResponsibleMemberId,
                    MahallaMembers::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    ProgrammeActivities::Table,
                    ProgrammeActivities::CreatedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            ProgrammeActivities::Table,
            "idx_programme_activities_programme",
            &["programme_id", "planned_on", "id"],
            false,
        ))
        .await?;
    Ok(())
}

/// The cases an activity involves.
pub(super) async fn create_activity_cases(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ProgrammeActivityCases::Table)
                .col(fk(ProgrammeActivityCases::ActivityId))
                .col(fk(ProgrammeActivityCases::CaseId))
                .primary_key(
                    Index::create()
                        .col(ProgrammeActivityCases::ActivityId)
                        .col(ProgrammeActivityCases::CaseId),
                )
                .foreign_key(&mut foreign(
                    ProgrammeActivityCases::Table,
                    ProgrammeActivityCases::ActivityId,
                    ProgrammeActivities::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    ProgrammeActivityCases::Table,
                    ProgrammeActivityCases::CaseId,
                    Cases::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            ProgrammeActivityCases::Table,
            "idx_programme_activity_cases_case",
            &["case_id"],
            false,
        ))
        .await?;
    Ok(())
}
