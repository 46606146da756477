//! The steps after sending — accept, decline, start, complete, cancel, withdraw — taken
//! by either side or by the platform (a withdrawn consent), and the recipient's own
//! reference.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};

use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::referral::entity::{ReferralStatus, WithdrawalReason, referral};
use crate::referral::lifecycle::{Side, Step, next};
use crate::validate;

use super::write::{event_payload, finish_step};
use super::{get_for_change, is_recipient, refuse_closed_case, side_of};

/// Any step but sending: accept, decline, start, complete, cancel, withdraw.
pub async fn step(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    step: Step,
    note: Option<&str>,
    external_id: Option<&str>,
) -> ApiResult<referral::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    if step.reason_is_other() && note.is_none() {
        return Err(ApiError::bad_input("input.note", "explain the reason OTHER"));
    }
    let external_id = crate::external_id::to_set("input.externalId", external_id)?;
    let txn = write_txn(db).await?;
    let row = checked_step(&txn, p, id, step, note, external_id).await?;
    txn.commit().await?;
    Ok(row)
}

/// Take a step inside the caller's transaction, with every check [`step`] makes: for a
/// module that closes a referral together with its own records (a closing summary, a
/// completed enrolment), so that both commit or neither does. `note` must already be
/// validated; the caller has checked any module-specific rights.
pub async fn step_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    step: Step,
    note: Option<String>,
) -> ApiResult<referral::Model> {
    if step.reason_is_other() && note.is_none() {
        return Err(ApiError::bad_input("input.note", "explain the reason OTHER"));
    }
    if step == Step::Send {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "a referral is sent through referral::service::send"
        )));
    }
    checked_step(txn, p, id, step, note, None).await
}

async fn checked_step(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    step: Step,
    note: Option<String>,
    external_id: Option<String>,
) -> ApiResult<referral::Model> {
    let r = get_for_change(txn, p, id).await?;
    let side = side_of(txn, p, &r).await?;
    next(r.status, step, side)?;
    if matches!(step, Step::Accept | Step::Start) {
        refuse_closed_case(txn, r.case_id).await?;
    }
    let mut row: referral::ActiveModel = r.clone().into();
    if let Some(ext) = external_id {
        if side != Side::Recipient {
            return Err(ApiError::bad_input(
                "input.externalId",
                "only the recipient sets its own reference",
            ));
        }
        row.external_id = Set(Some(ext));
    }
    finish_step(txn, p, r.status, row, step, note).await
}

/// Set the recipient's own reference for a referral (recipient staff).
pub async fn set_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    external_id: Option<&str>,
) -> ApiResult<referral::Model> {
    let external_id = crate::external_id::to_set("input.externalId", external_id)?;
    let txn = write_txn(db).await?;
    let r = get_for_change(&txn, p, id).await?;
    if !is_recipient(p, &r) {
        return Err(ApiError::forbidden());
    }
    if r.status.is_final() {
        return Err(ApiError::Conflict("the referral is closed".into()));
    }
    let mut row: referral::ActiveModel = r.into();
    row.external_id = Set(external_id);
    row.updated_at = Set(now());
    let row = row
        .update(&txn)
        .await
        .map_err(|e| ApiError::conflict_on_unique(e, "another referral has this external id"))?;
    audit::record(
        &txn,
        p,
        Entry::new("referral.set_external_id")
            .target("Referral", row.id)
            .case(row.case_id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("referral.updated", "Referral", row.id)
            .case(row.case_id)
            .organisation(row.to_organisation_id)
            .payload(event_payload(&row, None)),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Cancel, on behalf of the platform, every referral under way that relies on a consent
/// being withdrawn. Returns how many were cancelled.
pub async fn withdraw_relying_on(
    txn: &DatabaseTransaction,
    p: &Principal,
    consent_id: i64,
) -> ApiResult<usize> {
    let open = referral::Entity::find()
        .filter(referral::Column::ConsentId.eq(consent_id))
        .filter(referral::Column::Status.is_in([
            ReferralStatus::Sent,
            ReferralStatus::Accepted,
            ReferralStatus::InProgress,
        ]))
        .lock_exclusive()
        .all(txn)
        .await?;
    let count = open.len();
    let step = Step::Withdraw(WithdrawalReason::ConsentWithdrawn);
    for r in open {
        next(r.status, step, Side::Platform)?;
        let from = r.status;
        finish_step(txn, p, from, r.into(), step, None).await?;
    }
    Ok(count)
}
