//! Signing in and out, rotating refresh tokens, service-account tokens, and turning a
//! verified access token into a [`Principal`].

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use secrecy::SecretString;
use serde_json::json;

use super::entity::{login_failure, refresh_token, session};
use super::jwt::TokenError;
use super::password::{random_token, token_digest};
use super::principal::{Principal, RequestMeta, Scope};
use crate::audit::service::{self as audit, Entry};
use crate::config::Settings;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::organisation;
use crate::state::AppState;
use crate::user::entity::{UserKind, user};
use crate::user::service::{load_places, load_roles};

/// Tokens handed to a client after signing in.
pub struct Tokens {
    pub access_token: String,
    pub expires_in: i64,
    /// Absent for service accounts, which exchange their secret again instead.
    pub refresh_token: Option<String>,
    pub user: user::Model,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthenticated("invalid username or password".into())
}

/// Refuse when too many recent failures name this account or come from this address.
async fn check_rate_limit(
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

async fn record_failure(
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

async fn active_organisation<C: ConnectionTrait>(db: &C, user: &user::Model) -> ApiResult<bool> {
    Ok(organisation::Entity::find_by_id(user.organisation_id)
        .one(db)
        .await?
        .is_some_and(|o| o.active))
}

/// Sign in with a username and password.
pub async fn login(
    st: &AppState,
    meta: &RequestMeta,
    username: &str,
    password: &SecretString,
) -> ApiResult<Tokens> {
    let db = &st.db;
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 64 {
        return Err(invalid_credentials());
    }
    check_rate_limit(db, &st.settings, &username, &meta.address).await?;
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .filter(user::Column::Kind.eq(UserKind::Person))
        .one(db)
        .await?;
    let hash = found.as_ref().and_then(|u| u.password_hash.as_deref());
    let matched = st.hasher.verify(password, hash).await?;
    let user = match found {
        Some(u) if matched && u.active && active_organisation(db, &u).await? => u,
        other => {
            let id = other.map(|u| u.id);
            record_failure(db, &st.settings, &username, meta, id, "auth.login_failed").await?;
            return Err(invalid_credentials());
        }
    };

    let txn = write_txn(db).await?;
    let at = now();
    let expires_at = at + Duration::seconds(st.settings.refresh_token_ttl_secs as i64);
    let session = session::ActiveModel {
        user_id: Set(user.id),
        client: Set(meta.client.clone()),
        created_at: Set(at),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let refresh = issue_refresh_token(&txn, session.id, expires_at).await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, Expr::value(at))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username.as_str()))
        .exec(&txn)
        .await?;
    audit::record_anonymous(
        &txn,
        Some(user.id),
        meta,
        Entry::new("auth.login")
            .target("User", user.id)
            .detail(json!({"sessionId": session.id})),
    )
    .await?;
    txn.commit().await?;
    let access_token = st
        .jwt
        .issue(user.id, Some(session.id))
        .map_err(|e| ApiError::internal("issuing a token", e))?;
    Ok(Tokens {
        access_token,
        expires_in: st.jwt.ttl_secs(),
        refresh_token: Some(refresh),
        user,
    })
}

async fn issue_refresh_token<C: ConnectionTrait>(
    db: &C,
    session_id: i64,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<String> {
    let token = format!("hkr_{}", random_token(32));
    refresh_token::ActiveModel {
        session_id: Set(session_id),
        token_hash: Set(token_digest(&token)),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Exchange a refresh token for a new access token and a new refresh token. A refresh
/// token works once: presenting it again (a stolen copy) ends the whole session.
pub async fn refresh(st: &AppState, meta: &RequestMeta, token: &str) -> ApiResult<Tokens> {
    let db = &st.db;
    let refused = || ApiError::Unauthenticated("invalid or expired refresh token".into());
    let digest = token_digest(token.trim());
    let txn = write_txn(db).await?;
    let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest))
        .one(&txn)
        .await?
    else {
        return Err(refused());
    };
    let at = now();
    let session = session::Entity::find_by_id(stored.session_id)
        .one(&txn)
        .await?
        .ok_or_else(refused)?;
    // Mark used only if nobody did before us: a concurrent second use loses here.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(at))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(at))
            .filter(session::Column::Id.eq(session.id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        audit::record_anonymous(
            &txn,
            Some(session.user_id),
            meta,
            Entry::new("auth.refresh_token_reused").target("User", session.user_id),
        )
        .await?;
        txn.commit().await?;
        return Err(refused());
    }
    if session.revoked_at.is_some() || stored.expires_at <= at || session.expires_at <= at {
        return Err(refused());
    }
    let user = user::Entity::find_by_id(session.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or_else(refused)?;
    if !active_organisation(&txn, &user).await? {
        return Err(refused());
    }
    let expires_at = at + Duration::seconds(st.settings.refresh_token_ttl_secs as i64);
    session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(session.id))
        .exec(&txn)
        .await?;
    let new_token = issue_refresh_token(&txn, session.id, expires_at).await?;
    audit::record_anonymous(
        &txn,
        Some(user.id),
        meta,
        Entry::new("auth.refresh").target("User", user.id),
    )
    .await?;
    txn.commit().await?;
    let access_token = st
        .jwt
        .issue(user.id, Some(session.id))
        .map_err(|e| ApiError::internal("issuing a token", e))?;
    Ok(Tokens {
        access_token,
        expires_in: st.jwt.ttl_secs(),
        refresh_token: Some(new_token),
        user,
    })
}

/// End the caller's current session (and the one of `refresh_token`, if given), or every
/// session of the caller. Access tokens of ended sessions stop working at once.
pub async fn logout(
    st: &AppState,
    p: &Principal,
    refresh_token: Option<&str>,
    all_sessions: bool,
) -> ApiResult<()> {
    let db = &st.db;
    let txn = write_txn(db).await?;
    let mut sessions = Vec::new();
    if let Some(sid) = p.session_id {
        sessions.push(sid);
    }
    if let Some(token) = refresh_token {
        let stored = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_digest(token.trim())))
            .one(&txn)
            .await?;
        if let Some(stored) = stored {
            let owner = session::Entity::find_by_id(stored.session_id).one(&txn).await?;
            if owner.is_some_and(|s| s.user_id == p.user_id) {
                sessions.push(stored.session_id);
            }
        }
    }
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now()))
        .filter(session::Column::UserId.eq(p.user_id))
        .filter(session::Column::RevokedAt.is_null());
    if !all_sessions {
        update = update.filter(session::Column::Id.is_in(sessions));
    }
    update.exec(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("auth.logout")
            .target("User", p.user_id)
            .detail(json!({"allSessions": all_sessions})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Exchange a service account's client id and secret for an access token.
pub async fn service_token(
    st: &AppState,
    meta: &RequestMeta,
    client_id: &str,
    secret: &SecretString,
) -> ApiResult<Tokens> {
    let db = &st.db;
    let client_id = client_id.trim();
    let refused = || ApiError::Unauthenticated("invalid client credentials".into());
    if client_id.is_empty() || client_id.len() > 64 {
        return Err(refused());
    }
    check_rate_limit(db, &st.settings, client_id, &meta.address).await?;
    let found = user::Entity::find()
        .filter(user::Column::ClientId.eq(client_id))
        .filter(user::Column::Kind.eq(UserKind::ServiceAccount))
        .one(db)
        .await?;
    let hash = found.as_ref().and_then(|u| u.client_secret_hash.as_deref());
    let mut matched = st.hasher.verify(secret, hash).await?;
    // During a rotation's overlap the previous secret still works.
    if !matched
        && let Some(u) = &found
        && u.previous_secret_until.is_some_and(|until| until > now())
    {
        matched = st
            .hasher
            .verify(secret, u.previous_secret_hash.as_deref())
            .await?;
    }
    let user = match found {
        Some(u) if matched && u.active && active_organisation(db, &u).await? => u,
        other => {
            let id = other.map(|u| u.id);
            record_failure(db, &st.settings, client_id, meta, id, "auth.service_token_failed").await?;
            return Err(refused());
        }
    };
    let txn = write_txn(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, Expr::value(now()))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    audit::record_anonymous(
        &txn,
        Some(user.id),
        meta,
        Entry::new("auth.service_token").target("User", user.id),
    )
    .await?;
    txn.commit().await?;
    let access_token = st
        .jwt
        .issue(user.id, None)
        .map_err(|e| ApiError::internal("issuing a token", e))?;
    Ok(Tokens {
        access_token,
        expires_in: st.jwt.ttl_secs(),
        refresh_token: None,
        user,
    })
}

/// Why a bearer token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the account, organisation or session is no longer active")]
    Inactive,
    #[error("could not load the caller: {0:#}")]
    Internal(anyhow::Error),
}

impl From<sea_orm::DbErr> for AuthFailure {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(e.into())
    }
}

/// Verify a bearer token and load the caller it names, with roles and scope.
pub async fn authenticate(st: &AppState, token: &str, meta: RequestMeta) -> Result<Principal, AuthFailure> {
    let claims = st.jwt.verify(token)?;
    let user_id = claims
        .user_id()
        .ok_or_else(|| TokenError::Invalid("subject".into()))?;
    load_principal(
        &st.db,
        user_id,
        Via::Token {
            session_id: claims.sid,
        },
        meta,
    )
    .await
}

/// How the caller was identified.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    /// A verified access token, with its login session (none for service accounts).
    Token { session_id: Option<i64> },
    /// A trusted local task (command line, demo seed) acting as the user.
    LocalTask,
}

/// Load a principal for a user (and session), checking that all are still active.
pub async fn load_principal(
    db: &DatabaseConnection,
    user_id: i64,
    via: Via,
    mut meta: RequestMeta,
) -> Result<Principal, AuthFailure> {
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or(AuthFailure::Inactive)?;
    let org = organisation::Entity::find_by_id(user.organisation_id)
        .one(db)
        .await?
        .filter(|o| o.active)
        .ok_or(AuthFailure::Inactive)?;
    let session_id = match via {
        Via::Token { session_id } => session_id,
        Via::LocalTask => None,
    };
    match (via, session_id, user.kind) {
        (Via::LocalTask, _, _) => {}
        (_, Some(sid), UserKind::Person) => {
            let live = session::Entity::find_by_id(sid)
                .one(db)
                .await?
                .is_some_and(|s| s.user_id == user.id && s.revoked_at.is_none() && s.expires_at > now());
            if !live {
                return Err(AuthFailure::Inactive);
            }
        }
        (_, None, UserKind::ServiceAccount) => {
            meta.client = user.client_id.clone();
        }
        _ => return Err(AuthFailure::Inactive),
    }
    let roles = load_roles(db, user.id).await.map_err(|e| match e {
        ApiError::Internal(e) => AuthFailure::Internal(e),
        _ => AuthFailure::Inactive,
    })?;
    let places = load_places(db, user.id).await.map_err(|e| match e {
        ApiError::Internal(e) => AuthFailure::Internal(e),
        _ => AuthFailure::Inactive,
    })?;
    let scope = effective_scope(&places, &organisation::service::place(&org));
    Ok(Principal {
        user_id: user.id,
        organisation_id: org.id,
        organisation_kind: org.kind,
        kind: user.kind,
        roles,
        scope,
        session_id,
        meta,
    })
}

/// The user's own territories; without any, the organisation's territory; without that,
/// the whole country.
pub fn effective_scope(
    user_places: &[crate::territory::resolve::Place],
    org: &crate::territory::resolve::Place,
) -> Scope {
    let mut scope = Scope::default();
    let places: &[_] = if user_places.is_empty() {
        std::slice::from_ref(org)
    } else {
        user_places
    };
    for p in places {
        match (p.mahalla_id, p.district_id, p.region_id) {
            (Some(m), _, _) => scope.mahallas.push(m),
            (None, Some(d), _) => scope.districts.push(d),
            (None, None, Some(r)) => scope.regions.push(r),
            (None, None, None) => scope.national = true,
        }
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::territory::resolve::Place;

    #[test]
    fn a_user_without_territories_works_in_the_organisations_territory() {
        let org = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: None,
        };
        let scope = effective_scope(&[], &org);
        assert_eq!(scope.districts, vec![10]);
        assert!(!scope.national);
    }

    #[test]
    fn a_user_of_a_national_organisation_without_territories_is_national() {
        assert!(effective_scope(&[], &Place::default()).national);
    }

    #[test]
    fn the_users_own_territories_win() {
        let org = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: None,
        };
        let mine = [Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: Some(100),
        }];
        let scope = effective_scope(&mine, &org);
        assert_eq!(scope.mahallas, vec![100]);
        assert!(scope.districts.is_empty());
    }
}
