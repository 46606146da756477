//! The education module's tables. Migrations use `sea-query` only (no entity code), so
//! they keep meaning the same thing when the entities change.

use hamkor_api::module::kit::migration::OnDelete::Restrict;
use hamkor_api::module::kit::migration::{
    a, big, big_null, enum_col, enum_col_null, id, index, indexes, table, text_null, ts, ts_null,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateEducationTables;

impl MigrationName for CreateEducationTables {
    fn name(&self) -> &str {
        "m20261127_000001_education_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateEducationTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "education_programmes";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("organisation_id"),
                    schema::string_len(a("title"), 200),
                    enum_col("kind"),
                    schema::string_len(a("subject"), 200),
                    schema::string_len(a("language"), 8),
                    text_null("description"),
                    schema::boolean(a("remote")),
                    big_null("region_id"),
                    big_null("district_id"),
                    big_null("mahalla_id"),
                    schema::string_len_null(a("address"), 200),
                    schema::integer(a("days")),
                    schema::integer_null(a("start_minute")),
                    schema::integer_null(a("end_minute")),
                    schema::integer(a("duration_weeks")),
                    schema::integer_null(a("min_age")),
                    schema::integer_null(a("max_age")),
                    enum_col_null("min_education"),
                    big("cost_uzs"),
                    schema::string_len_null(a("certificate"), 200),
                    schema::boolean(a("active")),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("organisation_id", "organisations", Restrict),
                    ("region_id", "regions", Restrict),
                    ("district_id", "districts", Restrict),
                    ("mahalla_id", "mahallas", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(
            manager,
            t,
            &[
                &["organisation_id"],
                &["kind"],
                &["language"],
                &["region_id"],
                &["district_id"],
                &["mahalla_id"],
            ],
        )
        .await?;

        let t = "education_intakes";
        manager
            .create_table({
                let mut intakes = table(
                    t,
                    vec![
                        id(),
                        big("programme_id"),
                        schema::date(a("starts_on")),
                        schema::date_null(a("ends_on")),
                        schema::integer(a("seats")),
                        schema::integer(a("seats_taken")),
                        ts("created_at"),
                        ts("updated_at"),
                    ],
                    &[("programme_id", "education_programmes", Restrict)],
                );
                intakes.check(Expr::col(a("seats_taken")).between(0, Expr::col(a("seats"))));
                intakes
            })
            .await?;
        indexes(
            manager,
            t,
            &[&["programme_id", "starts_on"], &["starts_on", "id"]],
        )
        .await?;

        let t = "education_enrolments";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("referral_id"),
                    big("case_id"),
                    big("programme_id"),
                    big("intake_id"),
                    big("organisation_id"),
                    enum_col("status"),
                    enum_col_null("reason"),
                    text_null("note"),
                    enum_col_null("prior_education"),
                    schema::integer(a("consecutive_absences")),
                    schema::boolean(a("absence_alert_open")),
                    enum_col_null("result"),
                    schema::string_len_null(a("certificate_number"), 64),
                    schema::date_null(a("certificate_date")),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                    ts_null("closed_at"),
                ],
                &[
                    ("referral_id", "referrals", Restrict),
                    ("case_id", "cases", Restrict),
                    ("programme_id", "education_programmes", Restrict),
                    ("intake_id", "education_intakes", Restrict),
                    ("organisation_id", "organisations", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(
            manager,
            t,
            &[
                &["referral_id"],
                &["case_id"],
                &["intake_id", "status"],
                &["organisation_id", "status"],
            ],
        )
        .await?;

        let t = "education_enrolment_transitions";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    enum_col_null("from_status"),
                    enum_col("to_status"),
                    enum_col_null("reason"),
                    text_null("note"),
                    big("actor_user_id"),
                    ts("at"),
                ],
                &[
                    ("enrolment_id", "education_enrolments", Restrict),
                    ("actor_user_id", "users", Restrict),
                ],
            ))
            .await?;
        indexes(manager, t, &[&["enrolment_id"]]).await?;

        let t = "education_attendance";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    schema::date(a("on_date")),
                    enum_col("period"),
                    enum_col("status"),
                    text_null("note"),
                    big("recorded_by"),
                    ts("recorded_at"),
                ],
                &[
                    ("enrolment_id", "education_enrolments", Restrict),
                    ("recorded_by", "users", Restrict),
                ],
            ))
            .await?;
        manager
            .create_index(index(t, &["enrolment_id", "on_date", "period"], true))
            .await?;
        Ok(())
    }
}

/// A version on each attendance entry (offline field sync and `expectedVersion`): every
/// correction increments it. Existing entries start at 1, as a new one does.
pub struct AddAttendanceVersion;

impl MigrationName for AddAttendanceVersion {
    fn name(&self) -> &str {
        "m20261207_000401_education_attendance_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddAttendanceVersion {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(a("education_attendance"))
                    .add_column(ColumnDef::new(a("version")).integer().not_null().default(1))
                    .take(),
            )
            .await
    }
}
