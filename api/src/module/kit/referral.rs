//! The preamble of work a module does under one of its referrals: an application for a
//! vacancy or an intake, a session, a screening. Every such change starts the same way,
//! in its transaction: load and lock the referral (NOT_FOUND for a caller who may not see
//! it, or one of another module), check that the caller is one of the users of the
//! receiving organisation who do this work (FORBIDDEN), and that the referral is in a
//! status where the work may be done (CONFLICT). [`Work::begin`] does exactly that.

use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QuerySelect};

use crate::access::{CaseAccess, PARTNER_ROLES, cases_with_access, of_cases, require_partner_staff};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::error::{ApiError, ApiResult};
use crate::referral::entity::{ReferralStatus, referral};
use crate::referral::lifecycle::Step;
use crate::referral::service::{get_of_module_for_change, step_in};
use crate::user::entity::Role;

/// Statuses in which a referral is open for work: sent (accepted on the way, see
/// [`accept_if_sent`]), accepted, or in progress.
pub const OPEN: &[ReferralStatus] = &[
    ReferralStatus::Sent,
    ReferralStatus::Accepted,
    ReferralStatus::InProgress,
];

/// Statuses of a referral the receiving organisation took on: accepted or in progress.
pub const UNDER_WAY: &[ReferralStatus] = &[ReferralStatus::Accepted, ReferralStatus::InProgress];

/// One kind of work under a module's referrals: who does it, and when.
#[derive(Debug, Clone, Copy)]
pub struct Work {
    /// The module whose referrals it is done under.
    pub module: &'static str,
    /// The roles, in the receiving organisation, of the users who do it.
    pub roles: &'static [Role],
    /// What anyone else is told (FORBIDDEN).
    pub refused: &'static str,
    /// The statuses of the referral it may be done in; empty for any (the referral's
    /// own lifecycle then decides).
    pub statuses: &'static [ReferralStatus],
    /// What a referral in another status answers (CONFLICT).
    pub not_now: &'static str,
}

impl Work {
    /// Applying, for the referred person, for what the module offers (a vacancy, an
    /// intake): the staff of the organisation the referral is addressed to, while the
    /// referral is open (a SENT one is accepted on the way, see [`accept_if_sent`]).
    pub const fn application(module: &'static str) -> Self {
        Self {
            module,
            roles: PARTNER_ROLES,
            refused: "only the organisation the referral is addressed to applies",
            statuses: OPEN,
            not_now: "the referral is not open",
        }
    }

    /// Load and lock referral `referral_id` for this work by `p`, in `txn`.
    pub async fn begin(
        &self,
        txn: &DatabaseTransaction,
        p: &Principal,
        referral_id: i64,
    ) -> ApiResult<referral::Model> {
        let r = get_of_module_for_change(txn, p, referral_id, self.module).await?;
        if !self.done_by(p, &r) {
            return Err(ApiError::Forbidden(self.refused.into()));
        }
        if !self.statuses.is_empty() && !self.statuses.contains(&r.status) {
            return Err(ApiError::Conflict(self.not_now.into()));
        }
        Ok(r)
    }

    /// Whether `p` is one of the users of the referral's recipient who do this work.
    pub fn done_by(&self, p: &Principal, r: &referral::Model) -> bool {
        r.to_organisation_id == p.organisation_id && p.has_any_role(self.roles)
    }
}

/// Accept a SENT referral: the first piece of work on it (an application) takes it on.
pub async fn accept_if_sent(txn: &DatabaseTransaction, p: &Principal, r: &referral::Model) -> ApiResult<()> {
    if r.status == ReferralStatus::Sent {
        step_in(txn, p, r.id, Step::Accept, None).await?;
    }
    Ok(())
}

/// The referral's case, locked against closing while the work is recorded; CONFLICT
/// when it is closed already.
pub async fn open_case(txn: &DatabaseTransaction, case_id: i64) -> ApiResult<case::Model> {
    let c = case::Entity::find_by_id(case_id)
        .lock_shared()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    Ok(c)
}

/// Lock the referral of a record a module keeps under it (an application, an
/// enrolment), for a change by the staff of the organisation that owns the record
/// (`owner`). A caller who may not see the referral is told the record (`type_name`)
/// does not exist; one who may see it but does not work it is refused.
pub async fn for_record(
    txn: &DatabaseTransaction,
    p: &Principal,
    module: &str,
    referral_id: i64,
    owner: i64,
    type_name: &'static str,
) -> ApiResult<referral::Model> {
    let r = get_of_module_for_change(txn, p, referral_id, module)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound(type_name),
            other => other,
        })?;
    require_partner_staff(p, owner)?;
    Ok(r)
}

/// The records a module keeps under its referrals (applications, enrolments, support
/// records) that `p` may see: those of the cases they supervise, and, for partner staff,
/// those their organisation (`owner`) works. `case` and `owner` are the record table's
/// `case_id` and `organisation_id` columns.
pub fn visible_records(p: &Principal, owner: impl ColumnTrait, case: impl ColumnTrait) -> Condition {
    let mut any = Condition::any().add(of_cases(case, cases_with_access(p, CaseAccess::Supervise)));
    if p.has_any_role(PARTNER_ROLES) {
        any = any.add(owner.eq(p.organisation_id));
    }
    any
}
