//! A mahalla's prevention programme for a period: objectives and activities (family
//! visits, community events, legal-education talks, job fairs, sports and youth work)
//! with dates, place, the responsible member, the cases involved and the result.
//!
//! The programme itself is here; its activities (planning, recording, the cases they
//! involve) are `activities.rs`, its progress counts `progress.rs`.

mod activities;
mod progress;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use crate::access::mahalla::{MahallaRight, readable, require};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::mahalla::entity::programme;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::validate;

pub use activities::{
    ActivityReport, NewActivity, activity_cases, add_activity, readable_activities, record_activity,
};
pub use progress::{KindProgress, Progress, progress_of};

/// Longest programme period.
const MAX_PERIOD_DAYS: i64 = 2 * 366;
/// Most cases one activity names.
pub const MAX_ACTIVITY_CASES: usize = 50;

/// A programme to draw up.
pub struct NewProgramme {
    pub mahalla_id: i64,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub objectives: String,
}

/// Draw up a mahalla's programme for a period that overlaps no other of its programmes.
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    new: NewProgramme,
) -> ApiResult<programme::Model> {
    let title = validate::required("input.title", &new.title, validate::SHORT_TEXT)?;
    let objectives = validate::required("input.objectives", &new.objectives, validate::LONG_TEXT)?;
    validate::date_range("input.periodEnd", new.period_start, new.period_end)?;
    if (new.period_end - new.period_start).num_days() > MAX_PERIOD_DAYS {
        return Err(ApiError::bad_input(
            "input.periodEnd",
            "a programme runs for at most two years",
        ));
    }
    let txn = write_txn(db).await?;
    let m = require(&txn, p, new.mahalla_id, MahallaRight::Work).await?;
    let overlapping = programme::Entity::find()
        .filter(programme::Column::MahallaId.eq(m.id))
        .filter(programme::Column::PeriodStart.lte(new.period_end))
        .filter(programme::Column::PeriodEnd.gte(new.period_start))
        .one(&txn)
        .await?;
    if let Some(o) = overlapping {
        return Err(ApiError::Conflict(format!(
            "the mahalla already has a programme from {} to {}",
            o.period_start, o.period_end
        )));
    }
    let at = now();
    let row = programme::ActiveModel {
        mahalla_id: Set(m.id),
        district_id: Set(m.district_id),
        region_id: Set(m.region_id),
        title: Set(title),
        period_start: Set(new.period_start),
        period_end: Set(new.period_end),
        objectives: Set(objectives),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("prevention_programme.create").target("PreventionProgramme", row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("mahalla.programme_created", "PreventionProgramme", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"mahallaId": m.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Load a programme with the caller's right in its mahalla at least `needed`.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    needed: MahallaRight,
) -> ApiResult<programme::Model> {
    let row = programme::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("PreventionProgramme"))?;
    require(db, p, row.mahalla_id, needed)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("PreventionProgramme"),
            other => other,
        })?;
    Ok(row)
}

/// Programmes of a mahalla (or of every mahalla the caller may read), newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    mahalla_id: Option<i64>,
    page: Page,
) -> ApiResult<Paged<programme::Model>> {
    let mut q = programme::Entity::find().filter(readable(
        p,
        programme::Column::RegionId,
        programme::Column::DistrictId,
        programme::Column::MahallaId,
    ));
    if let Some(m) = mahalla_id {
        q = q.filter(programme::Column::MahallaId.eq(m));
    }
    paginate(db, q, programme::Column::Id, page, Order::Descending).await
}
