//! Time-based work as of a time, run by the module's `sweep` hook: the reminder when a
//! window opens and before it closes, expiry after the window and the organisation's
//! grace period (an event the early-warning rules count like a missed appointment), and
//! the removal of photos past their retention (the check-in keeps when and why), and of
//! photos uploaded but never named by a submitted check-in (orphans), after the
//! organisation's `orphanPhotoHours`.
//! Idempotent: each step moves a row on with a conditional update.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use hamkor_api::db::write_txn;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::enums::enum_name;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use super::{check_ins, messages};
use crate::config::{Config, of_organisation};
use crate::entity::{CheckInStatus, MessagePurpose, check_in, enrolment, photo_upload};
use crate::notifier::Notifier;
use crate::storage::PhotoStore;
use crate::templates;

/// Rows one sweep handles per step.
const BATCH: u64 = 500;

struct Configs(HashMap<i64, Config>);

impl Configs {
    async fn of(&mut self, db: &DatabaseConnection, org: i64) -> &Config {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(org) {
            slot.insert(of_organisation(db, org).await);
        }
        &self.0[&org]
    }
}

/// Everything, as of `at`: how many things moved on.
pub async fn sweep(
    db: &DatabaseConnection,
    store: &PhotoStore,
    n: &dyn Notifier,
    at: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut configs = Configs(HashMap::new());
    // An organisation that switched the module off sends no reminders and lets no
    // check-in expire (nothing to alert on); its photos still go by their retention.
    let on = crate::config::organisations_on(db).await?;
    let mut done = remind(db, n, &mut configs, &on, at).await?;
    done += expire(db, &mut configs, &on, at).await?;
    done += remove_photos(db, store, at).await?;
    done += remove_orphan_photos(db, store, at).await?;
    Ok(done)
}

/// The reminders due as of `at`.
async fn remind(
    db: &DatabaseConnection,
    n: &dyn Notifier,
    configs: &mut Configs,
    on: &[i64],
    at: DateTime<Utc>,
) -> ApiResult<usize> {
    let open = check_in::Entity::find()
        .filter(check_in::Column::OrganisationId.is_in(on.iter().copied()))
        .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
        .filter(check_in::Column::OpensAt.lte(at))
        .filter(check_in::Column::ClosesAt.gt(at))
        .filter(
            sea_orm::Condition::any()
                .add(check_in::Column::OpeningRemindedAt.is_null())
                .add(check_in::Column::ClosingRemindedAt.is_null()),
        )
        .order_by_asc(check_in::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut sent = Vec::new();
    for c in open {
        let closing_hours = configs.of(db, c.organisation_id).await.closing_reminder_hours;
        let (purpose, column) = if c.opening_reminded_at.is_none() {
            (MessagePurpose::WindowOpen, check_in::Column::OpeningRemindedAt)
        } else if closing_hours > 0 && c.closes_at - Duration::hours(i64::from(closing_hours)) <= at {
            (MessagePurpose::WindowClosing, check_in::Column::ClosingRemindedAt)
        } else {
            continue;
        };
        let Some(e) = enrolment::Entity::find_by_id(c.enrolment_id).one(db).await? else {
            continue;
        };
        let txn = write_txn(db).await?;
        let claimed = check_in::Entity::update_many()
            .col_expr(column, Expr::value(at))
            .filter(check_in::Column::Id.eq(c.id))
            .filter(column.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            continue;
        }
        let m = messages::queue(
            &txn,
            &e,
            purpose,
            templates::reminder(e.language, purpose, c.closes_at),
        )
        .await?;
        txn.commit().await?;
        sent.push(m.id);
    }
    messages::deliver(db, n, &sent).await?;
    Ok(sent.len())
}

/// Expire the check-ins past their window and grace period, and schedule the next.
async fn expire(
    db: &DatabaseConnection,
    configs: &mut Configs,
    on: &[i64],
    at: DateTime<Utc>,
) -> ApiResult<usize> {
    let late = check_in::Entity::find()
        .filter(check_in::Column::OrganisationId.is_in(on.iter().copied()))
        .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
        .filter(check_in::Column::ClosesAt.lte(at))
        .order_by_asc(check_in::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut expired = 0;
    for c in late {
        let grace = configs.of(db, c.organisation_id).await.grace_hours;
        if c.closes_at + Duration::hours(i64::from(grace)) > at {
            continue;
        }
        let txn = write_txn(db).await?;
        let moved = check_in::Entity::update_many()
            .col_expr(check_in::Column::Status, Expr::value(CheckInStatus::Expired))
            .filter(check_in::Column::Id.eq(c.id))
            .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
            .exec(&txn)
            .await?
            .rows_affected;
        if moved != 1 {
            continue;
        }
        let e = enrolment::Entity::find_by_id(c.enrolment_id)
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound("RemoteCheckInEnrolment"))?;
        check_ins::schedule_after(&txn, &e, Some(c.opens_at)).await?;
        events::emit(
            &txn,
            None,
            NewEvent::new("remote_check_in.expired", "RemoteCheckIn", c.id)
                .case(c.case_id)
                .organisation(c.organisation_id)
                .payload(json!({"checkInId": c.id, "opensAt": c.opens_at, "closesAt": c.closes_at})),
        )
        .await?;
        txn.commit().await?;
        expired += 1;
    }
    Ok(expired)
}

/// Remove the photos of reviewed check-ins past their retention, from `store`; the
/// check-in keeps when and why.
pub async fn remove_photos(
    db: &DatabaseConnection,
    store: &PhotoStore,
    at: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut configs = Configs(HashMap::new());
    let reviewed = check_in::Entity::find()
        .filter(check_in::Column::PhotoKey.is_not_null())
        .filter(check_in::Column::ReviewedAt.is_not_null())
        .filter(check_in::Column::ReviewedAt.lte(at))
        .order_by_asc(check_in::Column::ReviewedAt)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut removed = 0;
    for c in reviewed {
        let (Some(key), Some(outcome), Some(reviewed_at)) = (c.photo_key.clone(), c.identity, c.reviewed_at)
        else {
            continue;
        };
        let days = configs.of(db, c.organisation_id).await.retention_days(outcome);
        if reviewed_at + Duration::days(i64::from(days)) > at {
            continue;
        }
        store
            .delete(&key)
            .await
            .map_err(|e| ApiError::internal("removing a photo", e))?;
        let reason = format!("retention: {days} days after {}", enum_name(outcome));
        check_in::Entity::update_many()
            .col_expr(check_in::Column::PhotoKey, Expr::value(Option::<String>::None))
            .col_expr(check_in::Column::PhotoRemovedAt, Expr::value(at))
            .col_expr(check_in::Column::PhotoRemovedReason, Expr::value(reason))
            .filter(check_in::Column::Id.eq(c.id))
            .exec(db)
            .await?;
        removed += 1;
    }
    Ok(removed)
}

/// Remove the photos uploaded at least the organisation's `orphanPhotoHours` before `at`
/// that no submitted check-in names: from `store`, and their upload rows.
pub async fn remove_orphan_photos(
    db: &DatabaseConnection,
    store: &PhotoStore,
    at: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut configs = Configs(HashMap::new());
    // No organisation keeps an orphan for less than an hour.
    let waiting = photo_upload::Entity::find()
        .filter(photo_upload::Column::CheckInId.is_null())
        .filter(photo_upload::Column::UploadedAt.lte(at - Duration::hours(1)))
        .order_by_asc(photo_upload::Column::UploadedAt)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut organisations: HashMap<i64, i64> = HashMap::new();
    let mut removed = 0;
    for u in waiting {
        let org = match organisations.get(&u.enrolment_id) {
            Some(org) => *org,
            None => {
                let Some(e) = enrolment::Entity::find_by_id(u.enrolment_id).one(db).await? else {
                    continue;
                };
                organisations.insert(u.enrolment_id, e.organisation_id);
                e.organisation_id
            }
        };
        let hours = configs.of(db, org).await.orphan_photo_hours;
        if u.uploaded_at + Duration::hours(i64::from(hours)) > at {
            continue;
        }
        // The row first, and only while still unattached: a check-in that names the
        // photo in the meantime keeps it.
        let gone = photo_upload::Entity::delete_many()
            .filter(photo_upload::Column::Id.eq(u.id))
            .filter(photo_upload::Column::CheckInId.is_null())
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if !gone {
            continue;
        }
        store
            .delete(&u.object_key)
            .await
            .map_err(|e| ApiError::internal("removing an orphan photo", e))?;
        removed += 1;
    }
    Ok(removed)
}
