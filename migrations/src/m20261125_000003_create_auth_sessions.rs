//! Login sessions, rotating refresh tokens (stored hashed) and failed-login records
//! used for rate limiting across replicas.

use crate::helpers::{fk, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, string_len_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    Client,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Username,
    Address,
    At,
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
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(fk(Sessions::UserId))
                    .col(string_len_null(Sessions::Client, 64))
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::ExpiresAt))
                    .col(ts_null(Sessions::RevokedAt))
                    .foreign_key(&mut foreign(
                        Sessions::Table,
                        Sessions::UserId,
                        Users::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(Sessions::Table, "idx_sessions_user", &["user_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(id(RefreshTokens::Id))
                    .col(fk(RefreshTokens::SessionId))
                    .col(string_len(RefreshTokens::TokenHash, 64).unique_key())
                    .col(ts(RefreshTokens::CreatedAt))
                    .col(ts(RefreshTokens::ExpiresAt))
                    .col(ts_null(RefreshTokens::UsedAt))
                    .foreign_key(&mut foreign(
                        RefreshTokens::Table,
                        RefreshTokens::SessionId,
                        Sessions::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                RefreshTokens::Table,
                "idx_refresh_tokens_session",
                &["session_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(id(LoginFailures::Id))
                    .col(string_len(LoginFailures::Username, 64))
                    .col(string_len(LoginFailures::Address, 64))
                    .col(ts(LoginFailures::At))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                LoginFailures::Table,
                "idx_login_failures_username",
                &["username", "at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                LoginFailures::Table,
                "idx_login_failures_address",
                &["address", "at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                LoginFailures::Table,
                "idx_login_failures_at",
                &["at"],
                false,
            ))
            .await?;
        Ok(())
    }
}
