//! The W3C trace context a domain event was written in (`traceparent`, null when the
//! writer was not traced), so that what the event causes later — a module's hook, an
//! early-warning rule, a webhook delivery — joins the trace of the request behind it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Traceparent,
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
                    .table(DomainEvents::Table)
                    .add_column(string_len_null(DomainEvents::Traceparent, 64))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DomainEvents::Table)
                    .drop_column(DomainEvents::Traceparent)
                    .take(),
            )
            .await
    }
}
