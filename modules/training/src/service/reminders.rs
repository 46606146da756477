//! Reminders of certificates that expire within 60 days: one per certificate and
//! expiry, to the learner (and seen by their organisation's admin), with the event
//! `training.certificate_due` for the organisation's admins and webhooks. Written by the
//! module host's periodic sweep ([`Module::sweep`]).
//!
//! [`Module::sweep`]: hamkor_api::module::Module::sweep

use chrono::{DateTime, Days, Utc};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::ApiResult;
use hamkor_api::events::service::event_type;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TryInsertResult,
};
use serde_json::json;

use super::coverage::DUE_DAYS;
use crate::entity::{certificate, reminder};

/// Most certificates one sweep reminds of (the next sweep takes the rest).
const BATCH: u64 = 500;

/// Remind of every certificate expiring within 60 days of `at` that has not been
/// reminded of (and is not renewed by a later one), and return how many.
pub async fn sweep(db: &DatabaseConnection, at: DateTime<Utc>) -> ApiResult<usize> {
    use certificate::Column as C;
    use sea_orm::QuerySelect;
    let today = at.date_naive();
    let until = today + Days::new(DUE_DAYS);
    let txn = write_txn(db).await?;
    let due = certificate::Entity::find()
        .filter(C::ExpiresOn.gte(today))
        .filter(C::ExpiresOn.lte(until))
        .filter(Expr::cust(
            "NOT EXISTS (SELECT 1 FROM training_reminders r WHERE r.certificate_id = training_certificates.id) \
             AND NOT EXISTS (SELECT 1 FROM training_certificates later WHERE later.user_id = training_certificates.user_id \
             AND later.course_id = training_certificates.course_id AND later.issued_on > training_certificates.issued_on)",
        ))
        .order_by_asc(C::Id)
        .limit(BATCH)
        .all(&txn)
        .await?;
    let mut made = 0;
    for c in due {
        let Some(expires_on) = c.expires_on else {
            continue;
        };
        let inserted = reminder::Entity::insert(reminder::ActiveModel {
            certificate_id: Set(c.id),
            user_id: Set(c.user_id),
            learner_organisation_id: Set(c.learner_organisation_id),
            expires_on: Set(expires_on),
            dedup_key: Set(format!("certificate_due:{}:{expires_on}", c.id)),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([reminder::Column::DedupKey])
        .exec_without_returning(&txn)
        .await?;
        if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            continue;
        }
        made += 1;
        super::record(
            &txn,
            None,
            "training.certificate.remind",
            event_type("training.certificate_due"),
            ("TrainingCertificate", c.id),
            c.learner_organisation_id,
            json!({
                "certificateId": c.id,
                "userId": c.user_id,
                "courseId": c.course_id,
                "expiresOn": expires_on,
                "daysLeft": (expires_on - today).num_days(),
            }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(made)
}

/// The reminders `p` sees (their own; their organisation's as its admin), newest first.
pub async fn list(db: &DatabaseConnection, p: &Principal, page: Page) -> ApiResult<Paged<reminder::Model>> {
    let q = reminder::Entity::find().filter(crate::access::reminders(p));
    paginate(db, q, reminder::Column::Id, page, Order::Descending).await
}
