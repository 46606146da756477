//! Module enablement as data: which compiled-in modules the platform makes available,
//! and which each organisation has switched on, with its configuration.
//!
//! `modules.id` is the module's own id; a compiled-in module without a row is
//! available (rows are written when the platform admin changes something).

use crate::helpers::{fk, foreign, index, ts};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_integer_null, boolean, json_binary, string_len};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
}
#[derive(DeriveIden)]
enum Organisations {
    Table,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    Available,
    EventCursor,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum OrganisationModules {
    Table,
    OrganisationId,
    ModuleId,
    Enabled,
    Config,
    UpdatedAt,
    UpdatedBy,
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
                    .table(Modules::Table)
                    .col(string_len(Modules::Id, 64).primary_key())
                    .col(boolean(Modules::Available))
                    .col(big_integer(Modules::EventCursor).default(0))
                    .col(ts(Modules::UpdatedAt))
                    .col(big_integer_null(Modules::UpdatedBy))
                    .foreign_key(&mut foreign(
                        Modules::Table,
                        Modules::UpdatedBy,
                        Users::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganisationModules::Table)
                    .col(fk(OrganisationModules::OrganisationId))
                    .col(string_len(OrganisationModules::ModuleId, 64))
                    .col(boolean(OrganisationModules::Enabled))
                    .col(json_binary(OrganisationModules::Config))
                    .col(ts(OrganisationModules::UpdatedAt))
                    .col(big_integer_null(OrganisationModules::UpdatedBy))
                    .primary_key(
                        Index::create()
                            .col(OrganisationModules::OrganisationId)
                            .col(OrganisationModules::ModuleId),
                    )
                    .foreign_key(&mut foreign(
                        OrganisationModules::Table,
                        OrganisationModules::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        OrganisationModules::Table,
                        OrganisationModules::UpdatedBy,
                        Users::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        // "Which organisations deliver module X" (referral recipients).
        manager
            .create_index(index(
                OrganisationModules::Table,
                "idx_organisation_modules_module",
                &["module_id", "enabled", "organisation_id"],
                false,
            ))
            .await?;
        Ok(())
    }
}
