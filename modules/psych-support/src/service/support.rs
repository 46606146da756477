//! The provider's work on one referral: accepting it with a practitioner, changing the
//! practitioner, and the summary shared with the agencies (the plan is in `plans`, the
//! end in `closing`).

use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service as events;
use hamkor_api::referral::entity::referral;
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::step_in;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::practitioners;
use super::record::{Audience, record_change};
use super::support_search::{SupportView, view};
use crate::access::{ACCEPT, ASSIGN, PRACTISE};
use crate::entity::support;

/// Accept a referral and assign its practitioner, in one step.
pub async fn accept(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    practitioner_id: i64,
    note: Option<&str>,
) -> ApiResult<SupportView> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let r = ACCEPT.begin(&txn, p, referral_id).await?;
    let pr = practitioners::active_of(
        &txn,
        practitioner_id,
        r.to_organisation_id,
        "input.practitionerId",
    )
    .await?;
    let r = step_in(&txn, p, r.id, Step::Accept, note).await?;
    let s = assign_in(&txn, p, &r, pr.id).await?;
    txn.commit().await?;
    view(db, s).await
}

/// Assign (or change) the practitioner of a referral the provider has accepted.
pub async fn assign(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    practitioner_id: i64,
) -> ApiResult<SupportView> {
    let txn = write_txn(db).await?;
    let r = ASSIGN.begin(&txn, p, referral_id).await?;
    let pr = practitioners::active_of(
        &txn,
        practitioner_id,
        r.to_organisation_id,
        "input.practitionerId",
    )
    .await?;
    let s = assign_in(&txn, p, &r, pr.id).await?;
    txn.commit().await?;
    view(db, s).await
}

async fn assign_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    r: &referral::Model,
    practitioner_id: i64,
) -> ApiResult<support::Model> {
    let at = now();
    let s = match support_of(txn, r.id).await? {
        Some(s) => {
            let mut row: support::ActiveModel = s.into();
            row.practitioner_id = Set(Some(practitioner_id));
            row.updated_at = Set(at);
            row.update(txn).await?
        }
        None => {
            support::ActiveModel {
                referral_id: Set(r.id),
                case_id: Set(r.case_id),
                person_id: Set(r.person_id),
                organisation_id: Set(r.to_organisation_id),
                practitioner_id: Set(Some(practitioner_id)),
                plan_review_suggested: Set(false),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    record_change(
        txn,
        p,
        &s,
        (
            "psych_support.assign",
            events::event_type("psych_support.practitioner_assigned"),
        ),
        ("Practitioner", practitioner_id),
        Audience::ProviderAndCase,
        json!({"practitionerId": practitioner_id}),
    )
    .await?;
    Ok(s)
}

/// Share a summary of the work with the agencies supervising the case.
pub async fn share_summary(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    summary: &str,
) -> ApiResult<SupportView> {
    let summary = validate::required("input.summary", summary, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let (_, s) = work_in_progress(&txn, p, referral_id).await?;
    let at = now();
    let mut row: support::ActiveModel = s.into();
    row.shared_summary = Set(Some(summary));
    row.shared_summary_at = Set(Some(at));
    row.updated_at = Set(at);
    let s = row.update(&txn).await?;
    record_change(
        &txn,
        p,
        &s,
        (
            "psych_support.summary.share",
            events::event_type("psych_support.summary_shared"),
        ),
        ("PsychSupport", s.id),
        Audience::ProviderAndCase,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    view(db, s).await
}

/// A referral of this module under way (ACCEPTED or IN_PROGRESS), locked for a change by
/// one of the provider's practitioners, with its support record.
pub async fn work_in_progress(
    txn: &DatabaseTransaction,
    p: &Principal,
    referral_id: i64,
) -> ApiResult<(referral::Model, support::Model)> {
    let r = PRACTISE.begin(txn, p, referral_id).await?;
    let s = support_of(txn, r.id)
        .await?
        .ok_or_else(|| ApiError::Conflict("assign a practitioner to the referral first".into()))?;
    Ok((r, s))
}

/// The support record of a referral, if it has one.
pub async fn support_of<C: ConnectionTrait>(db: &C, referral_id: i64) -> ApiResult<Option<support::Model>> {
    Ok(support::Entity::find()
        .filter(support::Column::ReferralId.eq(referral_id))
        .one(db)
        .await?)
}
