//! Courses: published by an organisation with the module on, read by everyone who has it.

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::event_type;
use hamkor_api::mahalla::entity::SubRole;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::user::entity::Role;
use hamkor_api::validate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::access::STAFF;
use crate::entity::{TrainingFormat, TrainingTopic, course, enum_name};

/// A course to publish.
#[derive(Debug, Clone)]
pub struct CourseSpec {
    pub title: String,
    pub topic: TrainingTopic,
    pub audience_roles: Vec<Role>,
    pub audience_seats: Vec<SubRole>,
    pub format: TrainingFormat,
    pub hours: i32,
    pub language: String,
    pub validity_months: Option<i32>,
    pub description: Option<String>,
}

/// Comma-separated names of stored enumeration values.
pub fn names<E: ActiveEnum<Value = String> + Copy>(values: &[E]) -> String {
    let mut v: Vec<String> = values.iter().map(|x| x.to_value()).collect();
    v.sort();
    v.dedup();
    v.join(",")
}

/// The values of a comma-separated list of names (unknown names skipped).
pub fn parse_names<E: ActiveEnum<Value = String>>(raw: &str) -> Vec<E> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .filter_map(|s| E::try_from_value(&s.to_owned()).ok())
        .collect()
}

/// Publish a course of the caller's organisation (its staff).
pub async fn publish(db: &DatabaseConnection, p: &Principal, spec: CourseSpec) -> ApiResult<course::Model> {
    if !p.has_any_role(&STAFF) {
        return Err(ApiError::Forbidden(
            "only an organisation's staff or admin publish its courses".into(),
        ));
    }
    let title = validate::required("input.title", &spec.title, validate::SHORT_TEXT)?;
    let language = validate::required("input.language", &spec.language, 8)?;
    let description = validate::optional(
        "input.description",
        spec.description.as_deref(),
        validate::LONG_TEXT,
    )?;
    if !(1..=2000).contains(&spec.hours) {
        return Err(ApiError::bad_input("input.hours", "between 1 and 2000"));
    }
    if spec.validity_months.is_some_and(|m| !(1..=240).contains(&m)) {
        return Err(ApiError::bad_input("input.validityMonths", "between 1 and 240"));
    }
    let at = now();
    let txn = write_txn(db).await?;
    let row = course::ActiveModel {
        organisation_id: Set(p.organisation_id),
        title: Set(title),
        topic: Set(spec.topic),
        audience_roles: Set(names(&spec.audience_roles)),
        audience_seats: Set(names(&spec.audience_seats)),
        format: Set(spec.format),
        hours: Set(spec.hours),
        language: Set(language),
        validity_months: Set(spec.validity_months),
        description: Set(description),
        active: Set(true),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::record(
        &txn,
        Some(p),
        "training.course.publish",
        event_type("training.course_published"),
        ("TrainingCourse", row.id),
        row.organisation_id,
        json!({"courseId": row.id, "topic": enum_name(row.topic), "title": row.title}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// What a course search looks for.
#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    pub topic: Option<TrainingTopic>,
    pub organisation_id: Option<i64>,
}

/// The catalogue, oldest first.
pub async fn list(db: &DatabaseConnection, f: &CourseFilter, page: Page) -> ApiResult<Paged<course::Model>> {
    let mut q = course::Entity::find().filter(course::Column::Active.eq(true));
    if let Some(t) = f.topic {
        q = q.filter(course::Column::Topic.eq(t));
    }
    if let Some(o) = f.organisation_id {
        q = q.filter(course::Column::OrganisationId.eq(o));
    }
    paginate(db, q, course::Column::Id, page, Order::Ascending).await
}
