//! Drafting a referral and sending it: under a live consent covering the recipient and
//! the module's purpose, or under a recorded legal basis (audited as an override).

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait};
use serde_json::{Value as Json, json};

use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::service as cases;
use crate::consent::service as consents;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::module::Registry;
use crate::module::service as modules;
use crate::organisation::entity as organisation;
use crate::plan::entity::goal;
use crate::referral::entity::{LegalBasis, ReferralStatus, referral};
use crate::referral::lifecycle::{Step, next};
use crate::validate;

use super::write::{event_payload, finish_step, record_transition};
use super::{get_for_change, refuse_closed_case, side_of};

/// A referral to create (as a DRAFT).
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub case_id: i64,
    pub kind: String,
    pub to_organisation_id: i64,
    pub summary: String,
    pub payload: Json,
    /// The plan goal (of the same case) the referral serves.
    pub plan_goal_id: Option<i64>,
}

/// Draft a referral of a case the caller supervises to a partner organisation that
/// delivers the kind's module.
pub async fn create(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    new: NewReferral,
) -> ApiResult<referral::Model> {
    let Some((module, kind)) = registry.referral_kind(&new.kind) else {
        return Err(ApiError::bad_input(
            "input.kind",
            format!("no installed module handles referrals of kind {:?}", new.kind),
        ));
    };
    let summary = validate::required("input.summary", &new.summary, validate::LONG_TEXT)?;
    let payload = module
        .validate_referral_payload(kind.code, &new.payload)
        .map_err(|e| ApiError::bad_input("input.payload", e.0))?;

    let txn = write_txn(db).await?;
    let (c, _) = cases::get_for(&txn, p, new.case_id, CaseAccess::Supervise).await?;
    if crate::case::lifecycle::is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let to = check_recipient(&txn, registry, p, new.to_organisation_id, module.id()).await?;
    check_goal(&txn, new.plan_goal_id, c.id).await?;
    let at = now();
    let row = referral::ActiveModel {
        case_id: Set(c.id),
        plan_goal_id: Set(new.plan_goal_id),
        person_id: Set(c.person_id),
        module_id: Set(module.id().to_owned()),
        kind: Set(kind.code.to_owned()),
        from_organisation_id: Set(p.organisation_id),
        to_organisation_id: Set(to.id),
        status: Set(ReferralStatus::Draft),
        summary: Set(summary),
        payload: Set(payload),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_transition(&txn, p, &row, None, None, None).await?;
    audit::record(
        &txn,
        p,
        Entry::new("referral.create")
            .target("Referral", row.id)
            .case(row.case_id)
            .detail(json!({"kind": row.kind, "to": row.to_organisation_id})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        // A draft is the referrer's own: its event is addressed to no organisation, and
        // only those who supervise the case see it.
        NewEvent::new("referral.created", "Referral", row.id)
            .case(row.case_id)
            .payload(event_payload(&row, None)),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The organisation a referral goes to: active, another than the caller's, and
/// delivering `module_id`.
async fn check_recipient(
    txn: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
    to_organisation_id: i64,
    module_id: &str,
) -> ApiResult<organisation::Model> {
    let to = organisation::Entity::find_by_id(to_organisation_id)
        .one(txn)
        .await?
        .filter(|o| o.active)
        .ok_or_else(|| ApiError::bad_input("input.toOrganisationId", "no such active organisation"))?;
    if to.id == p.organisation_id {
        return Err(ApiError::bad_input(
            "input.toOrganisationId",
            "a referral goes to another organisation",
        ));
    }
    if !modules::is_enabled_for(txn, registry, to.id, module_id).await? {
        return Err(ApiError::bad_input(
            "input.toOrganisationId",
            format!("the organisation does not deliver module {module_id}"),
        ));
    }
    Ok(to)
}

/// The plan goal a referral serves, if named, must be of the referral's case.
async fn check_goal(txn: &DatabaseTransaction, goal_id: Option<i64>, case_id: i64) -> ApiResult<()> {
    let Some(goal_id) = goal_id else {
        return Ok(());
    };
    let serves = goal::Entity::find_by_id(goal_id)
        .one(txn)
        .await?
        .is_some_and(|g| g.case_id == case_id);
    if !serves {
        return Err(ApiError::bad_input(
            "input.planGoalId",
            "no such goal in the plan of this case",
        ));
    }
    Ok(())
}

/// How a referral may be sent without the person's consent.
#[derive(Debug, Clone)]
pub struct Override {
    pub basis: LegalBasis,
    pub reason: String,
}

/// Send a draft to its partner: under a live consent covering the recipient and the
/// module's purpose, or under a recorded legal basis.
pub async fn send(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    id: i64,
    legal_basis: Option<Override>,
) -> ApiResult<referral::Model> {
    let legal_basis = legal_basis
        .map(|o| {
            validate::required("input.legalBasisReason", &o.reason, validate::LONG_TEXT)
                .map(|reason| Override { reason, ..o })
        })
        .transpose()?;
    let txn = write_txn(db).await?;
    let r = get_for_change(&txn, p, id).await?;
    let side = side_of(&txn, p, &r).await?;
    next(r.status, Step::Send, side)?;
    refuse_closed_case(&txn, r.case_id).await?;
    let to = organisation::Entity::find_by_id(r.to_organisation_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Organisation"))?;
    if !to.active || !modules::is_enabled_for(&txn, registry, to.id, &r.module_id).await? {
        return Err(ApiError::Conflict(format!(
            "the recipient no longer delivers module {}",
            r.module_id
        )));
    }
    let consent = consents::live_consent_for(&txn, r.person_id, &r.module_id, &to).await?;
    if consent.is_none() && legal_basis.is_none() {
        return Err(ApiError::Conflict(format!(
            "the person has no live consent for {} covering the recipient: record one, or send under a legal basis",
            r.module_id
        )));
    }
    let hours = registry
        .referral_kind(&r.kind)
        .map_or(72, |(_, k)| i64::from(k.first_response_hours));
    let at = now();
    let mut row: referral::ActiveModel = r.clone().into();
    row.consent_id = Set(consent.as_ref().map(|c| c.id));
    if consent.is_none()
        && let Some(o) = &legal_basis
    {
        row.legal_basis = Set(Some(o.basis));
        row.legal_basis_note = Set(Some(o.reason.clone()));
    }
    row.sent_at = Set(Some(at));
    row.first_response_due_at = Set(Some(at + Duration::hours(hours)));
    let row = finish_step(&txn, p, r.status, row, Step::Send, None).await?;
    if consent.is_none() {
        audit::record(
            &txn,
            p,
            Entry::new("referral.consent_override")
                .target("Referral", row.id)
                .case(row.case_id)
                .detail(json!({"legalBasis": row.legal_basis.map(|b| format!("{b:?}"))})),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(row)
}
