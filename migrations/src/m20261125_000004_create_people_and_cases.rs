//! Supervised people, their cases, the case status history and the sentence conditions.
//!
//! Cases carry their mahalla, district and region: territory scoping and dashboards filter
//! on them with an index instead of joining through the territory tree on every query.

use crate::helpers::{enum_str, enum_str_null, fk, fk_null, foreign, id, index, ts};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    date, date_null, integer_null, json_binary, string, string_len, string_len_null, string_null, text_null,
    time_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
}
#[derive(DeriveIden)]
enum Districts {
    Table,
}
#[derive(DeriveIden)]
enum Mahallas {
    Table,
}
#[derive(DeriveIden)]
enum Organisations {
    Table,
}
#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
    Pinfl,
    LastName,
    FirstName,
    Patronymic,
    BirthDate,
    Sex,
    MahallaId,
    DistrictId,
    RegionId,
    Address,
    Phone,
    Languages,
    FamilyStatus,
    Dependants,
    OrganisationId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    PersonId,
    Kind,
    Status,
    CourtName,
    CourtDecisionDate,
    CriminalCodeArticle,
    SentenceStart,
    SentenceEnd,
    OrganisationId,
    OfficerId,
    InspectorId,
    MahallaId,
    DistrictId,
    RegionId,
    RiskLevel,
    StatusReason,
    StatusChangedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseStatusChanges {
    Table,
    Id,
    CaseId,
    FromStatus,
    ToStatus,
    Reason,
    ChangedBy,
    ChangedAt,
}

#[derive(DeriveIden)]
enum CaseConditions {
    Table,
    Id,
    CaseId,
    Kind,
    CurfewStart,
    CurfewEnd,
    RegionId,
    DistrictId,
    MahallaId,
    Place,
    ReportEveryDays,
    Description,
    ValidFrom,
    ValidUntil,
    CreatedBy,
    CreatedAt,
}

/// Region, district and mahalla references of a table that hangs off the territory tree.
fn territory_fks(mut table: TableCreateStatement, t: &'static str) -> TableCreateStatement {
    let t = || Alias::new(t);
    table
        .foreign_key(&mut foreign(
            t(),
            Alias::new("region_id"),
            Regions::Table,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign(
            t(),
            Alias::new("district_id"),
            Districts::Table,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign(
            t(),
            Alias::new("mahalla_id"),
            Mahallas::Table,
            ForeignKeyAction::Restrict,
        ));
    table
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let persons = Table::create()
            .table(Persons::Table)
            .col(id(Persons::Id))
            .col(string_len(Persons::Pinfl, 14).unique_key())
            .col(string(Persons::LastName))
            .col(string(Persons::FirstName))
            .col(string_null(Persons::Patronymic))
            .col(date(Persons::BirthDate))
            .col(enum_str_null(Persons::Sex))
            .col(fk(Persons::MahallaId))
            .col(fk(Persons::DistrictId))
            .col(fk(Persons::RegionId))
            .col(string_null(Persons::Address))
            .col(string_len_null(Persons::Phone, 32))
            .col(json_binary(Persons::Languages))
            .col(enum_str_null(Persons::FamilyStatus))
            .col(integer_null(Persons::Dependants))
            .col(fk(Persons::OrganisationId))
            .col(ts(Persons::CreatedAt))
            .col(ts(Persons::UpdatedAt))
            .foreign_key(&mut foreign(
                Persons::Table,
                Persons::OrganisationId,
                Organisations::Table,
                ForeignKeyAction::Restrict,
            ))
            .take();
        manager.create_table(territory_fks(persons, "persons")).await?;
        for (name, cols) in [
            ("idx_persons_mahalla", &["mahalla_id", "id"][..]),
            ("idx_persons_district", &["district_id", "id"][..]),
            ("idx_persons_organisation", &["organisation_id", "id"][..]),
            ("idx_persons_last_name", &["last_name"][..]),
        ] {
            manager
                .create_index(index(Persons::Table, name, cols, false))
                .await?;
        }

        let cases = Table::create()
            .table(Cases::Table)
            .col(id(Cases::Id))
            .col(fk(Cases::PersonId))
            .col(enum_str(Cases::Kind))
            .col(enum_str(Cases::Status))
            .col(string(Cases::CourtName))
            .col(date(Cases::CourtDecisionDate))
            .col(string_len_null(Cases::CriminalCodeArticle, 64))
            .col(date(Cases::SentenceStart))
            .col(date(Cases::SentenceEnd))
            .col(fk(Cases::OrganisationId))
            .col(fk_null(Cases::OfficerId))
            .col(fk_null(Cases::InspectorId))
            .col(fk(Cases::MahallaId))
            .col(fk(Cases::DistrictId))
            .col(fk(Cases::RegionId))
            .col(enum_str_null(Cases::RiskLevel))
            .col(text_null(Cases::StatusReason))
            .col(ts(Cases::StatusChangedAt))
            .col(ts(Cases::CreatedAt))
            .col(ts(Cases::UpdatedAt))
            .foreign_key(&mut foreign(
                Cases::Table,
                Cases::PersonId,
                Persons::Table,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut foreign(
                Cases::Table,
                Cases::OrganisationId,
                Organisations::Table,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut foreign(
                Cases::Table,
                Cases::OfficerId,
                Users::Table,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut foreign(
                Cases::Table,
                Cases::InspectorId,
                Users::Table,
                ForeignKeyAction::Restrict,
            ))
            .take();
        manager.create_table(territory_fks(cases, "cases")).await?;
        for (name, cols) in [
            (
                "idx_cases_organisation_status",
                &["organisation_id", "status", "id"][..],
            ),
            ("idx_cases_region_status", &["region_id", "status", "id"][..]),
            ("idx_cases_district_status", &["district_id", "status", "id"][..]),
            ("idx_cases_mahalla_status", &["mahalla_id", "status", "id"][..]),
            ("idx_cases_officer", &["officer_id", "id"][..]),
            ("idx_cases_inspector", &["inspector_id", "id"][..]),
            ("idx_cases_person", &["person_id"][..]),
            ("idx_cases_risk_level", &["risk_level", "id"][..]),
            ("idx_cases_sentence_start", &["sentence_start"][..]),
            ("idx_cases_sentence_end", &["sentence_end"][..]),
        ] {
            manager
                .create_index(index(Cases::Table, name, cols, false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CaseStatusChanges::Table)
                    .col(id(CaseStatusChanges::Id))
                    .col(fk(CaseStatusChanges::CaseId))
                    .col(enum_str_null(CaseStatusChanges::FromStatus))
                    .col(enum_str(CaseStatusChanges::ToStatus))
                    .col(text_null(CaseStatusChanges::Reason))
                    .col(fk(CaseStatusChanges::ChangedBy))
                    .col(ts(CaseStatusChanges::ChangedAt))
                    .foreign_key(&mut foreign(
                        CaseStatusChanges::Table,
                        CaseStatusChanges::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        CaseStatusChanges::Table,
                        CaseStatusChanges::ChangedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                CaseStatusChanges::Table,
                "idx_case_status_changes_case",
                &["case_id", "id"],
                false,
            ))
            .await?;

        let conditions = Table::create()
            .table(CaseConditions::Table)
            .col(id(CaseConditions::Id))
            .col(fk(CaseConditions::CaseId))
            .col(enum_str(CaseConditions::Kind))
            .col(time_null(CaseConditions::CurfewStart))
            .col(time_null(CaseConditions::CurfewEnd))
            .col(fk_null(CaseConditions::RegionId))
            .col(fk_null(CaseConditions::DistrictId))
            .col(fk_null(CaseConditions::MahallaId))
            .col(string_null(CaseConditions::Place))
            .col(integer_null(CaseConditions::ReportEveryDays))
            .col(text_null(CaseConditions::Description))
            .col(date_null(CaseConditions::ValidFrom))
            .col(date_null(CaseConditions::ValidUntil))
            .col(fk(CaseConditions::CreatedBy))
            .col(ts(CaseConditions::CreatedAt))
            .foreign_key(&mut foreign(
                CaseConditions::Table,
                CaseConditions::CaseId,
                Cases::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut foreign(
                CaseConditions::Table,
                CaseConditions::CreatedBy,
                Users::Table,
                ForeignKeyAction::Restrict,
            ))
            .take();
        manager
            .create_table(territory_fks(conditions, "case_conditions"))
            .await?;
        manager
            .create_index(index(
                CaseConditions::Table,
                "idx_case_conditions_case",
                &["case_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }
}
