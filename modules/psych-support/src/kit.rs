//! Referral steps taken inside the module's own transaction.
//!
//! Stand-ins for the core's module kit (`referral::service::get_of_module_for_change`,
//! `step_in`, `plan::service::record_referral_outcome`), with the same signatures, so
//! that switching to the core's is a change of imports.

use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::case;
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::plan::entity::{GoalStatus, goal};
use hamkor_api::referral::entity::{ReferralStatus, referral, transition};
use hamkor_api::referral::lifecycle::{Side, Step, name, next};
use hamkor_api::referral::service::{is_recipient, visible_referrals};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

/// A referral of `module_id` the caller may see, row-locked; NOT_FOUND otherwise.
pub async fn get_of_module_for_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    module_id: &str,
) -> ApiResult<referral::Model> {
    referral::Entity::find_by_id(id)
        .filter(visible_referrals(p))
        .filter(referral::Column::ModuleId.eq(module_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Referral"))
}

/// A recipient's lifecycle step (accept, start, complete) inside `txn`.
pub async fn step_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    step: Step,
    note: Option<String>,
) -> ApiResult<referral::Model> {
    let r = referral::Entity::find_by_id(id)
        .filter(visible_referrals(p))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Referral"))?;
    let side = if is_recipient(p, &r) {
        Side::Recipient
    } else {
        Side::Referrer
    };
    let to = next(r.status, step, side)?;
    if matches!(step, Step::Accept | Step::Start) {
        let c = case::Entity::find_by_id(r.case_id)
            .lock_shared()
            .one(txn)
            .await?
            .ok_or(ApiError::NotFound("Case"))?;
        if hamkor_api::case::lifecycle::is_closed(c.status) {
            return Err(ApiError::Conflict("the case is closed".into()));
        }
    }
    let from = r.status;
    let at = now();
    let mut row: referral::ActiveModel = r.into();
    row.status = Set(to);
    row.updated_at = Set(at);
    if step == Step::Accept {
        row.responded_at = Set(Some(at));
    }
    if to.is_final() {
        row.closed_at = Set(Some(at));
    }
    let row = row.update(txn).await?;
    transition::ActiveModel {
        referral_id: Set(row.id),
        from_status: Set(Some(from)),
        to_status: Set(to),
        reason: Set(None),
        note: Set(note),
        actor_user_id: Set(Some(p.user_id)),
        actor_organisation_id: Set(Some(p.organisation_id)),
        at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("referral.transition")
            .target("Referral", row.id)
            .case(row.case_id)
            .detail(json!({"from": name(from), "to": name(to), "reason": null})),
    )
    .await?;
    let mut event = NewEvent::new("referral.status_changed", "Referral", row.id)
        .case(row.case_id)
        .payload(json!({
            "referralId": row.id,
            "kind": row.kind,
            "module": row.module_id,
            "status": name(row.status),
            "from": name(from),
            "fromOrganisationId": row.from_organisation_id,
            "toOrganisationId": row.to_organisation_id,
        }));
    if from != ReferralStatus::Draft {
        event = event.organisation(row.to_organisation_id);
    }
    events::emit(txn, Some(p), event).await?;
    Ok(row)
}

/// Write the partner's result onto the plan goal the referral serves; none is named
/// until referrals carry one.
pub async fn record_referral_outcome(
    _txn: &DatabaseTransaction,
    _p: &Principal,
    _referral: &referral::Model,
    _status: GoalStatus,
    _result: &str,
) -> ApiResult<Option<goal::Model>> {
    Ok(None)
}
