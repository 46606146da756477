//! Offline field sync: registered devices, what each device was last sent (so a pull
//! sends only what changed and tombstones what left the caller's sight), the changes
//! pushed (a replayed change id is answered from here) and the conflicts a person
//! settles.

use crate::helpers::{enum_str, enum_str_null, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, boolean, json, json_null, string_len, string_len_null};

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
enum SyncDevices {
    Table,
    Id,
    UserId,
    OrganisationId,
    DeviceKey,
    Model,
    AppVersion,
    RegisteredAt,
    LastSeenAt,
    RevokedAt,
    RevokedBy,
    PullSeq,
    AckedSeq,
}

#[derive(DeriveIden)]
enum SyncShadow {
    Table,
    DeviceId,
    Kind,
    RecordId,
    Version,
    SentSeq,
    Gone,
}

#[derive(DeriveIden)]
enum SyncChanges {
    Table,
    Id,
    DeviceId,
    ClientChangeId,
    Kind,
    ClientId,
    RecordId,
    Status,
    Result,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SyncConflicts {
    Table,
    Id,
    DeviceId,
    UserId,
    CaseId,
    ChangeId,
    Kind,
    RecordId,
    Field,
    BaseValue,
    PhoneValue,
    ServerValue,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
    Resolution,
    ResolvedValue,
}

async fn devices(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(SyncDevices::Table)
                .col(id(SyncDevices::Id))
                .col(fk(SyncDevices::UserId))
                .col(fk(SyncDevices::OrganisationId))
                .col(string_len(SyncDevices::DeviceKey, 128))
                .col(string_len(SyncDevices::Model, 128))
                .col(string_len(SyncDevices::AppVersion, 32))
                .col(ts(SyncDevices::RegisteredAt))
                .col(ts_null(SyncDevices::LastSeenAt))
                .col(ts_null(SyncDevices::RevokedAt))
                .col(fk_null(SyncDevices::RevokedBy))
                .col(big_integer(SyncDevices::PullSeq))
                .col(big_integer(SyncDevices::AckedSeq))
                .foreign_key(&mut foreign(
                    SyncDevices::Table,
                    SyncDevices::UserId,
                    Users::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    SyncDevices::Table,
                    SyncDevices::OrganisationId,
                    Organisations::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            SyncDevices::Table,
            "idx_sync_devices_user_key",
            &["user_id", "device_key"],
            true,
        ))
        .await?;
    manager
        .create_index(index(
            SyncDevices::Table,
            "idx_sync_devices_organisation",
            &["organisation_id", "id"],
            false,
        ))
        .await
}

async fn shadow(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(SyncShadow::Table)
                .col(fk(SyncShadow::DeviceId))
                .col(enum_str(SyncShadow::Kind))
                .col(big_integer(SyncShadow::RecordId))
                .col(big_integer(SyncShadow::Version))
                .col(big_integer(SyncShadow::SentSeq))
                .col(boolean(SyncShadow::Gone))
                .primary_key(
                    Index::create()
                        .col(SyncShadow::DeviceId)
                        .col(SyncShadow::Kind)
                        .col(SyncShadow::RecordId),
                )
                .foreign_key(&mut foreign(
                    SyncShadow::Table,
                    SyncShadow::DeviceId,
                    SyncDevices::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await
}

async fn changes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(SyncChanges::Table)
                .col(id(SyncChanges::Id))
                .col(fk(SyncChanges::DeviceId))
                .col(string_len(SyncChanges::ClientChangeId, 64))
                .col(enum_str(SyncChanges::Kind))
                .col(string_len_null(SyncChanges::ClientId, 64))
                .col(fk_null(SyncChanges::RecordId))
                .col(enum_str(SyncChanges::Status))
                .col(json(SyncChanges::Result))
                .col(ts(SyncChanges::CreatedAt))
                .foreign_key(&mut foreign(
                    SyncChanges::Table,
                    SyncChanges::DeviceId,
                    SyncDevices::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            SyncChanges::Table,
            "idx_sync_changes_device_change",
            &["device_id", "client_change_id"],
            true,
        ))
        .await?;
    manager
        .create_index(index(
            SyncChanges::Table,
            "idx_sync_changes_device_client_id",
            &["device_id", "client_id"],
            false,
        ))
        .await
}

async fn conflicts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(SyncConflicts::Table)
                .col(id(SyncConflicts::Id))
                .col(fk(SyncConflicts::DeviceId))
                .col(fk(SyncConflicts::UserId))
                .col(fk(SyncConflicts::CaseId))
                .col(fk(SyncConflicts::ChangeId))
                .col(enum_str(SyncConflicts::Kind))
                .col(big_integer(SyncConflicts::RecordId))
                .col(string_len(SyncConflicts::Field, 64))
                .col(json_null(SyncConflicts::BaseValue))
                .col(json_null(SyncConflicts::PhoneValue))
                .col(json_null(SyncConflicts::ServerValue))
                .col(ts(SyncConflicts::CreatedAt))
                .col(ts_null(SyncConflicts::ResolvedAt))
                .col(fk_null(SyncConflicts::ResolvedBy))
                .col(enum_str_null(SyncConflicts::Resolution))
                .col(json_null(SyncConflicts::ResolvedValue))
                .foreign_key(&mut foreign(
                    SyncConflicts::Table,
                    SyncConflicts::DeviceId,
                    SyncDevices::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    SyncConflicts::Table,
                    SyncConflicts::ChangeId,
                    SyncChanges::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
    for (name, cols) in [
        (
            "idx_sync_conflicts_user_open",
            &["user_id", "resolved_at", "id"][..],
        ),
        (
            "idx_sync_conflicts_case_open",
            &["case_id", "resolved_at", "id"][..],
        ),
        ("idx_sync_conflicts_record", &["kind", "record_id"][..]),
    ] {
        manager
            .create_index(index(SyncConflicts::Table, name, cols, false))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        devices(manager).await?;
        shadow(manager).await?;
        changes(manager).await?;
        conflicts(manager).await
    }
}
