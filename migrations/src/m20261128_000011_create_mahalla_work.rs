//! The mahalla at work: the roster of the "seven", prevention programmes with their
//! activities, tasks for the seven on a case, and joint case conferences.

use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean_null, date, date_null, integer_null, string_len, string_len_null, text, text_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
}
#[derive(DeriveIden)]
enum Mahallas {
    Table,
}
#[derive(DeriveIden)]
enum Cases {
    Table,
}
#[derive(DeriveIden)]
enum PlanActions {
    Table,
}

#[derive(DeriveIden)]
enum MahallaMembers {
    Table,
    Id,
    MahallaId,
    DistrictId,
    RegionId,
    SubRole,
    FullName,
    Phone,
    UserId,
    StartsOn,
    EndsOn,
    EndReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PreventionProgrammes {
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
enum ProgrammeActivities {
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
enum ProgrammeActivityCases {
    Table,
    ActivityId,
    CaseId,
}

#[derive(DeriveIden)]
enum CaseConferences {
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
enum ConferenceCases {
    Table,
    ConferenceId,
    CaseId,
}

#[derive(DeriveIden)]
enum ConferenceParticipants {
    Table,
    Id,
    ConferenceId,
    UserId,
    MemberId,
    Attended,
}

#[derive(DeriveIden)]
enum ConferenceMinutes {
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
enum MahallaTasks {
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

#[derive(DeriveIden)]
enum ConferenceDecisions {
    Table,
    Id,
    ConferenceId,
    CaseId,
    Body,
    TaskId,
    PlanActionId,
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
                    .table(MahallaMembers::Table)
                    .col(id(MahallaMembers::Id))
                    .col(fk(MahallaMembers::MahallaId))
                    .col(fk(MahallaMembers::DistrictId))
                    .col(fk(MahallaMembers::RegionId))
                    .col(enum_str(MahallaMembers::SubRole))
                    .col(string_len(MahallaMembers::FullName, 200))
                    .col(string_len_null(MahallaMembers::Phone, 32))
                    .col(fk_null(MahallaMembers::UserId))
                    .col(date(MahallaMembers::StartsOn))
                    .col(date_null(MahallaMembers::EndsOn))
                    .col(text_null(MahallaMembers::EndReason))
                    .col(fk(MahallaMembers::CreatedBy))
                    .col(ts(MahallaMembers::CreatedAt))
                    .col(ts(MahallaMembers::UpdatedAt))
                    .check(Expr::cust("ends_on IS NULL OR ends_on >= starts_on"))
                    .foreign_key(&mut foreign(
                        MahallaMembers::Table,
                        MahallaMembers::MahallaId,
                        Mahallas::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        MahallaMembers::Table,
                        MahallaMembers::UserId,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        MahallaMembers::Table,
                        MahallaMembers::CreatedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                MahallaMembers::Table,
                "idx_mahalla_members_role",
                &["mahalla_id", "sub_role", "starts_on"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                MahallaMembers::Table,
                "idx_mahalla_members_user",
                &["user_id"],
                false,
            ))
            .await?;
        // One active holder per sub-role: the database refuses a second open term even
        // when two appointments race. Partial indexes read the same on both backends.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_mahalla_members_active \
                 ON mahalla_members (mahalla_id, sub_role) WHERE ends_on IS NULL",
            )
            .await?;

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

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "conference_decisions",
            "mahalla_tasks",
            "conference_minutes",
            "conference_participants",
            "conference_cases",
            "case_conferences",
            "programme_activity_cases",
            "programme_activities",
            "prevention_programmes",
            "mahalla_members",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
