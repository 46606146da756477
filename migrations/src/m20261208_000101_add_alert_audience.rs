//! Who sees an alert: the case's inspectors and officers (`SUPERVISE`, what alerts
//! have been so far) or its lead probation officer alone (`FULL`), from the part of the
//! case the alert's rule tells about. An alert over what a person reported through
//! their own app must not reach those the check-in itself is kept from. A module whose
//! rules tell more than the case's alerts moves its own alerts on in a migration of its
//! own, named after this one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Audience,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alerts::Table)
                    .add_column(string_len(Alerts::Audience, 16).default("SUPERVISE"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alerts::Table)
                    .drop_column(Alerts::Audience)
                    .take(),
            )
            .await
    }
}
