//! Signing in: a person with a username and password (a session and a refresh token
//! come with it), a service account with its client id and secret.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::json;

use super::session::issue_refresh_token;
use super::throttle::{check_rate_limit, record_failure, record_success};
use super::{Tokens, active_organisation};
use crate::audit::service::{self as audit, Entry};
use crate::auth::entity::session;
use crate::auth::principal::RequestMeta;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::user::entity::{UserKind, user};

fn invalid_credentials() -> ApiError {
    ApiError::Unauthenticated("invalid username or password".into())
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
    record_success(&txn, &username, &meta.address).await?;
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
    record_success(&txn, client_id, &meta.address).await?;
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
