//! The employment module's tables. Migrations use `sea-query` only (no entity code).

use hamkor_api::module::schema::{foreign_key as fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date, date_null, integer, integer_null, json_binary,
    string_len, string_len_null, text_null, timestamp_with_time_zone,
};

pub struct CreateEmploymentTables;

impl MigrationName for CreateEmploymentTables {
    fn name(&self) -> &str {
        "m20261127_000002_employment_create_tables"
    }
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

async fn indexes(manager: &SchemaManager<'_>, table: &str, sets: &[&[&str]]) -> Result<(), DbErr> {
    for cols in sets {
        manager.create_index(index(table, cols, false)).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for CreateEmploymentTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "employment_employers";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("organisation_id")))
                    .col(big_integer_null(a("linked_organisation_id")))
                    .col(string_len(a("name"), 200))
                    .col(string_len_null(a("contact_name"), 200))
                    .col(string_len_null(a("phone"), 32))
                    .col(string_len_null(a("email"), 200))
                    .col(big_integer(a("region_id")))
                    .col(big_integer(a("district_id")))
                    .col(string_len(a("openness"), 32))
                    .col(big_integer(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(t, "organisation_id", "organisations"))
                    .foreign_key(&mut fk(t, "linked_organisation_id", "organisations"))
                    .foreign_key(&mut fk(t, "region_id", "regions"))
                    .foreign_key(&mut fk(t, "district_id", "districts"))
                    .foreign_key(&mut fk(t, "created_by", "users"))
                    .take(),
            )
            .await?;
        indexes(manager, t, &[&["organisation_id"], &["district_id"]]).await?;

        let t = "employment_vacancies";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("employer_id")))
                    .col(big_integer(a("organisation_id")))
                    .col(string_len(a("title"), 200))
                    .col(string_len(a("occupation_code"), 8))
                    .col(string_len(a("occupation_group"), 2))
                    .col(string_len_null(a("min_education"), 32))
                    .col(big_integer(a("region_id")))
                    .col(big_integer(a("district_id")))
                    .col(big_integer_null(a("mahalla_id")))
                    .col(integer_null(a("shift_start_minute")))
                    .col(integer_null(a("shift_end_minute")))
                    .col(integer(a("days")))
                    .col(big_integer_null(a("wage_min_uzs")))
                    .col(big_integer_null(a("wage_max_uzs")))
                    .col(integer(a("seats")))
                    .col(integer(a("seats_filled")))
                    .col(date(a("opens_on")))
                    .col(date_null(a("closes_on")))
                    .col(string_len(a("status"), 32))
                    .col(string_len(a("openness"), 32))
                    .col(integer(a("skill_weight")))
                    .col(text_null(a("description")))
                    .col(big_integer(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(t, "employer_id", "employment_employers"))
                    .foreign_key(&mut fk(t, "organisation_id", "organisations"))
                    .foreign_key(&mut fk(t, "region_id", "regions"))
                    .foreign_key(&mut fk(t, "district_id", "districts"))
                    .foreign_key(&mut fk(t, "mahalla_id", "mahallas"))
                    .foreign_key(&mut fk(t, "created_by", "users"))
                    .check(Expr::col(a("seats_filled")).between(0, Expr::col(a("seats"))))
                    .take(),
            )
            .await?;
        indexes(
            manager,
            t,
            &[
                &["status", "district_id"],
                &["status", "region_id"],
                &["status", "mahalla_id"],
                &["employer_id"],
                &["organisation_id", "status"],
                &["occupation_code"],
            ],
        )
        .await?;

        let t = "employment_vacancy_skills";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("vacancy_id")))
                    .col(string_len(a("skill"), 64))
                    .col(boolean(a("required")))
                    .foreign_key(&mut fk(t, "vacancy_id", "employment_vacancies"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(t, &["vacancy_id", "skill"], true))
            .await?;
        indexes(manager, t, &[&["skill", "vacancy_id"]]).await?;

        let t = "employment_profiles";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("case_id")))
                    .col(string_len_null(a("education"), 32))
                    .col(string_len(a("readiness"), 32))
                    .col(json_binary(a("desired_occupations")))
                    .col(json_binary(a("languages")))
                    .col(json_binary(a("barriers")))
                    .col(json_binary(a("work_history")))
                    .col(big_integer(a("updated_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(t, "case_id", "cases"))
                    .foreign_key(&mut fk(t, "updated_by", "users"))
                    .take(),
            )
            .await?;
        manager.create_index(index(t, &["case_id"], true)).await?;

        let t = "employment_profile_skills";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("profile_id")))
                    .col(string_len(a("skill"), 64))
                    .col(integer(a("level")))
                    .foreign_key(&mut fk(t, "profile_id", "employment_profiles"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(t, &["profile_id", "skill"], true))
            .await?;
        indexes(manager, t, &[&["skill"]]).await?;

        let t = "employment_applications";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("referral_id")))
                    .col(big_integer(a("case_id")))
                    .col(big_integer(a("vacancy_id")))
                    .col(big_integer(a("organisation_id")))
                    .col(string_len(a("status"), 32))
                    .col(text_null(a("note")))
                    .col(date_null(a("start_date")))
                    .col(big_integer(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(t, "referral_id", "referrals"))
                    .foreign_key(&mut fk(t, "case_id", "cases"))
                    .foreign_key(&mut fk(t, "vacancy_id", "employment_vacancies"))
                    .foreign_key(&mut fk(t, "organisation_id", "organisations"))
                    .foreign_key(&mut fk(t, "created_by", "users"))
                    .take(),
            )
            .await?;
        indexes(
            manager,
            t,
            &[
                &["referral_id", "vacancy_id"],
                &["case_id"],
                &["vacancy_id", "status"],
                &["organisation_id", "status"],
            ],
        )
        .await?;

        let t = "employment_application_transitions";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("application_id")))
                    .col(string_len_null(a("from_status"), 32))
                    .col(string_len(a("to_status"), 32))
                    .col(text_null(a("note")))
                    .col(big_integer(a("actor_user_id")))
                    .col(timestamp_with_time_zone(a("at")))
                    .foreign_key(&mut fk(t, "application_id", "employment_applications"))
                    .foreign_key(&mut fk(t, "actor_user_id", "users"))
                    .take(),
            )
            .await?;
        indexes(manager, t, &[&["application_id"]]).await?;

        let t = "employment_retention_checks";
        manager
            .create_table(
                Table::create()
                    .table(a(t))
                    .col(big_pk_auto(a("id")))
                    .col(big_integer(a("application_id")))
                    .col(big_integer(a("case_id")))
                    .col(integer(a("day")))
                    .col(date(a("due_on")))
                    .col(string_len_null(a("outcome"), 32))
                    .col(date_null(a("checked_on")))
                    .col(text_null(a("note")))
                    .col(big_integer_null(a("recorded_by")))
                    .foreign_key(&mut fk(t, "application_id", "employment_applications"))
                    .foreign_key(&mut fk(t, "case_id", "cases"))
                    .foreign_key(&mut fk(t, "recorded_by", "users"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(t, &["application_id", "day"], true))
            .await?;
        indexes(manager, t, &[&["due_on", "outcome"]]).await?;
        Ok(())
    }
}
