//! The app's first call: the activation code and the person's birth date, for tokens
//! bound to this device. A code works once, expires after `CODE_MINUTES`, and is spent
//! after `MAX_ATTEMPTS` wrong tries; a wrong birth date counts as a wrong try. A new
//! device replaces the enrolment's previous one (its session ends).

use chrono::NaiveDate;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::RequestMeta;
use hamkor_api::auth::service::{open_session, revoke_sessions};
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::person::entity as person;
use hamkor_api::state::AppState;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::enrolment::phone;
use crate::entity::{CheckInEnrolmentStatus, activation_code, device, enrolment};

/// Wrong tries a code survives.
pub const MAX_ATTEMPTS: i32 = 5;
/// Code of a wrong, reused or spent code (or a wrong birth date).
pub const CODE_INVALID: &str = "ACTIVATION_CODE_INVALID";
/// Code of a code past its expiry.
pub const CODE_EXPIRED: &str = "ACTIVATION_CODE_EXPIRED";

/// Tokens of an activated device.
pub struct DeviceTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub enrolment: enrolment::Model,
}

/// What the app sends.
pub struct Activation {
    pub phone: String,
    pub code: String,
    pub birth_date: NaiveDate,
    pub device_id: String,
}

fn invalid() -> ApiError {
    ApiError::refused(
        CODE_INVALID,
        "the code is wrong, used or spent, or the birth date does not match",
    )
}

/// Exchange a code for device tokens.
pub async fn activate(st: &AppState, meta: &RequestMeta, a: Activation) -> ApiResult<DeviceTokens> {
    let db = &st.db;
    let device_id = a.device_id.trim();
    if device_id.is_empty() || device_id.len() > 100 {
        return Err(ApiError::bad_input("input.deviceId", "1 to 100 characters"));
    }
    let phone = phone(&a.phone)?;
    let code = a.code.trim();
    let txn = write_txn(db).await?;
    let Some(e) = enrolment::Entity::find()
        .filter(enrolment::Column::Phone.eq(phone.as_str()))
        .filter(enrolment::Column::Status.eq(CheckInEnrolmentStatus::Active))
        .order_by_desc(enrolment::Column::Id)
        .one(&txn)
        .await?
    else {
        return Err(invalid());
    };
    let Some(latest) = activation_code::Entity::find()
        .filter(activation_code::Column::EnrolmentId.eq(e.id))
        .order_by_desc(activation_code::Column::Id)
        .one(&txn)
        .await?
    else {
        return Err(invalid());
    };
    // The organisation may have switched the module off since the enrolment: a right
    // code then answers MODULE_DISABLED, a wrong one is refused as ever, and neither
    // writes anything (no try counted, no device, no session).
    let module_on = super::require_module_on(&txn, &st.modules, e.organisation_id)
        .await
        .is_ok();
    let at = now();
    let digest = super::code_digest(e.id, code);
    let stored = activation_code::Entity::find()
        .filter(activation_code::Column::EnrolmentId.eq(e.id))
        .filter(activation_code::Column::CodeHash.eq(digest))
        .one(&txn)
        .await?;
    let birth_ok = person::Entity::find_by_id(e.person_id)
        .one(&txn)
        .await?
        .is_some_and(|p| p.birth_date == a.birth_date);
    let usable = |c: &activation_code::Model| c.used_at.is_none() && c.failed_attempts < MAX_ATTEMPTS;
    let found = match stored {
        Some(c) if usable(&c) && birth_ok && c.expires_at > at && !module_on => {
            return Err(ApiError::ModuleDisabled(crate::ID.into()));
        }
        Some(c) if usable(&c) && birth_ok && c.expires_at > at => c,
        Some(c) if usable(&c) && birth_ok => {
            return Err(ApiError::refused(
                CODE_EXPIRED,
                "the code has expired; ask the officer for a new one",
            ));
        }
        _ if !module_on => return Err(invalid()),
        other => {
            // A wrong try counts against the code in force, and is kept even though
            // the request fails.
            let target = other.filter(usable).map_or(latest.id, |c| c.id);
            activation_code::Entity::update_many()
                .col_expr(
                    activation_code::Column::FailedAttempts,
                    Expr::col(activation_code::Column::FailedAttempts).add(1),
                )
                .filter(activation_code::Column::Id.eq(target))
                .exec(&txn)
                .await?;
            audit::record_anonymous(
                &txn,
                Some(e.user_id),
                meta,
                Entry::new("remote_check_in.activation_failed").target("RemoteCheckInEnrolment", e.id),
            )
            .await?;
            txn.commit().await?;
            return Err(invalid());
        }
    };
    // Single use: whoever marks it first wins.
    let claimed = activation_code::Entity::update_many()
        .col_expr(activation_code::Column::UsedAt, Expr::value(at))
        .filter(activation_code::Column::Id.eq(found.id))
        .filter(activation_code::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Err(invalid());
    }
    // One device at a time: the previous one stops working.
    device::Entity::update_many()
        .col_expr(device::Column::RevokedAt, Expr::value(at))
        .filter(device::Column::EnrolmentId.eq(e.id))
        .filter(device::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    revoke_sessions(&txn, e.user_id, None).await?;
    let (session, refresh) = open_session(&txn, st, e.user_id, Some(format!("device:{device_id}"))).await?;
    let d = device::ActiveModel {
        enrolment_id: Set(e.id),
        session_id: Set(session.id),
        device_id: Set(device_id.to_owned()),
        created_at: Set(at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record_anonymous(
        &txn,
        Some(e.user_id),
        meta,
        Entry::new("remote_check_in.activate")
            .target("RemoteCheckInEnrolment", e.id)
            .case(e.case_id)
            .detail(json!({"deviceId": d.id, "sessionId": session.id})),
    )
    .await?;
    txn.commit().await?;
    let access_token = st
        .jwt
        .issue(e.user_id, Some(session.id))
        .map_err(|err| ApiError::internal("issuing a token", err))?;
    Ok(DeviceTokens {
        access_token,
        refresh_token: refresh,
        expires_in: st.jwt.ttl_secs(),
        enrolment: e,
    })
}
