//! Failed sign-ins: too many recent failures naming an account, or coming from an
//! address, refuse further attempts (RATE_LIMITED) until the oldest counted one ages
//! out of the window. Every failure is recorded and audited.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::audit::service::{self as audit, Entry};
use crate::auth::entity::login_failure;
use crate::auth::principal::RequestMeta;
use crate::config::Settings;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};

/// Refuse when too many recent failures name this account or come from this address.
pub(super) async fn check_rate_limit(
    db: &DatabaseConnection,
    s: &Settings,
    username: &str,
    address: &str,
) -> ApiResult<()> {
    let window = Duration::seconds(s.login_window_secs as i64);
    let since = now() - window;
    let limits = [
        (
            login_failure::Column::Username,
            username,
            s.login_max_failures_per_account,
        ),
        (
            login_failure::Column::Address,
            address,
            s.login_max_failures_per_address,
        ),
    ];
    for (column, value, max) in limits {
        let recent = login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::At.gte(since));
        if recent.clone().count(db).await? < u64::from(max) {
            continue;
        }
        // The max-th most recent failure is the one whose expiry lifts the limit.
        let pivot = recent
            .order_by_desc(login_failure::Column::At)
            .offset(u64::from(max.saturating_sub(1)))
            .one(db)
            .await?;
        let retry_after_secs = pivot
            .map(|f| (f.at + window - now()).num_seconds().max(1) as u64)
            .unwrap_or(s.login_window_secs);
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Record a failed sign-in (and forget failures older than the window).
pub(super) async fn record_failure(
    db: &DatabaseConnection,
    s: &Settings,
    username: &str,
    meta: &RequestMeta,
    known_user: Option<i64>,
    action: &'static str,
) -> ApiResult<()> {
    let txn = write_txn(db).await?;
    let at = now();
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(at - Duration::seconds(s.login_window_secs as i64)))
        .exec(&txn)
        .await?;
    login_failure::ActiveModel {
        username: Set(username.chars().take(64).collect()),
        address: Set(meta.address.chars().take(64).collect()),
        at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut entry = Entry::new(action);
    if let Some(id) = known_user {
        entry = entry.target("User", id);
    }
    audit::record_anonymous(&txn, known_user, meta, entry).await?;
    txn.commit().await?;
    Ok(())
}
