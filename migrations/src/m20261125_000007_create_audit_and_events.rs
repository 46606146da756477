//! The append-only audit log and the transactional outbox of domain events.
//!
//! The audit log is protected by triggers: an UPDATE, DELETE (or TRUNCATE on PostgreSQL)
//! is refused by the database itself, whatever code runs against it.

use crate::helpers::{id, index, ts};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer_null, json_binary, json_binary_null, string_len, string_len_null,
};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorUserId,
    ActorOrganisationId,
    Client,
    RequestId,
    Action,
    TargetType,
    TargetId,
    CaseId,
    Detail,
}

#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Id,
    OccurredAt,
    EventType,
    AggregateType,
    AggregateId,
    CaseId,
    OrganisationId,
    ActorUserId,
    Payload,
}

const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events \
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events \
     BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
];

const POSTGRES_TRIGGERS: &[&str] = &[
    "CREATE FUNCTION hamkor_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
     FOR EACH ROW EXECUTE FUNCTION hamkor_refuse_audit_change()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events \
     FOR EACH STATEMENT EXECUTE FUNCTION hamkor_refuse_audit_change()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(id(AuditEvents::Id))
                    .col(ts(AuditEvents::At))
                    .col(big_integer_null(AuditEvents::ActorUserId))
                    .col(big_integer_null(AuditEvents::ActorOrganisationId))
                    .col(string_len_null(AuditEvents::Client, 64))
                    .col(string_len_null(AuditEvents::RequestId, 64))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len_null(AuditEvents::TargetType, 32))
                    .col(big_integer_null(AuditEvents::TargetId))
                    .col(big_integer_null(AuditEvents::CaseId))
                    .col(json_binary_null(AuditEvents::Detail))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_events_at", &["at"][..]),
            ("idx_audit_events_actor", &["actor_user_id", "id"][..]),
            (
                "idx_audit_events_organisation",
                &["actor_organisation_id", "id"][..],
            ),
            ("idx_audit_events_case", &["case_id", "id"][..]),
            ("idx_audit_events_action", &["action", "id"][..]),
        ] {
            manager
                .create_index(index(AuditEvents::Table, name, cols, false))
                .await?;
        }

        let triggers = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_TRIGGERS,
            DatabaseBackend::Sqlite => SQLITE_TRIGGERS,
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        };
        let conn = manager.get_connection();
        for sql in triggers {
            conn.execute_unprepared(sql).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(DomainEvents::Table)
                    .col(id(DomainEvents::Id))
                    .col(ts(DomainEvents::OccurredAt))
                    .col(string_len(DomainEvents::EventType, 64))
                    .col(string_len(DomainEvents::AggregateType, 32))
                    .col(sea_orm_migration::schema::big_integer(DomainEvents::AggregateId))
                    .col(big_integer_null(DomainEvents::CaseId))
                    .col(big_integer_null(DomainEvents::OrganisationId))
                    .col(big_integer_null(DomainEvents::ActorUserId))
                    .col(json_binary(DomainEvents::Payload))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_domain_events_case", &["case_id", "id"][..]),
            ("idx_domain_events_organisation", &["organisation_id", "id"][..]),
            ("idx_domain_events_type", &["event_type", "id"][..]),
        ] {
            manager
                .create_index(index(DomainEvents::Table, name, cols, false))
                .await?;
        }
        Ok(())
    }
}
