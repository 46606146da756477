//! Region (viloyat) → District (tuman/shahar) → Mahalla.

use crate::helpers::{fk, foreign, id, index, ts};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, string_len, string_len_null, string_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
    Soato,
    NameUz,
    NameRu,
    NameEn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    RegionId,
    Soato,
    Kind,
    NameUz,
    NameRu,
    NameEn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Mahallas {
    Table,
    Id,
    DistrictId,
    RegionId,
    Name,
    Code,
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
                    .table(Regions::Table)
                    .col(id(Regions::Id))
                    .col(string_len(Regions::Soato, 16).unique_key())
                    .col(string(Regions::NameUz))
                    .col(string_null(Regions::NameRu))
                    .col(string_null(Regions::NameEn))
                    .col(ts(Regions::CreatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Districts::Table)
                    .col(id(Districts::Id))
                    .col(fk(Districts::RegionId))
                    .col(string_len(Districts::Soato, 16).unique_key())
                    .col(string_len(Districts::Kind, 32))
                    .col(string(Districts::NameUz))
                    .col(string_null(Districts::NameRu))
                    .col(string_null(Districts::NameEn))
                    .col(ts(Districts::CreatedAt))
                    .foreign_key(&mut foreign(
                        Districts::Table,
                        Districts::RegionId,
                        Regions::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                Districts::Table,
                "idx_districts_region",
                &["region_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Mahallas::Table)
                    .col(id(Mahallas::Id))
                    .col(fk(Mahallas::DistrictId))
                    .col(fk(Mahallas::RegionId))
                    .col(string(Mahallas::Name))
                    .col(string_len_null(Mahallas::Code, 32).unique_key())
                    .col(ts(Mahallas::CreatedAt))
                    .foreign_key(&mut foreign(
                        Mahallas::Table,
                        Mahallas::DistrictId,
                        Districts::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Mahallas::Table,
                        Mahallas::RegionId,
                        Regions::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                Mahallas::Table,
                "uq_mahallas_district_name",
                &["district_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                Mahallas::Table,
                "idx_mahallas_region",
                &["region_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }
}
