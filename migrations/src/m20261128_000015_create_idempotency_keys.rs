//! Idempotency keys of mutations (one row per caller and key, with the stored response),
//! and the previous secret of a service account that stays valid for a bounded overlap
//! after a rotation.

use crate::helpers::{fk, foreign, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{json_binary_null, string_len, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    PreviousSecretHash,
    PreviousSecretUntil,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserId,
    Key,
    RequestHash,
    Response,
    CreatedAt,
    CompletedAt,
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
                    .table(IdempotencyKeys::Table)
                    .col(fk(IdempotencyKeys::UserId))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(json_binary_null(IdempotencyKeys::Response))
                    .col(ts(IdempotencyKeys::CreatedAt))
                    .col(ts_null(IdempotencyKeys::CompletedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::UserId)
                            .col(IdempotencyKeys::Key),
                    )
                    .foreign_key(&mut foreign(
                        IdempotencyKeys::Table,
                        IdempotencyKeys::UserId,
                        Users::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        // The purge of expired keys.
        manager
            .create_index(index(
                IdempotencyKeys::Table,
                "idx_idempotency_keys_created",
                &["created_at"],
                false,
            ))
            .await?;

        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(text_null(Users::PreviousSecretHash))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ts_null(Users::PreviousSecretUntil))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Users::PreviousSecretUntil, Users::PreviousSecretHash] {
            manager
                .alter_table(Table::alter().table(Users::Table).drop_column(col).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await?;
        Ok(())
    }
}
