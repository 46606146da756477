//! The module's tables. Migrations never import entities: names are spelled out here.
//!
//! Positions are removed in bulk after the retention period by a sweep (a `DELETE` by
//! fix time, on both databases; the `fix_at` index keeps it a range scan).

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
