//! The module's tables. Migrations never import entities: names are spelled out here.

use hamkor_api::module::kit::migration::OnDelete::{Cascade, Restrict};
use hamkor_api::module::kit::migration::{
    a, big, big_null, enum_col, enum_col_null, id, named_index, table, text, text_null, ts, ts_null,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m20261127_100001_psych_support_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            table(
                "psych_practitioners",
                vec![
                    id(),
                    big("user_id"),
                    big("organisation_id"),
                    schema::boolean(a("active")),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("user_id", "users", Cascade),
                    ("organisation_id", "organisations", Restrict),
                ],
            ),
            table(
                "psych_practitioner_tags",
                vec![
                    id(),
                    big("practitioner_id"),
                    big("organisation_id"),
                    enum_col("tag_kind"),
                    schema::string_len(a("code"), 32),
                ],
                &[("practitioner_id", "psych_practitioners", Cascade)],
            ),
            table(
                "psych_supports",
                vec![
                    id(),
                    big("referral_id"),
                    big("case_id"),
                    big("person_id"),
                    big("organisation_id"),
                    big_null("practitioner_id"),
                    text_null("shared_summary"),
                    ts_null("shared_summary_at"),
                    ts_null("urgent_flag_at"),
                    schema::boolean(a("plan_review_suggested")),
                    text_null("closing_summary"),
                    ts_null("closed_at"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("referral_id", "referrals", Cascade),
                    ("case_id", "cases", Cascade),
                    ("person_id", "persons", Cascade),
                    ("organisation_id", "organisations", Restrict),
                    ("practitioner_id", "psych_practitioners", Restrict),
                ],
            ),
            table(
                "psych_plan_items",
                vec![
                    id(),
                    big("support_id"),
                    enum_col("kind"),
                    schema::integer(a("sessions")),
                ],
                &[("support_id", "psych_supports", Cascade)],
            ),
            table(
                "psych_plan_goals",
                vec![
                    id(),
                    big("support_id"),
                    text("description"),
                    enum_col_null("outcome"),
                    text_null("outcome_note"),
                ],
                &[("support_id", "psych_supports", Cascade)],
            ),
            table(
                "psych_sessions",
                vec![
                    id(),
                    big("organisation_id"),
                    big("practitioner_id"),
                    enum_col("format"),
                    enum_col("kind"),
                    enum_col("mode"),
                    schema::string_len_null(a("place"), 200),
                    ts("starts_at"),
                    schema::integer(a("duration_minutes")),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("organisation_id", "organisations", Restrict),
                    ("practitioner_id", "psych_practitioners", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ),
            table(
                "psych_session_participants",
                vec![
                    id(),
                    big("session_id"),
                    big("support_id"),
                    big("referral_id"),
                    big("case_id"),
                    enum_col_null("attendance"),
                    text_null("attendance_reason"),
                    ts_null("attendance_recorded_at"),
                    big_null("attendance_recorded_by"),
                ],
                &[
                    ("session_id", "psych_sessions", Cascade),
                    ("support_id", "psych_supports", Cascade),
                    ("attendance_recorded_by", "users", Restrict),
                ],
            ),
            table(
                "psych_session_reschedules",
                vec![
                    id(),
                    big("session_id"),
                    ts("from_starts_at"),
                    ts("to_starts_at"),
                    text("reason"),
                    big("rescheduled_by"),
                    ts("at"),
                ],
                &[
                    ("session_id", "psych_sessions", Cascade),
                    ("rescheduled_by", "users", Restrict),
                ],
            ),
            table(
                "psych_notes",
                vec![
                    id(),
                    big("support_id"),
                    big_null("session_id"),
                    big("case_id"),
                    big("organisation_id"),
                    big("author_user_id"),
                    text("body"),
                    ts("created_at"),
                ],
                &[
                    ("support_id", "psych_supports", Cascade),
                    ("session_id", "psych_sessions", Restrict),
                    ("author_user_id", "users", Restrict),
                ],
            ),
            table(
                "psych_screenings",
                vec![
                    id(),
                    big("support_id"),
                    big("person_id"),
                    big("case_id"),
                    big("organisation_id"),
                    enum_col("instrument"),
                    schema::json_binary(a("items")),
                    schema::integer(a("total")),
                    enum_col("band"),
                    schema::boolean(a("safety_flag")),
                    schema::boolean(a("plan_review_suggested")),
                    ts("administered_at"),
                    big("recorded_by"),
                    ts("created_at"),
                ],
                &[
                    ("support_id", "psych_supports", Cascade),
                    ("person_id", "persons", Cascade),
                    ("recorded_by", "users", Restrict),
                ],
            ),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        let indexes: [(&str, &str, &[&str], bool); 17] = [
            (
                "psych_practitioners",
                "idx_psych_practitioners_user",
                &["user_id"],
                true,
            ),
            (
                "psych_practitioners",
                "idx_psych_practitioners_org",
                &["organisation_id", "id"],
                false,
            ),
            (
                "psych_practitioner_tags",
                "idx_psych_practitioner_tags_unique",
                &["practitioner_id", "tag_kind", "code"],
                true,
            ),
            (
                "psych_practitioner_tags",
                "idx_psych_practitioner_tags_filter",
                &["organisation_id", "tag_kind", "code", "practitioner_id"],
                false,
            ),
            (
                "psych_supports",
                "idx_psych_supports_referral",
                &["referral_id"],
                true,
            ),
            (
                "psych_supports",
                "idx_psych_supports_org",
                &["organisation_id", "id"],
                false,
            ),
            (
                "psych_supports",
                "idx_psych_supports_case",
                &["case_id", "id"],
                false,
            ),
            (
                "psych_supports",
                "idx_psych_supports_practitioner",
                &["practitioner_id", "id"],
                false,
            ),
            (
                "psych_plan_items",
                "idx_psych_plan_items_support",
                &["support_id", "kind"],
                true,
            ),
            (
                "psych_plan_goals",
                "idx_psych_plan_goals_support",
                &["support_id", "id"],
                false,
            ),
            (
                "psych_sessions",
                "idx_psych_sessions_org",
                &["organisation_id", "starts_at", "id"],
                false,
            ),
            (
                "psych_sessions",
                "idx_psych_sessions_practitioner",
                &["practitioner_id", "starts_at", "id"],
                false,
            ),
            (
                "psych_session_participants",
                "idx_psych_participants_session",
                &["session_id", "support_id"],
                true,
            ),
            (
                "psych_session_participants",
                "idx_psych_participants_support",
                &["support_id", "session_id"],
                false,
            ),
            (
                "psych_session_participants",
                "idx_psych_participants_referral",
                &["referral_id", "session_id"],
                false,
            ),
            (
                "psych_session_participants",
                "idx_psych_participants_case",
                &["case_id", "session_id"],
                false,
            ),
            (
                "psych_notes",
                "idx_psych_notes_support",
                &["support_id", "id"],
                false,
            ),
        ];
        for (t, name, cols, unique) in indexes {
            manager.create_index(named_index(t, name, cols, unique)).await?;
        }
        for (t, name, cols) in [
            (
                "psych_supports",
                "idx_psych_supports_open",
                &["organisation_id", "closed_at", "id"][..],
            ),
            (
                "psych_practitioners",
                "idx_psych_practitioners_active",
                &["active", "organisation_id"][..],
            ),
            (
                "psych_session_reschedules",
                "idx_psych_reschedules_session",
                &["session_id", "id"][..],
            ),
            (
                "psych_screenings",
                "idx_psych_screenings_person",
                &["organisation_id", "person_id", "instrument", "id"][..],
            ),
            (
                "psych_screenings",
                "idx_psych_screenings_support",
                &["support_id", "id"][..],
            ),
        ] {
            manager.create_index(named_index(t, name, cols, false)).await?;
        }
        Ok(())
    }
}

/// Screenings by case and time: the learned risk model reads the last one before an
/// assessment for every case it scores.
pub struct IndexScreeningsByCase;

impl MigrationName for IndexScreeningsByCase {
    fn name(&self) -> &str {
        "m20261208_000101_psych_screenings_by_case"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IndexScreeningsByCase {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(named_index(
                "psych_screenings",
                "idx_psych_screenings_case",
                &["case_id", "administered_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_psych_screenings_case")
                    .table(a("psych_screenings"))
                    .to_owned(),
            )
            .await
    }
}
