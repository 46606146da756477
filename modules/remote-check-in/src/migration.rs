//! The remote check-in module's tables. Migrations use `sea-query` only (no entity code).

use hamkor_api::module::kit::migration::OnDelete::{Cascade, Restrict};
use hamkor_api::module::kit::migration::{
    a, big, big_null, enum_col, enum_col_null, id, index, indexes, table, text, text_null, ts, ts_null,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateRemoteCheckInTables;

impl MigrationName for CreateRemoteCheckInTables {
    fn name(&self) -> &str {
        "m20261207_000201_remote_check_in_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateRemoteCheckInTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "rci_enrolments";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("organisation_id"),
                    big("case_id"),
                    big("person_id"),
                    big("user_id"),
                    schema::string_len(a("phone"), 20),
                    enum_col("language"),
                    schema::integer_null(a("every_days")),
                    schema::integer_null(a("weekday")),
                    schema::integer(a("window_hours")),
                    ts("first_due_at"),
                    schema::string_len(a("shared_goal_ids"), 400),
                    enum_col("status"),
                    big("enrolled_by"),
                    ts("created_at"),
                    ts_null("revoked_at"),
                ],
                &[
                    ("organisation_id", "organisations", Restrict),
                    ("case_id", "cases", Restrict),
                    ("person_id", "persons", Restrict),
                    ("user_id", "users", Restrict),
                    ("enrolled_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(
            manager,
            t,
            &[&["case_id", "status"], &["organisation_id", "status"]],
        )
        .await?;
        manager.create_index(index(t, &["user_id"], true)).await?;

        let t = "rci_activation_codes";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    schema::string_len(a("code_hash"), 64),
                    ts("expires_at"),
                    ts_null("used_at"),
                    schema::integer(a("failed_attempts")),
                    ts("created_at"),
                ],
                &[("enrolment_id", "rci_enrolments", Cascade)],
            ))
            .await?;
        indexes(manager, t, &[&["enrolment_id", "created_at"]]).await?;

        let t = "rci_devices";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    big("session_id"),
                    schema::string_len(a("device_id"), 100),
                    ts("created_at"),
                    ts_null("revoked_at"),
                ],
                &[
                    ("enrolment_id", "rci_enrolments", Cascade),
                    ("session_id", "sessions", Restrict),
                ],
            ))
            .await?;
        indexes(manager, t, &[&["enrolment_id"], &["session_id"]]).await?;

        let t = "rci_check_ins";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    big("organisation_id"),
                    big("case_id"),
                    ts("opens_at"),
                    ts("closes_at"),
                    enum_col("status"),
                    schema::string_len_null(a("submission_id"), 64),
                    ts_null("submitted_at"),
                    schema::json_null(a("answers")),
                    enum_col_null("wellbeing"),
                    schema::string_len(a("support_needs"), 200),
                    schema::boolean(a("callback_requested")),
                    ts_null("callback_done_at"),
                    schema::double_null(a("latitude")),
                    schema::double_null(a("longitude")),
                    schema::boolean_null(a("location_inside")),
                    schema::string_len_null(a("photo_key"), 200),
                    schema::string_len_null(a("photo_content_type"), 32),
                    schema::big_integer_null(a("photo_bytes")),
                    ts_null("photo_removed_at"),
                    schema::string_len_null(a("photo_removed_reason"), 200),
                    schema::integer(a("urgency")),
                    enum_col_null("identity"),
                    text_null("review_note"),
                    big_null("reviewed_by"),
                    ts_null("reviewed_at"),
                    ts_null("opening_reminded_at"),
                    ts_null("closing_reminded_at"),
                    ts("created_at"),
                ],
                &[
                    ("enrolment_id", "rci_enrolments", Restrict),
                    ("organisation_id", "organisations", Restrict),
                    ("case_id", "cases", Restrict),
                    ("reviewed_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(
            manager,
            t,
            &[
                &["enrolment_id", "opens_at"],
                &["status", "closes_at"],
                &["organisation_id", "status", "urgency"],
                &["case_id", "status", "opens_at"],
                &["photo_key", "reviewed_at"],
            ],
        )
        .await?;
        manager
            .create_index(index(t, &["enrolment_id", "submission_id"], true))
            .await?;

        let t = "rci_messages";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    schema::string_len(a("phone"), 20),
                    enum_col("language"),
                    enum_col("purpose"),
                    text("body"),
                    schema::string_len(a("adapter"), 32),
                    enum_col("status"),
                    schema::integer(a("attempts")),
                    text_null("last_error"),
                    ts("created_at"),
                    ts_null("sent_at"),
                ],
                &[("enrolment_id", "rci_enrolments", Cascade)],
            ))
            .await?;
        indexes(manager, t, &[&["enrolment_id", "created_at"], &["status", "id"]]).await?;
        Ok(())
    }
}

/// `rci_photo_uploads`: one row per uploaded photo, so that a photo uploaded but never
/// named by a submitted check-in (an orphan) can be found and removed by the sweep.
pub struct CreatePhotoUploads;

impl MigrationName for CreatePhotoUploads {
    fn name(&self) -> &str {
        "m20261207_000202_remote_check_in_photo_uploads"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePhotoUploads {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "rci_photo_uploads";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    schema::string_len(a("object_key"), 200),
                    schema::big_integer(a("bytes")),
                    ts("uploaded_at"),
                    big_null("check_in_id"),
                ],
                &[
                    ("enrolment_id", "rci_enrolments", Cascade),
                    ("check_in_id", "rci_check_ins", Restrict),
                ],
            ))
            .await?;
        manager.create_index(index(t, &["object_key"], true)).await?;
        // The orphan sweep: no check-in, oldest first.
        indexes(manager, t, &[&["check_in_id", "uploaded_at"]]).await?;
        Ok(())
    }
}

/// The module's alerts tell what the person reported through their own app: for the
/// lead probation officer alone, as the check-ins themselves (the core's alert audience
/// comes in `m20261208_000101_add_alert_audience`).
pub struct AlertsForTheLeadOfficer;

impl MigrationName for AlertsForTheLeadOfficer {
    fn name(&self) -> &str {
        "m20261208_000102_remote_check_in_alert_audience"
    }
}

/// The module's alert rules (`crate::alerts::rules`).
const RULES: [&str; 4] = [
    "check_in_struggling",
    "check_in_support_gap",
    "check_in_missed",
    "missed_check_ins",
];

#[async_trait::async_trait]
impl MigrationTrait for AlertsForTheLeadOfficer {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::update()
                    .table(a("alerts"))
                    .value(a("audience"), "FULL")
                    .and_where(Expr::col(a("rule")).is_in(RULES))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::update()
                    .table(a("alerts"))
                    .value(a("audience"), "SUPERVISE")
                    .and_where(Expr::col(a("rule")).is_in(RULES))
                    .to_owned(),
            )
            .await
    }
}
