//! The employment module's tables. Migrations use `sea-query` only (no entity code).

use hamkor_api::module::kit::migration::OnDelete::Restrict;
use hamkor_api::module::kit::migration::{
    a, big, big_null, enum_col, enum_col_null, id, index, indexes, table, text_null, ts,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub struct CreateEmploymentTables;

impl MigrationName for CreateEmploymentTables {
    fn name(&self) -> &str {
        "m20261127_000002_employment_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateEmploymentTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "employment_employers";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("organisation_id"),
                    big_null("linked_organisation_id"),
                    schema::string_len(a("name"), 200),
                    schema::string_len_null(a("contact_name"), 200),
                    schema::string_len_null(a("phone"), 32),
                    schema::string_len_null(a("email"), 200),
                    big("region_id"),
                    big("district_id"),
                    enum_col("openness"),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("organisation_id", "organisations", Restrict),
                    ("linked_organisation_id", "organisations", Restrict),
                    ("region_id", "regions", Restrict),
                    ("district_id", "districts", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ))
            .await?;
        indexes(manager, t, &[&["organisation_id"], &["district_id"]]).await?;

        let t = "employment_vacancies";
        manager
            .create_table({
                let mut vacancies = table(
                    t,
                    vec![
                        id(),
                        big("employer_id"),
                        big("organisation_id"),
                        schema::string_len(a("title"), 200),
                        schema::string_len(a("occupation_code"), 8),
                        schema::string_len(a("occupation_group"), 2),
                        enum_col_null("min_education"),
                        big("region_id"),
                        big("district_id"),
                        big_null("mahalla_id"),
                        schema::integer_null(a("shift_start_minute")),
                        schema::integer_null(a("shift_end_minute")),
                        schema::integer(a("days")),
                        big_null("wage_min_uzs"),
                        big_null("wage_max_uzs"),
                        schema::integer(a("seats")),
                        schema::integer(a("seats_filled")),
                        schema::date(a("opens_on")),
                        schema::date_null(a("closes_on")),
                        enum_col("status"),
                        enum_col("openness"),
                        schema::integer(a("skill_weight")),
                        text_null("description"),
                        big("created_by"),
                        ts("created_at"),
                        ts("updated_at"),
                    ],
                    &[
                        ("employer_id", "employment_employers", Restrict),
                        ("organisation_id", "organisations", Restrict),
                        ("region_id", "regions", Restrict),
                        ("district_id", "districts", Restrict),
                        ("mahalla_id", "mahallas", Restrict),
                        ("created_by", "users", Restrict),
                    ],
                );
                vacancies.check(Expr::col(a("seats_filled")).between(0, Expr::col(a("seats"))));
                vacancies
            })
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
            .create_table(table(
                t,
                vec![
                    id(),
                    big("vacancy_id"),
                    schema::string_len(a("skill"), 64),
                    schema::boolean(a("required")),
                    // The vacancy's place, copied so that matching counts skills of
                    // the vacancies of one region or district only.
                    big("region_id"),
                    big("district_id"),
                ],
                &[("vacancy_id", "employment_vacancies", Restrict)],
            ))
            .await?;
        manager
            .create_index(index(t, &["vacancy_id", "skill"], true))
            .await?;
        indexes(manager, t, &[&["skill", "region_id"], &["skill", "district_id"]]).await?;

        let t = "employment_profiles";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("case_id"),
                    enum_col_null("education"),
                    enum_col("readiness"),
                    schema::json_binary(a("desired_occupations")),
                    schema::json_binary(a("languages")),
                    schema::json_binary(a("barriers")),
                    schema::json_binary(a("work_history")),
                    big("updated_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[("case_id", "cases", Restrict), ("updated_by", "users", Restrict)],
            ))
            .await?;
        manager.create_index(index(t, &["case_id"], true)).await?;

        let t = "employment_profile_skills";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("profile_id"),
                    schema::string_len(a("skill"), 64),
                    schema::integer(a("level")),
                ],
                &[("profile_id", "employment_profiles", Restrict)],
            ))
            .await?;
        manager
            .create_index(index(t, &["profile_id", "skill"], true))
            .await?;
        indexes(manager, t, &[&["skill"]]).await?;

        let t = "employment_applications";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("referral_id"),
                    big("case_id"),
                    big("vacancy_id"),
                    big("organisation_id"),
                    enum_col("status"),
                    text_null("note"),
                    schema::date_null(a("start_date")),
                    big("created_by"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
                &[
                    ("referral_id", "referrals", Restrict),
                    ("case_id", "cases", Restrict),
                    ("vacancy_id", "employment_vacancies", Restrict),
                    ("organisation_id", "organisations", Restrict),
                    ("created_by", "users", Restrict),
                ],
            ))
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
            .create_table(table(
                t,
                vec![
                    id(),
                    big("application_id"),
                    enum_col_null("from_status"),
                    enum_col("to_status"),
                    text_null("note"),
                    big("actor_user_id"),
                    ts("at"),
                ],
                &[
                    ("application_id", "employment_applications", Restrict),
                    ("actor_user_id", "users", Restrict),
                ],
            ))
            .await?;
        indexes(manager, t, &[&["application_id"]]).await?;

        let t = "employment_retention_checks";
        manager
            .create_table(table(
                t,
                vec![
                    id(),
                    big("application_id"),
                    big("case_id"),
                    schema::integer(a("day")),
                    schema::date(a("due_on")),
                    enum_col_null("outcome"),
                    schema::date_null(a("checked_on")),
                    text_null("note"),
                    big_null("recorded_by"),
                ],
                &[
                    ("application_id", "employment_applications", Restrict),
                    ("case_id", "cases", Restrict),
                    ("recorded_by", "users", Restrict),
                ],
            ))
            .await?;
        manager
            .create_index(index(t, &["application_id", "day"], true))
            .await?;
        indexes(manager, t, &[&["due_on", "outcome"]]).await?;
        Ok(())
    }
}
