//! The addresses each account signs in from (its usual addresses, which a stranger's
//! failures do not slow down), and an index for failures per account and address (the
//! exponential backoff of one address guessing one account).

use crate::helpers::{index, ts};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginAddresses {
    Table,
    Username,
    Address,
    LastSuccessAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
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
                    .table(LoginAddresses::Table)
                    .col(string_len(LoginAddresses::Username, 64))
                    .col(string_len(LoginAddresses::Address, 64))
                    .col(ts(LoginAddresses::LastSuccessAt))
                    .primary_key(
                        Index::create()
                            .col(LoginAddresses::Username)
                            .col(LoginAddresses::Address),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                LoginFailures::Table,
                "idx_login_failures_pair",
                &["username", "address", "at"],
                false,
            ))
            .await?;
        Ok(())
    }
}
