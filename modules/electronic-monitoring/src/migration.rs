//! The module's tables. Migrations never import entities: names are spelled out here.
//!
//! Positions are removed in bulk after the retention period by a sweep: on PostgreSQL
//! whole day partitions are dropped (`PartitionPositions`), on SQLite a `DELETE` by fix
//! time (the `fix_at` index keeps it a range scan).

use hamkor_api::module::kit::migration::OnDelete::{Cascade, Restrict};
use hamkor_api::module::kit::migration::{
    a, big, big_null, enum_col, enum_col_null, id, index, indexes, table, text, text_null, ts, ts_null,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m20261207_000202_electronic_monitoring_create_tables"
    }
}

fn event_id() -> ColumnDef {
    schema::string_len(a("vendor_event_id"), 128)
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            table(
                "em_vendors",
                vec![
                    id(),
                    schema::string_len(a("name"), 200),
                    schema::string_len(a("topic_prefix"), 64),
                    text("signing_secret"),
                    schema::boolean(a("active")),
                    big("created_by"),
                    ts("created_at"),
                ],
                &[],
            ),
            table(
                "em_devices",
                vec![
                    id(),
                    big("vendor_id"),
                    big("organisation_id"),
                    schema::string_len(a("serial"), 64),
                    enum_col("kind"),
                    big("created_by"),
                    ts("created_at"),
                ],
                &[
                    ("vendor_id", "em_vendors", Restrict),
                    ("organisation_id", "organisations", Restrict),
                ],
            ),
            table(
                "em_activations",
                vec![
                    id(),
                    big("device_id"),
                    big("case_id"),
                    big("organisation_id"),
                    enum_col("device_kind"),
                    ts("fitted_at"),
                    big("fitted_by"),
                    ts_null("removed_at"),
                    big_null("removed_by"),
                    text_null("removal_reason"),
                    ts("created_at"),
                ],
                &[
                    ("device_id", "em_devices", Restrict),
                    ("case_id", "cases", Restrict),
                ],
            ),
            table(
                "em_positions",
                vec![
                    id(),
                    big("activation_id"),
                    big("vendor_id"),
                    event_id(),
                    ts("fix_at"),
                    schema::double(a("lat")),
                    schema::double(a("lon")),
                    schema::double(a("accuracy_m")),
                    schema::double_null(a("speed_mps")),
                    schema::double_null(a("heading_deg")),
                    ts("received_at"),
                ],
                &[("activation_id", "em_activations", Cascade)],
            ),
            table(
                "em_device_events",
                vec![
                    id(),
                    big("activation_id"),
                    big("vendor_id"),
                    event_id(),
                    schema::string_len(a("kind"), 32),
                    ts("at"),
                    schema::json_binary(a("detail")),
                    ts("received_at"),
                ],
                &[("activation_id", "em_activations", Cascade)],
            ),
            table(
                "em_quarantine",
                vec![
                    id(),
                    big("vendor_id"),
                    event_id(),
                    schema::string_len(a("serial"), 64),
                    enum_col("reason"),
                    ts("event_at"),
                    schema::json_binary(a("payload")),
                    ts("received_at"),
                ],
                &[("vendor_id", "em_vendors", Cascade)],
            ),
            table(
                "em_dead_letters",
                vec![
                    id(),
                    big_null("vendor_id"),
                    enum_col("source"),
                    text("error"),
                    schema::blob(a("raw")),
                    big("raw_len"),
                    ts("received_at"),
                ],
                &[],
            ),
            table(
                "em_incidents",
                vec![
                    id(),
                    big("activation_id"),
                    big("case_id"),
                    big("organisation_id"),
                    enum_col("kind"),
                    enum_col("severity"),
                    enum_col("status"),
                    ts("first_at"),
                    ts("last_at"),
                    big_null("first_fix_id"),
                    big_null("last_fix_id"),
                    enum_col_null("outcome"),
                    text_null("note"),
                    big_null("violation_id"),
                    big_null("acknowledged_by"),
                    ts_null("acknowledged_at"),
                    big_null("closed_by"),
                    ts_null("closed_at"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("activation_id", "em_activations", Restrict),
                    ("case_id", "cases", Restrict),
                    ("violation_id", "violations", Restrict),
                ],
            ),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        for (t, cols) in [
            ("em_vendors", &["topic_prefix"][..]),
            ("em_devices", &["vendor_id", "serial"][..]),
            ("em_positions", &["vendor_id", "vendor_event_id"][..]),
            ("em_device_events", &["vendor_id", "vendor_event_id"][..]),
            ("em_quarantine", &["vendor_id", "vendor_event_id"][..]),
        ] {
            manager.create_index(index(t, cols, true)).await?;
        }
        indexes(manager, "em_devices", &[&["organisation_id"]]).await?;
        indexes(
            manager,
            "em_activations",
            &[
                &["device_id", "removed_at"],
                &["case_id", "device_kind", "removed_at"],
            ],
        )
        .await?;
        indexes(
            manager,
            "em_positions",
            &[&["activation_id", "fix_at"], &["fix_at"]],
        )
        .await?;
        indexes(manager, "em_device_events", &[&["activation_id", "kind", "at"]]).await?;
        indexes(manager, "em_quarantine", &[&["received_at"]]).await?;
        indexes(manager, "em_dead_letters", &[&["received_at"]]).await?;
        indexes(
            manager,
            "em_incidents",
            &[
                &["case_id", "status"],
                &["activation_id", "kind", "first_at"],
                &["organisation_id", "status"],
            ],
        )
        .await?;
        Ok(())
    }
}

/// Silence: when each activation's device was last heard, and the SIGNAL_LOSS incident
/// of the current gap ([`crate::service::silence`]).
pub struct AddSilence;

impl MigrationName for AddSilence {
    fn name(&self) -> &str {
        "m20261207_000203_electronic_monitoring_silence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddSilence {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [ts_null("last_heard_at"), big_null("silence_incident_id")] {
            let mut col = col;
            manager
                .alter_table(
                    Table::alter()
                        .table(a("em_activations"))
                        .add_column(&mut col)
                        .take(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE em_activations SET last_heard_at = \
                 (SELECT MAX(p.received_at) FROM em_positions p WHERE p.activation_id = em_activations.id)",
            )
            .await?;
        indexes(
            manager,
            "em_activations",
            &[&["organisation_id", "removed_at", "last_heard_at"]],
        )
        .await
    }
}

/// Positions by day: on PostgreSQL `em_positions` becomes a table partitioned by range
/// of `fix_at`, one partition a day ([`crate::service::partitions`]), so retention drops
/// whole days. A partitioned table's unique keys must hold the partition key, so the
/// vendor-event key becomes (vendor, event id, fix time) on both databases: a replay
/// carries the fix's own time.
pub struct PartitionPositions;

impl MigrationName for PartitionPositions {
    fn name(&self) -> &str {
        "m20261207_000204_electronic_monitoring_partition_positions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PartitionPositions {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            let today = chrono::Utc::now().date_naive();
            return crate::service::partitions::partition_positions(db, today).await;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_em_positions_vendor_id_vendor_event_id")
                    .table(a("em_positions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "em_positions",
                &["vendor_id", "vendor_event_id", "fix_at"],
                true,
            ))
            .await
    }
}
