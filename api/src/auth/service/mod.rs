//! Signing in and out, rotating refresh tokens, service-account tokens, and turning a
//! verified access token into a [`Principal`](crate::auth::principal::Principal).
//!
//! - `login.rs`: signing in with a password or a service account's secret;
//! - `throttle.rs`: the failed-login limits per account and per address;
//! - `session.rs`: refresh tokens (rotated on use) and signing out;
//! - `caller.rs`: the caller a bearer token names, with roles and scope;
//! - `caller_row.rs`: the one statement that reads a caller.

mod caller;
mod caller_row;
mod login;
mod session;
mod throttle;

use sea_orm::{ConnectionTrait, EntityTrait};

pub use caller::{
    AuthFailure, Via, authenticate, authenticate_caller, effective_scope, load_caller, load_principal,
};
pub use login::{login, service_token};
pub use session::{logout, open_session, refresh, revoke_sessions};
pub use throttle::USUAL_ADDRESS_DAYS;

use crate::error::ApiResult;
use crate::organisation;
use crate::user::entity::user;

/// Tokens handed to a client after signing in.
pub struct Tokens {
    pub access_token: String,
    pub expires_in: i64,
    /// Absent for service accounts, which exchange their secret again instead.
    pub refresh_token: Option<String>,
    pub user: user::Model,
}

/// Whether the user's organisation is active (a deactivated one signs nobody in).
async fn active_organisation<C: ConnectionTrait>(db: &C, user: &user::Model) -> ApiResult<bool> {
    Ok(organisation::Entity::find_by_id(user.organisation_id)
        .one(db)
        .await?
        .is_some_and(|o| o.active))
}
