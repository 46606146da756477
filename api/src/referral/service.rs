//! Referrals of a case to partner organisations.
//!
//! The referring side is a supervising agency with at least Supervise access to the
//! case; the receiving side is staff (or the admin) of the partner organisation, which
//! must have the referral kind's module enabled. A referral is SENT only under a live
//! consent that covers the recipient and purpose, or a recorded legal basis (audited as
//! an override). Every step writes its transition, audit record and domain event in one
//! transaction.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::{Value as Json, json};

use super::entity::{LegalBasis, ReferralStatus, WithdrawalReason, referral};
use super::lifecycle::{Side, Step, next};
use super::steps::{event_payload, finish_step, record_transition};
use crate::access::CaseAccess;
/// Who sees a referral is an access rule; kept at this path for the module crates.
pub use crate::access::partner::{is_recipient, visible_referrals};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::service as cases;
use crate::consent::service as consents;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::module::Registry;
use crate::module::service as modules;
use crate::organisation::entity as organisation;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::plan::entity::goal;
use crate::validate;

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

/// Filters of the referral list.
#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    /// Only referrals the caller's organisation received (`Some(true)`) or sent (`Some(false)`).
    pub incoming: Option<bool>,
    pub statuses: Vec<ReferralStatus>,
    pub case_id: Option<i64>,
    pub module_id: Option<String>,
    pub kind: Option<String>,
    pub overdue: Option<bool>,
}

/// Load a referral the caller may see, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<referral::Model> {
    referral::Entity::find_by_id(id)
        .filter(visible_referrals(p))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Referral"))
}

/// The referral the caller's organisation received under its own `external_id` (unique
/// per recipient organisation), if the caller may see it.
pub async fn by_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    external_id: &str,
) -> ApiResult<Option<referral::Model>> {
    crate::external_id::find(
        db,
        p,
        referral::Entity::find().filter(visible_referrals(p)),
        referral::Column::ToOrganisationId,
        referral::Column::ExternalId,
        external_id,
    )
    .await
}

/// Load a referral the caller may see for a change, locking its row until the
/// transaction ends (PostgreSQL; SQLite's write transaction already excludes other
/// writers), so two concurrent steps cannot both start from the same status.
async fn get_for_change(txn: &DatabaseTransaction, p: &Principal, id: i64) -> ApiResult<referral::Model> {
    referral::Entity::find_by_id(id)
        .filter(visible_referrals(p))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Referral"))
}

/// The side `p` acts on for `r`: the recipient's staff, or a supervising agency of the
/// referring organisation with Supervise access to the case.
async fn side_of<C: ConnectionTrait>(db: &C, p: &Principal, r: &referral::Model) -> ApiResult<Side> {
    if is_recipient(p, r) {
        return Ok(Side::Recipient);
    }
    if r.from_organisation_id == p.organisation_id {
        cases::get_for(db, p, r.case_id, CaseAccess::Supervise).await?;
        return Ok(Side::Referrer);
    }
    Err(ApiError::forbidden())
}

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
    let to = organisation::Entity::find_by_id(new.to_organisation_id)
        .one(&txn)
        .await?
        .filter(|o| o.active)
        .ok_or_else(|| ApiError::bad_input("input.toOrganisationId", "no such active organisation"))?;
    if to.id == p.organisation_id {
        return Err(ApiError::bad_input(
            "input.toOrganisationId",
            "a referral goes to another organisation",
        ));
    }
    if !modules::is_enabled_for(&txn, registry, to.id, module.id()).await? {
        return Err(ApiError::bad_input(
            "input.toOrganisationId",
            format!("the organisation does not deliver module {}", module.id()),
        ));
    }
    if let Some(goal_id) = new.plan_goal_id {
        let serves = goal::Entity::find_by_id(goal_id)
            .one(&txn)
            .await?
            .is_some_and(|g| g.case_id == c.id);
        if !serves {
            return Err(ApiError::bad_input(
                "input.planGoalId",
                "no such goal in the plan of this case",
            ));
        }
    }
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

/// Load, for a change inside `txn`, a referral of `module_id` that the caller may see,
/// locking its row until the transaction ends; NOT_FOUND for any other (a module never
/// learns of referrals that are not its own).
pub async fn get_of_module_for_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    module_id: &str,
) -> ApiResult<referral::Model> {
    Some(get_for_change(txn, p, id).await?)
        .filter(|r| r.module_id == module_id)
        .ok_or(ApiError::NotFound("Referral"))
}

/// Load a referral of `module_id` that the caller may see, or NOT_FOUND.
pub async fn get_of_module<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    module_id: &str,
) -> ApiResult<referral::Model> {
    Some(get(db, p, id).await?)
        .filter(|r| r.module_id == module_id)
        .ok_or(ApiError::NotFound("Referral"))
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

/// Refuse to move a referral forward for a case that has been closed.
async fn refuse_closed_case(txn: &DatabaseTransaction, case_id: i64) -> ApiResult<()> {
    // Shared lock: a concurrent closing of the case commits first and is seen here.
    let c = case::Entity::find_by_id(case_id)
        .lock_shared()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    if crate::case::lifecycle::is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    Ok(())
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

/// Referrals the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: ReferralFilter,
    page: Page,
) -> ApiResult<Paged<referral::Model>> {
    let mut cond = Condition::all().add(visible_referrals(p));
    match f.incoming {
        Some(true) => cond = cond.add(referral::Column::ToOrganisationId.eq(p.organisation_id)),
        Some(false) => cond = cond.add(referral::Column::FromOrganisationId.eq(p.organisation_id)),
        None => {}
    }
    if !f.statuses.is_empty() {
        cond = cond.add(referral::Column::Status.is_in(f.statuses));
    }
    if let Some(id) = f.case_id {
        cond = cond.add(referral::Column::CaseId.eq(id));
    }
    if let Some(m) = f.module_id {
        cond = cond.add(referral::Column::ModuleId.eq(m));
    }
    if let Some(k) = f.kind {
        cond = cond.add(referral::Column::Kind.eq(k));
    }
    match f.overdue {
        Some(true) => {
            cond = cond
                .add(referral::Column::Status.eq(ReferralStatus::Sent))
                .add(referral::Column::FirstResponseDueAt.lt(now()));
        }
        Some(false) => {
            cond = cond.add(
                Condition::any()
                    .add(referral::Column::Status.ne(ReferralStatus::Sent))
                    .add(referral::Column::FirstResponseDueAt.gte(now())),
            );
        }
        None => {}
    }
    paginate(
        db,
        referral::Entity::find().filter(cond),
        referral::Column::Id,
        page,
        Order::Descending,
    )
    .await
}
