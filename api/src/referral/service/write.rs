//! Writing a checked step: the referral row, its transition, audit record and event.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};
use serde_json::{Value as Json, json};

use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::referral::entity::{ReferralStatus, referral, transition};
use crate::referral::lifecycle::{Step, name};

/// Apply a checked step: status, timestamps, reason, transition row, audit and event.
pub(super) async fn finish_step(
    txn: &DatabaseTransaction,
    p: &Principal,
    from: ReferralStatus,
    mut row: referral::ActiveModel,
    step: Step,
    note: Option<String>,
) -> ApiResult<referral::Model> {
    let at = now();
    let to = match step {
        Step::Send => ReferralStatus::Sent,
        Step::Accept => ReferralStatus::Accepted,
        Step::Decline(_) => ReferralStatus::Declined,
        Step::Start => ReferralStatus::InProgress,
        Step::Complete => ReferralStatus::Completed,
        Step::Cancel(_) | Step::Withdraw(_) => ReferralStatus::Cancelled,
    };
    row.status = Set(to);
    row.updated_at = Set(at);
    match step {
        Step::Accept => row.responded_at = Set(Some(at)),
        Step::Decline(reason) => {
            row.responded_at = Set(Some(at));
            row.decline_reason = Set(Some(reason));
        }
        Step::Cancel(reason) => row.cancel_reason = Set(Some(reason)),
        Step::Withdraw(reason) => row.withdrawal_reason = Set(Some(reason)),
        Step::Send | Step::Start | Step::Complete => {}
    }
    if to.is_final() {
        row.closed_at = Set(Some(at));
    }
    let row = row
        .update(txn)
        .await
        .map_err(|e| ApiError::conflict_on_unique(e, "another referral has this external id"))?;
    record_transition(txn, p, &row, Some(from), step.reason(), note).await?;
    audit::record(
        txn,
        p,
        Entry::new("referral.transition")
            .target("Referral", row.id)
            .case(row.case_id)
            .detail(json!({"from": name(from), "to": name(to), "reason": step.reason()})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        addressed(
            NewEvent::new("referral.status_changed", "Referral", row.id)
                .case(row.case_id)
                .payload(event_payload(&row, Some(from))),
            &row,
            from,
        ),
    )
    .await?;
    Ok(row)
}

pub(super) async fn record_transition(
    txn: &DatabaseTransaction,
    p: &Principal,
    r: &referral::Model,
    from: Option<ReferralStatus>,
    reason: Option<String>,
    note: Option<String>,
) -> ApiResult<()> {
    transition::ActiveModel {
        referral_id: Set(r.id),
        from_status: Set(from),
        to_status: Set(r.status),
        reason: Set(reason),
        note: Set(note),
        actor_user_id: Set(Some(p.user_id)),
        actor_organisation_id: Set(Some(p.organisation_id)),
        at: Set(r.updated_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Address a referral event to the recipient once the referral has been sent; while
/// (and when leaving) a draft the recipient never saw, to no organisation: only those
/// who supervise the case see it.
fn addressed(event: NewEvent, r: &referral::Model, from: ReferralStatus) -> NewEvent {
    if from == ReferralStatus::Draft && r.status != ReferralStatus::Sent {
        event
    } else {
        event.organisation(r.to_organisation_id)
    }
}

/// Ids and enumerations only: subscribers re-read what they may see.
pub(super) fn event_payload(r: &referral::Model, from: Option<ReferralStatus>) -> Json {
    json!({
        "referralId": r.id,
        "kind": r.kind,
        "module": r.module_id,
        "status": name(r.status),
        "from": from.map(name),
        "fromOrganisationId": r.from_organisation_id,
        "toOrganisationId": r.to_organisation_id,
    })
}
