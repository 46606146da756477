//! Sessions after signing in: refresh tokens that work once (a reused one ends the
//! session), and signing out of one session or all.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{Tokens, active_organisation};
use crate::audit::service::{self as audit, Entry};
use crate::auth::entity::{refresh_token, session};
use crate::auth::password::{random_token, token_digest};
use crate::auth::principal::{Principal, RequestMeta};
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::user::entity::user;

/// A new refresh token for a session, stored as a digest only.
pub(super) async fn issue_refresh_token<C: ConnectionTrait>(
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

/// Open a session for `user_id` from `client` (a device, say) inside the caller's
/// transaction: its refresh token comes back once; the access token is the caller's to
/// issue (`AppState::jwt`) after the commit. For doors other than the password login,
/// such as a module activating a supervised person's device.
pub async fn open_session<C: ConnectionTrait>(
    db: &C,
    st: &AppState,
    user_id: i64,
    client: Option<String>,
) -> ApiResult<(session::Model, String)> {
    let at = now();
    let expires_at = at + Duration::seconds(st.settings.refresh_token_ttl_secs as i64);
    let row = session::ActiveModel {
        user_id: Set(user_id),
        client: Set(client),
        created_at: Set(at),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let refresh = issue_refresh_token(db, row.id, expires_at).await?;
    Ok((row, refresh))
}

/// End sessions of `user_id` (those listed, or all when `ids` is None) inside the
/// caller's transaction: their access tokens stop working at once.
pub async fn revoke_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    ids: Option<&[i64]>,
) -> ApiResult<u64> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(session::Column::Id.is_in(ids.to_vec()));
    }
    Ok(update.exec(db).await?.rows_affected)
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
