//! Partner webhooks: endpoints per organisation, one delivery per (endpoint, event) fanned
//! out from the `domain_events` outbox, the log of every attempt, and the dispatcher's
//! persisted cursor.
//!
//! `webhook_deliveries.claimed_until` is the lease a sender holds on a row while it
//! sends it: on PostgreSQL rows are claimed with `FOR UPDATE SKIP LOCKED` as well, on
//! SQLite the lease alone keeps two workers apart. A lease that runs out (a crashed
//! replica) makes the row due again: delivery is at-least-once.

use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, boolean, integer, integer_null, json_binary, string_len, string_len_null, text_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
}
#[derive(DeriveIden)]
enum Users {
    Table,
}
#[derive(DeriveIden)]
enum DomainEvents {
    Table,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    OrganisationId,
    Url,
    Description,
    EventTypes,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    Active,
    DisabledReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    EventId,
    EventType,
    Status,
    Attempts,
    NextAttemptAt,
    RetryUntil,
    ClaimedUntil,
    LastStatusCode,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    LatencyMs,
    Succeeded,
    Error,
    ResponseExcerpt,
}

#[derive(DeriveIden)]
enum WebhookDispatch {
    Table,
    Name,
    EventCursor,
    UpdatedAt,
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
                    .table(WebhookEndpoints::Table)
                    .col(id(WebhookEndpoints::Id))
                    .col(fk(WebhookEndpoints::OrganisationId))
                    .col(string_len(WebhookEndpoints::Url, 2048))
                    .col(string_len_null(WebhookEndpoints::Description, 200))
                    .col(json_binary(WebhookEndpoints::EventTypes))
                    .col(string_len(WebhookEndpoints::Secret, 128))
                    .col(string_len_null(WebhookEndpoints::PreviousSecret, 128))
                    .col(ts_null(WebhookEndpoints::PreviousSecretUntil))
                    .col(boolean(WebhookEndpoints::Active))
                    .col(string_len_null(WebhookEndpoints::DisabledReason, 200))
                    .col(fk_null(WebhookEndpoints::CreatedBy))
                    .col(ts(WebhookEndpoints::CreatedAt))
                    .col(ts(WebhookEndpoints::UpdatedAt))
                    .foreign_key(&mut foreign(
                        WebhookEndpoints::Table,
                        WebhookEndpoints::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        WebhookEndpoints::Table,
                        WebhookEndpoints::CreatedBy,
                        Users::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                WebhookEndpoints::Table,
                "idx_webhook_endpoints_organisation",
                &["organisation_id", "active", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(id(WebhookDeliveries::Id))
                    .col(fk(WebhookDeliveries::EndpointId))
                    .col(fk(WebhookDeliveries::EventId))
                    .col(string_len(WebhookDeliveries::EventType, 64))
                    .col(enum_str(WebhookDeliveries::Status))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(ts(WebhookDeliveries::NextAttemptAt))
                    .col(ts(WebhookDeliveries::RetryUntil))
                    .col(ts_null(WebhookDeliveries::ClaimedUntil))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(string_len_null(WebhookDeliveries::LastError, 200))
                    .col(ts(WebhookDeliveries::CreatedAt))
                    .col(ts_null(WebhookDeliveries::DeliveredAt))
                    .foreign_key(&mut foreign(
                        WebhookDeliveries::Table,
                        WebhookDeliveries::EndpointId,
                        WebhookEndpoints::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        WebhookDeliveries::Table,
                        WebhookDeliveries::EventId,
                        DomainEvents::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols, unique) in [
            // One delivery per event and endpoint, whichever replica fans it out.
            (
                "idx_webhook_deliveries_endpoint_event",
                &["endpoint_id", "event_id"][..],
                true,
            ),
            // The delivery log of an endpoint, filtered by status.
            (
                "idx_webhook_deliveries_endpoint_status",
                &["endpoint_id", "status", "id"][..],
                false,
            ),
            // The senders' claim: due rows.
            (
                "idx_webhook_deliveries_due",
                &["status", "next_attempt_at"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(WebhookDeliveries::Table, name, cols, unique))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(id(WebhookAttempts::Id))
                    .col(fk(WebhookAttempts::DeliveryId))
                    .col(ts(WebhookAttempts::AttemptedAt))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(big_integer(WebhookAttempts::LatencyMs))
                    .col(boolean(WebhookAttempts::Succeeded))
                    .col(string_len_null(WebhookAttempts::Error, 200))
                    .col(text_null(WebhookAttempts::ResponseExcerpt))
                    .foreign_key(&mut foreign(
                        WebhookAttempts::Table,
                        WebhookAttempts::DeliveryId,
                        WebhookDeliveries::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                WebhookAttempts::Table,
                "idx_webhook_attempts_delivery",
                &["delivery_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDispatch::Table)
                    .col(string_len(WebhookDispatch::Name, 64).primary_key())
                    .col(big_integer(WebhookDispatch::EventCursor).default(0))
                    .col(ts(WebhookDispatch::UpdatedAt))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDispatch::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookAttempts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned())
            .await?;
        Ok(())
    }
}
