//! The education module's tables. Migrations use `sea-query` only (no entity code), so
//! they keep meaning the same thing when the entities change.

use hamkor_api::module::schema::{foreign_key as fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date, date_null, integer, integer_null, string_len,
    string_len_null, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

pub struct CreateEducationTables;

impl MigrationName for CreateEducationTables {
    fn name(&self) -> &str {
        "m20261127_000001_education_create_tables"
    }
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for CreateEducationTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "education_programmes";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("organisation_id")))
                    .col(string_len(a("title"), 200))
                    .col(string_len(a("kind"), 32))
                    .col(string_len(a("subject"), 200))
                    .col(string_len(a("language"), 8))
                    .col(text_null(a("description")))
                    .col(boolean(a("remote")))
                    .col(big_integer_null(a("region_id")))
                    .col(big_integer_null(a("district_id")))
                    .col(big_integer_null(a("mahalla_id")))
                    .col(string_len_null(a("address"), 200))
                    .col(integer(a("days")))
                    .col(integer_null(a("start_minute")))
                    .col(integer_null(a("end_minute")))
                    .col(integer(a("duration_weeks")))
                    .col(integer_null(a("min_age")))
                    .col(integer_null(a("max_age")))
                    .col(string_len_null(a("min_education"), 32))
                    .col(big_integer(a("cost_uzs")))
                    .col(string_len_null(a("certificate"), 200))
                    .col(boolean(a("active")))
                    .col(big_integer(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(t, "organisation_id", "organisations"))
                    .foreign_key(&mut fk(t, "region_id", "regions"))
                    .foreign_key(&mut fk(t, "district_id", "districts"))
                    .foreign_key(&mut fk(t, "mahalla_id", "mahallas"))
                    .foreign_key(&mut fk(t, "created_by", "users"))
                    .take(),
            )
            .await?;
        for cols in [
            &["organisation_id"][..],
            &["kind"],
            &["language"],
            &["region_id"],
            &["district_id"],
            &["mahalla_id"],
        ] {
            manager.create_index(index(t, cols, false)).await?;
        }

        let t = "education_intakes";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("programme_id")))
                    .col(date(a("starts_on")))
                    .col(date_null(a("ends_on")))
                    .col(integer(a("seats")))
                    .col(integer(a("seats_taken")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(t, "programme_id", "education_programmes"))
                    .check(Expr::col(a("seats_taken")).between(0, Expr::col(a("seats"))))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(t, &["programme_id", "starts_on"], false))
            .await?;
        manager
            .create_index(index(t, &["starts_on", "id"], false))
            .await?;

        let t = "education_enrolments";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("referral_id")))
                    .col(big_integer(a("case_id")))
                    .col(big_integer(a("programme_id")))
                    .col(big_integer(a("intake_id")))
                    .col(big_integer(a("organisation_id")))
                    .col(string_len(a("status"), 32))
                    .col(string_len_null(a("reason"), 32))
                    .col(text_null(a("note")))
                    .col(string_len_null(a("prior_education"), 32))
                    .col(integer(a("consecutive_absences")))
                    .col(boolean(a("absence_alert_open")))
                    .col(string_len_null(a("result"), 32))
                    .col(string_len_null(a("certificate_number"), 64))
                    .col(date_null(a("certificate_date")))
                    .col(big_integer(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .col(timestamp_with_time_zone_null(a("closed_at")))
                    .foreign_key(&mut fk(t, "referral_id", "referrals"))
                    .foreign_key(&mut fk(t, "case_id", "cases"))
                    .foreign_key(&mut fk(t, "programme_id", "education_programmes"))
                    .foreign_key(&mut fk(t, "intake_id", "education_intakes"))
                    .foreign_key(&mut fk(t, "organisation_id", "organisations"))
                    .foreign_key(&mut fk(t, "created_by", "users"))
                    .take(),
            )
            .await?;
        for cols in [
            &["referral_id"][..],
            &["case_id"],
            &["intake_id", "status"],
            &["organisation_id", "status"],
        ] {
            manager.create_index(index(t, cols, false)).await?;
        }

        let t = "education_enrolment_transitions";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("enrolment_id")))
                    .col(string_len_null(a("from_status"), 32))
                    .col(string_len(a("to_status"), 32))
                    .col(string_len_null(a("reason"), 32))
                    .col(text_null(a("note")))
                    .col(big_integer(a("actor_user_id")))
                    .col(timestamp_with_time_zone(a("at")))
                    .foreign_key(&mut fk(t, "enrolment_id", "education_enrolments"))
                    .foreign_key(&mut fk(t, "actor_user_id", "users"))
                    .take(),
            )
            .await?;
        manager.create_index(index(t, &["enrolment_id"], false)).await?;

        let t = "education_attendance";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("enrolment_id")))
                    .col(date(a("on_date")))
                    .col(string_len(a("period"), 32))
                    .col(string_len(a("status"), 32))
                    .col(text_null(a("note")))
                    .col(big_integer(a("recorded_by")))
                    .col(timestamp_with_time_zone(a("recorded_at")))
                    .foreign_key(&mut fk(t, "enrolment_id", "education_enrolments"))
                    .foreign_key(&mut fk(t, "recorded_by", "users"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(t, &["enrolment_id", "on_date", "period"], true))
            .await?;
        Ok(())
    }
}
