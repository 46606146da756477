//! The training module's tables. Migrations use `sea-query` only (no entity code), so
//! they keep meaning the same thing when the entities change.

use hamkor_api::module::kit::migration::OnDelete::Restrict;
use hamkor_api::module::kit::migration::{
    a, big, enum_col, enum_col_null, id, index, indexes, table, text_null, ts,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateTrainingTables;

impl MigrationName for CreateTrainingTables {
    fn name(&self) -> &str {
        "m20261207_000101_training_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTrainingTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "training_courses";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("organisation_id"),
                    schema::string_len(a("title"), 200),
                    enum_col("topic"),
                    schema::string_len(a("audience_roles"), 400),
                    schema::string_len(a("audience_seats"), 400),
                    enum_col("format"),
                    schema::integer(a("hours")),
                    schema::string_len(a("language"), 8),
                    schema::integer_null(a("validity_months")),
                    text_null("description"),
                    schema::boolean(a("active")),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("organisation_id", "organisations", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(manager, t, &[&["organisation_id"], &["topic"]]).await?;

        let t = "training_sessions";
        manager
            .create_table({
                let mut sessions = table(
                    t,
                    vec![
                        id(),
                        big("course_id"),
                        big("organisation_id"),
                        schema::date(a("starts_on")),
                        schema::date(a("ends_on")),
                        schema::string_len_null(a("place"), 200),
                        schema::string_len_null(a("link"), 400),
                        schema::string_len(a("trainer"), 200),
                        schema::integer(a("capacity")),
                        schema::integer(a("seats_taken")),
                        big("created_by"),
                        ts("created_at"),
                        ts("updated_at"),
                    ],
                    &[
                        ("course_id", "training_courses", Restrict),
                        ("organisation_id", "organisations", Restrict),
                        ("created_by", "users", Restrict),
                    ],
                );
                sessions.check(Expr::col(a("seats_taken")).between(0, Expr::col(a("capacity"))));
                sessions
            })
            .await?;
        indexes(
            manager,
            t,
            &[
                &["course_id", "starts_on"],
                &["organisation_id"],
                &["starts_on", "id"],
            ],
        )
        .await?;

        let t = "training_enrolments";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("session_id"),
                    big("course_id"),
                    big("organisation_id"),
                    big("user_id"),
                    big("learner_organisation_id"),
                    enum_col("status"),
                    schema::integer_null(a("score")),
                    big("enrolled_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("session_id", "training_sessions", Restrict),
                    ("course_id", "training_courses", Restrict),
                    ("organisation_id", "organisations", Restrict),
                    ("user_id", "users", Restrict),
                    ("learner_organisation_id", "organisations", Restrict),
                    ("enrolled_by", "users", Restrict),
                ],
            ))
            .await?;
        manager
            .create_index(index(t, &["session_id", "user_id"], true))
            .await?;
        indexes(
            manager,
            t,
            &[
                &["session_id", "status"],
                &["user_id"],
                &["learner_organisation_id"],
                &["organisation_id"],
            ],
        )
        .await?;

        let t = "training_attendance";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    schema::date(a("on_date")),
                    schema::boolean(a("present")),
                    big("recorded_by"),
                    ts("recorded_at"),
                ],
                &[
                    ("enrolment_id", "training_enrolments", Restrict),
                    ("recorded_by", "users", Restrict),
                ],
            ))
            .await?;
        manager
            .create_index(index(t, &["enrolment_id", "on_date"], true))
            .await?;

        let t = "training_certificates";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("enrolment_id"),
                    big("course_id"),
                    enum_col("topic"),
                    big("user_id"),
                    big("learner_organisation_id"),
                    schema::string_len(a("number"), 64),
                    schema::date(a("issued_on")),
                    schema::date_null(a("expires_on")),
                    ts("created_at"),
                ],
                &[
                    ("enrolment_id", "training_enrolments", Restrict),
                    ("course_id", "training_courses", Restrict),
                    ("user_id", "users", Restrict),
                    ("learner_organisation_id", "organisations", Restrict),
                ],
            ))
            .await?;
        manager.create_index(index(t, &["number"], true)).await?;
        manager.create_index(index(t, &["enrolment_id"], true)).await?;
        indexes(
            manager,
            t,
            &[
                &["user_id", "course_id"],
                &["user_id", "topic"],
                &["learner_organisation_id"],
                &["expires_on"],
            ],
        )
        .await?;

        let t = "training_requirements";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("organisation_id"),
                    big("course_id"),
                    enum_col_null("role"),
                    enum_col_null("seat"),
                    schema::integer_null(a("renew_months")),
                    schema::boolean(a("active")),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("organisation_id", "organisations", Restrict),
                    ("course_id", "training_courses", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(manager, t, &[&["organisation_id", "active"], &["course_id"]]).await?;

        let t = "training_reminders";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("certificate_id"),
                    big("user_id"),
                    big("learner_organisation_id"),
                    schema::date(a("expires_on")),
                    schema::string_len(a("dedup_key"), 128),
                    ts("created_at"),
                ],
                &[
                    ("certificate_id", "training_certificates", Restrict),
                    ("user_id", "users", Restrict),
                    ("learner_organisation_id", "organisations", Restrict),
                ],
            ))
            .await?;
        manager.create_index(index(t, &["dedup_key"], true)).await?;
        indexes(manager, t, &[&["user_id"], &["learner_organisation_id"]]).await?;
        Ok(())
    }
}
