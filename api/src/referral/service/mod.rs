//! Referrals of a case to partner organisations.
//!
//! The referring side is a supervising agency with at least Supervise access to the
//! case; the receiving side is staff (or the admin) of the partner organisation, which
//! must have the referral kind's module enabled. A referral is SENT only under a live
//! consent that covers the recipient and purpose, or a recorded legal basis (audited as
//! an override). Every step writes its transition, audit record and domain event in one
//! transaction.
//!
//! Reading and loading are here; drafting and sending `draft.rs`, the other steps (and
//! the recipient's own reference) `steps.rs`, and how a step is written `write.rs`.

mod draft;
mod steps;
mod write;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};

use crate::access::CaseAccess;
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::service as cases;
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::referral::entity::{ReferralStatus, referral};
use crate::referral::lifecycle::Side;

pub use draft::{NewReferral, Override, create, send};
pub use steps::{set_external_id, step, step_in, withdraw_relying_on};

/// Who sees a referral is an access rule; kept at this path for the module crates.
pub use crate::access::partner::{is_recipient, visible_referrals};

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
pub(super) async fn get_for_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
) -> ApiResult<referral::Model> {
    referral::Entity::find_by_id(id)
        .filter(visible_referrals(p))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Referral"))
}

/// The side `p` acts on for `r`: the recipient's staff, or a supervising agency of the
/// referring organisation with Supervise access to the case.
pub(super) async fn side_of<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    r: &referral::Model,
) -> ApiResult<Side> {
    if is_recipient(p, r) {
        return Ok(Side::Recipient);
    }
    if r.from_organisation_id == p.organisation_id {
        cases::get_for(db, p, r.case_id, CaseAccess::Supervise).await?;
        return Ok(Side::Referrer);
    }
    Err(ApiError::forbidden())
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

/// Refuse to move a referral forward for a case that has been closed.
pub(super) async fn refuse_closed_case(txn: &DatabaseTransaction, case_id: i64) -> ApiResult<()> {
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
