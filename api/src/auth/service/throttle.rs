//! Failed sign-ins slow guessing down without letting anyone lock an account out
//! (OWASP's authentication cheat sheet). Three limits, over the failures of the last
//! `login_window_secs`, kept in the database so that every replica applies them:
//!
//! 1. One address guessing one account: after `login_free_failures`, each attempt waits
//!    `login_backoff_base_secs`, doubling with every further failure (capped at the window).
//! 2. One address guessing many accounts: after `login_max_failures_per_address` the
//!    address is refused until its oldest counted failure ages out.
//! 3. Many addresses guessing one account: after `login_max_failures_per_account`, the
//!    addresses the account does not usually sign in from (none in `login_addresses`
//!    within [`USUAL_ADDRESS_DAYS`]) get one attempt per `login_account_interval_secs`.
//!    This slows a distributed attack and never refuses the account's owner at their
//!    usual address: a stranger hammering the account cannot keep them out.
//!
//! A refusal is RATE_LIMITED with `retryAfter`; a refused attempt checks no password and
//! records nothing. Every failure is recorded and audited.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::audit::service::{self as audit, Entry};
use crate::auth::entity::{login_address, login_failure};
use crate::auth::principal::RequestMeta;
use crate::config::Settings;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};

/// How long an address stays one the account usually signs in from.
pub const USUAL_ADDRESS_DAYS: i64 = 90;

fn stored(value: &str) -> String {
    value.chars().take(64).collect()
}

/// Seconds from `now` until `at + wait`, if that is still ahead.
fn remaining(at: DateTime<Utc>, wait: Duration, now: DateTime<Utc>) -> Option<u64> {
    let left = (at + wait - now).num_milliseconds();
    (left > 0).then(|| u64::try_from((left + 999) / 1000).unwrap_or(1).max(1))
}

/// The wait after `failures` failures of one account from one address: none before
/// `free` of them, then `base`, `2·base`, `4·base`, … up to `cap`.
pub fn backoff(failures: u64, free: u32, base_secs: u64, cap_secs: u64) -> u64 {
    let Some(over) = failures.checked_sub(u64::from(free)) else {
        return 0;
    };
    let doubling = u32::try_from(over).unwrap_or(u32::MAX).min(32);
    base_secs.saturating_mul(1u64 << doubling).min(cap_secs)
}

/// Refuse an attempt that one of the three limits holds back.
pub(super) async fn check_rate_limit(
    db: &DatabaseConnection,
    s: &Settings,
    username: &str,
    address: &str,
) -> ApiResult<()> {
    let (username, address) = (stored(username), stored(address));
    let at = now();
    let window = Duration::seconds(i64::try_from(s.login_window_secs).unwrap_or(i64::MAX / 1000));
    let recent = || login_failure::Entity::find().filter(login_failure::Column::At.gte(at - window));
    let limited = |limit: &'static str, secs: u64| {
        metrics::counter!(crate::monitoring::names::LOGIN_THROTTLED, "limit" => limit).increment(1);
        Err(ApiError::RateLimited {
            retry_after_secs: secs,
        })
    };

    // 1. This address guessing this account: exponential backoff.
    let pair = recent()
        .filter(login_failure::Column::Username.eq(username.as_str()))
        .filter(login_failure::Column::Address.eq(address.as_str()));
    let failures = pair.clone().count(db).await?;
    let wait = backoff(
        failures,
        s.login_free_failures,
        s.login_backoff_base_secs,
        s.login_window_secs,
    );
    if wait > 0
        && let Some(last) = latest(db, pair).await?
        && let Some(secs) = remaining(last, Duration::seconds(wait as i64), at)
    {
        return limited("pair", secs);
    }

    // 2. This address guessing any accounts: refused until the oldest counted failure ages out.
    let max = s.login_max_failures_per_address;
    let from_address = recent().filter(login_failure::Column::Address.eq(address.as_str()));
    if from_address.clone().count(db).await? >= u64::from(max) {
        let pivot = from_address
            .order_by_desc(login_failure::Column::At)
            .offset(u64::from(max.saturating_sub(1)))
            .one(db)
            .await?;
        let secs = pivot.and_then(|f| remaining(f.at, window, at)).unwrap_or(1);
        return limited("address", secs);
    }

    // 3. Any addresses guessing this account: strangers are slowed, the owner is not.
    let naming = recent().filter(login_failure::Column::Username.eq(username.as_str()));
    if naming.clone().count(db).await? >= u64::from(s.login_max_failures_per_account)
        && !usual_address(db, &username, &address, at).await?
        && let Some(last) = latest(db, naming).await?
        && let Some(secs) = remaining(last, Duration::seconds(s.login_account_interval_secs as i64), at)
    {
        return limited("account", secs);
    }
    Ok(())
}

async fn latest(
    db: &DatabaseConnection,
    failures: Select<login_failure::Entity>,
) -> ApiResult<Option<DateTime<Utc>>> {
    Ok(failures
        .order_by_desc(login_failure::Column::At)
        .one(db)
        .await?
        .map(|f| f.at))
}

async fn usual_address(
    db: &DatabaseConnection,
    username: &str,
    address: &str,
    at: DateTime<Utc>,
) -> ApiResult<bool> {
    Ok(login_address::Entity::find()
        .filter(login_address::Column::Username.eq(username))
        .filter(login_address::Column::Address.eq(address))
        .filter(login_address::Column::LastSuccessAt.gte(at - Duration::days(USUAL_ADDRESS_DAYS)))
        .count(db)
        .await?
        > 0)
}

/// After a successful sign-in (inside its transaction): the address becomes one the
/// account usually signs in from, the account's addresses not used for
/// [`USUAL_ADDRESS_DAYS`] are forgotten (so the table holds at most the addresses each
/// account signed in from lately), and the failures of this account from this address
/// are forgotten (not those from elsewhere: someone else's guessing goes on counting).
pub(super) async fn record_success(
    txn: &impl ConnectionTrait,
    username: &str,
    address: &str,
) -> ApiResult<()> {
    let (username, address) = (stored(username), stored(address));
    let at = now();
    login_address::Entity::insert(login_address::ActiveModel {
        username: Set(username.clone()),
        address: Set(address.clone()),
        last_success_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([login_address::Column::Username, login_address::Column::Address])
            .update_column(login_address::Column::LastSuccessAt)
            .to_owned(),
    )
    .exec(txn)
    .await?;
    login_address::Entity::delete_many()
        .filter(login_address::Column::Username.eq(username.as_str()))
        .filter(login_address::Column::LastSuccessAt.lt(at - Duration::days(USUAL_ADDRESS_DAYS)))
        .exec(txn)
        .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username.as_str()))
        .filter(login_failure::Column::Address.eq(address.as_str()))
        .exec(txn)
        .await?;
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
    let kind = if action == "auth.service_token_failed" {
        "service_token"
    } else {
        "password"
    };
    metrics::counter!(crate::monitoring::names::LOGIN_FAILURES, "kind" => kind).increment(1);
    let txn = write_txn(db).await?;
    let at = now();
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(at - Duration::seconds(s.login_window_secs as i64)))
        .exec(&txn)
        .await?;
    login_failure::ActiveModel {
        username: Set(stored(username)),
        address: Set(stored(&meta.address)),
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

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn the_backoff_is_free_then_doubles_up_to_the_cap() {
        let waits: Vec<u64> = (0..=9).map(|n| backoff(n, 3, 2, 60)).collect();
        assert_eq!(waits, [0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(10_000, 3, 2, 900), 900);
    }
}
