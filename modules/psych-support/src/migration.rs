//! The module's tables. Migrations never import entities: names are spelled out here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m20261127_100001_psych_support_create_tables"
    }
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

fn id() -> ColumnDef {
    schema::big_pk_auto(a("id"))
}
fn fk(name: &str) -> ColumnDef {
    schema::big_integer(a(name))
}
fn fk_null(name: &str) -> ColumnDef {
    schema::big_integer_null(a(name))
}
fn enum_str(name: &str) -> ColumnDef {
    schema::string_len(a(name), 32)
}
fn enum_str_null(name: &str) -> ColumnDef {
    schema::string_len_null(a(name), 32)
}
fn ts(name: &str) -> ColumnDef {
    schema::timestamp_with_time_zone(a(name))
}
fn ts_null(name: &str) -> ColumnDef {
    schema::timestamp_with_time_zone_null(a(name))
}
fn text(name: &str) -> ColumnDef {
    schema::text(a(name))
}
fn text_null(name: &str) -> ColumnDef {
    schema::text_null(a(name))
}

/// A table: its columns, and foreign keys `(column, referenced table, cascade?)` declared
/// with it (SQLite cannot add one later).
fn table(name: &str, cols: Vec<ColumnDef>, fks: &[(&str, &str, bool)]) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(a(name));
    for mut c in cols {
        t.col(&mut c);
    }
    for (col, to, cascade) in fks {
        t.foreign_key(
            ForeignKey::create()
                .from(a(name), a(col))
                .to(a(to), a("id"))
                .on_delete(if *cascade {
                    ForeignKeyAction::Cascade
                } else {
                    ForeignKeyAction::Restrict
                })
                .on_update(ForeignKeyAction::NoAction),
        );
    }
    t.take()
}

fn index(table: &str, name: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(a(table));
    for c in cols {
        idx.col(a(c));
    }
    if unique {
        idx.unique();
    }
    idx.take()
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
                    fk("user_id"),
                    fk("organisation_id"),
                    schema::boolean(a("active")),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("user_id", "users", true),
                    ("organisation_id", "organisations", false),
                ],
            ),
            table(
                "psych_practitioner_tags",
                vec![
                    id(),
                    fk("practitioner_id"),
                    fk("organisation_id"),
                    enum_str("tag_kind"),
                    schema::string_len(a("code"), 32),
                ],
                &[("practitioner_id", "psych_practitioners", true)],
            ),
            table(
                "psych_supports",
                vec![
                    id(),
                    fk("referral_id"),
                    fk("case_id"),
                    fk("person_id"),
                    fk("organisation_id"),
                    fk_null("practitioner_id"),
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
                    ("referral_id", "referrals", true),
                    ("case_id", "cases", true),
                    ("person_id", "persons", true),
                    ("organisation_id", "organisations", false),
                    ("practitioner_id", "psych_practitioners", false),
                ],
            ),
            table(
                "psych_plan_items",
                vec![
                    id(),
                    fk("support_id"),
                    enum_str("kind"),
                    schema::integer(a("sessions")),
                ],
                &[("support_id", "psych_supports", true)],
            ),
            table(
                "psych_plan_goals",
                vec![
                    id(),
                    fk("support_id"),
                    text("description"),
                    enum_str_null("outcome"),
                    text_null("outcome_note"),
                ],
                &[("support_id", "psych_supports", true)],
            ),
            table(
                "psych_sessions",
                vec![
                    id(),
                    fk("organisation_id"),
                    fk("practitioner_id"),
                    enum_str("format"),
                    enum_str("kind"),
                    enum_str("mode"),
                    schema::string_len_null(a("place"), 200),
                    ts("starts_at"),
                    schema::integer(a("duration_minutes")),
                    fk("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("organisation_id", "organisations", false),
                    ("practitioner_id", "psych_practitioners", false),
                    ("created_by", "users", false),
                ],
            ),
            table(
                "psych_session_participants",
                vec![
                    id(),
                    fk("session_id"),
                    fk("support_id"),
                    fk("referral_id"),
                    fk("case_id"),
                    enum_str_null("attendance"),
                    text_null("attendance_reason"),
                    ts_null("attendance_recorded_at"),
                    fk_null("attendance_recorded_by"),
                ],
                &[
                    ("session_id", "psych_sessions", true),
                    ("support_id", "psych_supports", true),
                    ("attendance_recorded_by", "users", false),
                ],
            ),
            table(
                "psych_session_reschedules",
                vec![
                    id(),
                    fk("session_id"),
                    ts("from_starts_at"),
                    ts("to_starts_at"),
                    text("reason"),
                    fk("rescheduled_by"),
                    ts("at"),
                ],
                &[
                    ("session_id", "psych_sessions", true),
                    ("rescheduled_by", "users", false),
                ],
            ),
            table(
                "psych_notes",
                vec![
                    id(),
                    fk("support_id"),
                    fk_null("session_id"),
                    fk("case_id"),
                    fk("organisation_id"),
                    fk("author_user_id"),
                    text("body"),
                    ts("created_at"),
                ],
                &[
                    ("support_id", "psych_supports", true),
                    ("session_id", "psych_sessions", false),
                    ("author_user_id", "users", false),
                ],
            ),
            table(
                "psych_screenings",
                vec![
                    id(),
                    fk("support_id"),
                    fk("person_id"),
                    fk("case_id"),
                    fk("organisation_id"),
                    enum_str("instrument"),
                    schema::json_binary(a("items")),
                    schema::integer(a("total")),
                    enum_str("band"),
                    schema::boolean(a("safety_flag")),
                    schema::boolean(a("plan_review_suggested")),
                    ts("administered_at"),
                    fk("recorded_by"),
                    ts("created_at"),
                ],
                &[
                    ("support_id", "psych_supports", true),
                    ("person_id", "persons", true),
                    ("recorded_by", "users", false),
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
            manager.create_index(index(t, name, cols, unique)).await?;
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
            manager.create_index(index(t, name, cols, false)).await?;
        }
        Ok(())
    }
}
