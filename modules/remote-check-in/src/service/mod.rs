//! The module's rules, one file per concept:
//!
//! - `enrolment.rs`: the officer enrols a case's person, revokes, sends a new code;
//! - `activation.rs`: the app exchanges code and birth date for device-bound tokens;
//! - `person_view.rs`: what the person sees of their own supervision;
//! - `check_ins.rs`: a submission inside its window, its photo upload;
//! - `review.rs`: the officer's queue, review, callbacks and photo views;
//! - `sweep.rs`: reminders, expiry and photo retention as of a time;
//! - `messages.rs`: the outbox and its delivery through the notifier.

pub mod activation;
pub mod check_ins;
pub mod enrolment;
pub mod messages;
pub mod person_view;
pub mod review;
pub mod sweep;

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::Registry;
use hamkor_api::module::service::is_enabled_for;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::entity::{self, CheckInEnrolmentStatus};

/// The enrolment behind a supervised person's own token: FORBIDDEN for anyone else, and
/// for a person whose enrolment was revoked.
pub async fn own_enrolment<C: ConnectionTrait>(db: &C, p: &Principal) -> ApiResult<entity::enrolment::Model> {
    if !p.is_supervised_person() {
        return Err(ApiError::Forbidden("only the supervised person's own app".into()));
    }
    entity::enrolment::Entity::find()
        .filter(entity::enrolment::Column::UserId.eq(p.user_id))
        .filter(entity::enrolment::Column::Status.eq(CheckInEnrolmentStatus::Active))
        .one(db)
        .await?
        .ok_or_else(ApiError::forbidden)
}

/// Refuse with `MODULE_DISABLED` when `organisation_id` no longer has the module on (it
/// was switched off after the person's enrolment): an activation, a photo upload or a
/// check-in then writes nothing.
pub async fn require_module_on<C: ConnectionTrait>(
    db: &C,
    modules: &Registry,
    organisation_id: i64,
) -> ApiResult<()> {
    if is_enabled_for(db, modules, organisation_id, crate::ID).await? {
        Ok(())
    } else {
        Err(ApiError::ModuleDisabled(crate::ID.into()))
    }
}

/// The digest an activation code is kept as (bound to its enrolment).
pub(crate) fn code_digest(enrolment_id: i64, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("rci:{enrolment_id}:{code}").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
