//! Organisations, their users (people and service accounts), roles and territorial scope.

use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, string, string_len, string_len_null, text_null};

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
    Id,
    Name,
    Kind,
    RegionId,
    DistrictId,
    MahallaId,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrganisationId,
    Username,
    DisplayName,
    Kind,
    PasswordHash,
    ClientId,
    ClientSecretHash,
    Active,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum UserTerritories {
    Table,
    Id,
    UserId,
    RegionId,
    DistrictId,
    MahallaId,
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
                    .table(Organisations::Table)
                    .col(id(Organisations::Id))
                    .col(string(Organisations::Name).unique_key())
                    .col(enum_str(Organisations::Kind))
                    .col(fk_null(Organisations::RegionId))
                    .col(fk_null(Organisations::DistrictId))
                    .col(fk_null(Organisations::MahallaId))
                    .col(boolean(Organisations::Active))
                    .col(ts(Organisations::CreatedAt))
                    .col(ts(Organisations::UpdatedAt))
                    .foreign_key(&mut foreign(
                        Organisations::Table,
                        Organisations::RegionId,
                        Regions::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Organisations::Table,
                        Organisations::DistrictId,
                        Districts::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Organisations::Table,
                        Organisations::MahallaId,
                        Mahallas::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_organisations_kind", &["kind", "id"][..]),
            ("idx_organisations_region", &["region_id", "id"][..]),
            ("idx_organisations_district", &["district_id", "id"][..]),
        ] {
            manager
                .create_index(index(Organisations::Table, name, cols, false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(fk(Users::OrganisationId))
                    .col(string_len(Users::Username, 64).unique_key())
                    .col(string(Users::DisplayName))
                    .col(enum_str(Users::Kind))
                    .col(text_null(Users::PasswordHash))
                    .col(string_len_null(Users::ClientId, 64).unique_key())
                    .col(text_null(Users::ClientSecretHash))
                    .col(boolean(Users::Active))
                    .col(ts(Users::CreatedAt))
                    .col(ts(Users::UpdatedAt))
                    .col(ts_null(Users::LastLoginAt))
                    .foreign_key(&mut foreign(
                        Users::Table,
                        Users::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                Users::Table,
                "idx_users_organisation",
                &["organisation_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserRoles::Table)
                    .col(fk(UserRoles::UserId))
                    .col(enum_str(UserRoles::Role))
                    .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::Role))
                    .foreign_key(&mut foreign(
                        UserRoles::Table,
                        UserRoles::UserId,
                        Users::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                UserRoles::Table,
                "idx_user_roles_role",
                &["role", "user_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserTerritories::Table)
                    .col(id(UserTerritories::Id))
                    .col(fk(UserTerritories::UserId))
                    .col(fk_null(UserTerritories::RegionId))
                    .col(fk_null(UserTerritories::DistrictId))
                    .col(fk_null(UserTerritories::MahallaId))
                    // Exactly one level per row.
                    .check(Expr::cust(
                        "(CASE WHEN region_id IS NULL THEN 0 ELSE 1 END \
                         + CASE WHEN district_id IS NULL THEN 0 ELSE 1 END \
                         + CASE WHEN mahalla_id IS NULL THEN 0 ELSE 1 END) = 1",
                    ))
                    .foreign_key(&mut foreign(
                        UserTerritories::Table,
                        UserTerritories::UserId,
                        Users::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        UserTerritories::Table,
                        UserTerritories::RegionId,
                        Regions::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        UserTerritories::Table,
                        UserTerritories::DistrictId,
                        Districts::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        UserTerritories::Table,
                        UserTerritories::MahallaId,
                        Mahallas::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_user_territories_user", &["user_id"][..]),
            ("idx_user_territories_mahalla", &["mahalla_id"][..]),
            ("idx_user_territories_district", &["district_id"][..]),
        ] {
            manager
                .create_index(index(UserTerritories::Table, name, cols, false))
                .await?;
        }
        Ok(())
    }
}
