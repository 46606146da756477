//! Passwords of people who sign in: an admin's reset and the user's own change, each
//! ending the sessions it must.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use secrecy::SecretString;

use super::can_manage;
use crate::audit::service::{self as audit, Entry};
use crate::auth::entity::session;
use crate::auth::password::{self, PasswordHasher};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::user::entity::{UserKind, user};

/// Set a new password for a user (admin reset); every session of the user ends.
pub async fn reset_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    p: &Principal,
    id: i64,
    new_password: &SecretString,
) -> ApiResult<()> {
    let target = user::Entity::find_by_id(id).one(db).await?;
    let target = match target {
        Some(u) if can_manage(p, u.organisation_id) && u.kind == UserKind::Person => u,
        _ => return Err(ApiError::NotFound("User")),
    };
    password::check_policy("newPassword", new_password)?;
    let hash = hasher.hash(new_password).await?;
    let txn = write_txn(db).await?;
    store_password(&txn, target.id, hash).await?;
    revoke_sessions(&txn, target.id).await?;
    audit::record(
        &txn,
        p,
        Entry::new("user.reset_password").target("User", target.id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Change the caller's own password, proving the current one; other sessions end.
pub async fn change_own_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    p: &Principal,
    current_password: &SecretString,
    new_password: &SecretString,
) -> ApiResult<()> {
    let me = user::Entity::find_by_id(p.user_id)
        .one(db)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if me.kind != UserKind::Person {
        return Err(ApiError::bad_input(
            "currentPassword",
            "service accounts have no password",
        ));
    }
    if !hasher
        .verify(current_password, me.password_hash.as_deref())
        .await?
    {
        return Err(ApiError::bad_input(
            "currentPassword",
            "is not your current password",
        ));
    }
    password::check_policy("newPassword", new_password)?;
    let hash = hasher.hash(new_password).await?;
    let txn = write_txn(db).await?;
    store_password(&txn, me.id, hash).await?;
    let mut others = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now()))
        .filter(session::Column::UserId.eq(me.id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(sid) = p.session_id {
        others = others.filter(session::Column::Id.ne(sid));
    }
    others.exec(&txn).await?;
    audit::record(&txn, p, Entry::new("user.change_password").target("User", me.id)).await?;
    txn.commit().await?;
    Ok(())
}

async fn store_password<C: ConnectionTrait>(db: &C, user_id: i64, hash: String) -> ApiResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// End every open session of a user.
pub async fn revoke_sessions<C: ConnectionTrait>(db: &C, user_id: i64) -> ApiResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
