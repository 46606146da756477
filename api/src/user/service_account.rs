//! The life of a service account: creation (the secret shown once), secret rotation
//! with an overlap that the admin chooses (bounded), and revocation. Listing is the
//! users list filtered by kind (`users(filter: {kind: SERVICE_ACCOUNT})`).

use std::collections::BTreeSet;

use chrono::Duration;
use sea_orm::{ActiveEnum, ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use secrecy::SecretString;
use serde_json::json;

use super::entity::{Role, UserKind, user};
use super::service::{can_manage, check_roles_and_scope, record_change, write_roles_and_scope};
use crate::audit::service::{self as audit, Entry};
use crate::auth::password::{self, PasswordHasher};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::organisation;
use crate::validate;

/// A machine client's credentials, shown once.
pub struct ServiceAccountCredentials {
    pub user: user::Model,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// Create a service account for an organisation's integration. Its secret is returned
/// once and stored only as a hash.
pub async fn create_service_account(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    p: &Principal,
    organisation_id: i64,
    name: &str,
    roles: BTreeSet<Role>,
) -> ApiResult<ServiceAccountCredentials> {
    if !can_manage(p, organisation_id) {
        return Err(ApiError::forbidden());
    }
    let display_name = validate::required("input.name", name, validate::SHORT_TEXT)?;
    if let Some(role) = roles
        .iter()
        .find(|r| matches!(r, Role::PlatformAdmin | Role::OrgAdmin | Role::Auditor))
    {
        return Err(ApiError::bad_input(
            "input.roles",
            format!("a service account cannot hold {}", role.to_value()),
        ));
    }
    let org = organisation::Entity::find_by_id(organisation_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Organisation"))?;
    check_roles_and_scope(Some(p), &org, &roles, &[])?;
    let client_id = format!(
        "svc_{}",
        password::random_token(12).to_lowercase().replace('-', "_")
    );
    let secret = SecretString::from(format!("hks_{}", password::random_token(32)));
    let hash = hasher.hash(&secret).await?;

    let txn = write_txn(db).await?;
    let at = now();
    let row = user::ActiveModel {
        organisation_id: Set(org.id),
        username: Set(client_id.clone()),
        display_name: Set(display_name),
        kind: Set(UserKind::ServiceAccount),
        password_hash: Set(None),
        client_id: Set(Some(client_id.clone())),
        client_secret_hash: Set(Some(hash)),
        previous_secret_hash: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "client id collision; try again"))?;
    write_roles_and_scope(&txn, row.id, &roles, &[]).await?;
    record_change(&txn, Some(p), "service_account.create", &row, &roles).await?;
    txn.commit().await?;
    Ok(ServiceAccountCredentials {
        user: row,
        client_id,
        client_secret: secret,
    })
}

/// Longest time the old secret stays valid after a rotation, in hours.
pub const MAX_OVERLAP_HOURS: i64 = 7 * 24;

async fn managed(txn: &sea_orm::DatabaseTransaction, p: &Principal, id: i64) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|u| u.kind == UserKind::ServiceAccount && can_manage(p, u.organisation_id))
        .ok_or(ApiError::NotFound("ServiceAccount"))
}

async fn record(
    txn: &sea_orm::DatabaseTransaction,
    p: &Principal,
    action: &'static str,
    row: &user::Model,
    detail: serde_json::Value,
) -> ApiResult<()> {
    audit::record(txn, p, Entry::new(action).target("User", row.id).detail(detail)).await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("user.updated", "User", row.id)
            .organisation(row.organisation_id)
            .payload(json!({"active": row.active})),
    )
    .await?;
    Ok(())
}

/// Give a service account a new secret (returned once). The old one keeps working for
/// `overlap_hours` (0 to [`MAX_OVERLAP_HOURS`]) so the client can switch without downtime.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    p: &Principal,
    id: i64,
    overlap_hours: i64,
) -> ApiResult<ServiceAccountCredentials> {
    if !(0..=MAX_OVERLAP_HOURS).contains(&overlap_hours) {
        return Err(ApiError::bad_input(
            "overlap",
            format!("must be between 0 and {MAX_OVERLAP_HOURS} hours"),
        ));
    }
    let secret = SecretString::from(format!("hks_{}", password::random_token(32)));
    let hash = hasher.hash(&secret).await?;
    let txn = write_txn(db).await?;
    let current = managed(&txn, p, id).await?;
    if !current.active {
        return Err(ApiError::Conflict(
            "a revoked service account cannot be rotated".into(),
        ));
    }
    let at = now();
    let old = current.client_secret_hash.clone();
    let mut row: user::ActiveModel = current.into();
    row.client_secret_hash = Set(Some(hash));
    row.previous_secret_hash = Set(old.filter(|_| overlap_hours > 0));
    row.previous_secret_until = Set((overlap_hours > 0).then(|| at + Duration::hours(overlap_hours)));
    row.updated_at = Set(at);
    let row = row.update(&txn).await?;
    record(
        &txn,
        p,
        "service_account.rotate_secret",
        &row,
        json!({"overlapHours": overlap_hours}),
    )
    .await?;
    txn.commit().await?;
    Ok(ServiceAccountCredentials {
        client_id: row.client_id.clone().unwrap_or_default(),
        user: row,
        client_secret: secret,
    })
}

/// Revoke a service account for good: its secrets stop working and its tokens are
/// refused from the next request on.
pub async fn revoke(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<user::Model> {
    let txn = write_txn(db).await?;
    let current = managed(&txn, p, id).await?;
    let mut row: user::ActiveModel = current.into();
    row.active = Set(false);
    row.client_secret_hash = Set(None);
    row.previous_secret_hash = Set(None);
    row.previous_secret_until = Set(None);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    record(&txn, p, "service_account.revoke", &row, json!({"active": false})).await?;
    txn.commit().await?;
    Ok(row)
}
