//! Sign-in operations and `me`.

use async_graphql::{Context, Object, Result, SimpleObject};
use secrecy::SecretString;

use super::service::{self, Tokens};
use crate::graphql::context::{loaders, meta, principal, state};
use crate::loaders::one;
use crate::organisation::graphql::Organisation;
use crate::user::entity::Role;
use crate::user::graphql::User;

use crate::module::guard::EnabledModules;

/// Tokens returned by a successful sign-in.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchange with `refreshToken` for new tokens; works once. Absent for service accounts.
    pub refresh_token: Option<String>,
    pub user: User,
}

impl From<Tokens> for AuthPayload {
    fn from(t: Tokens) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            user: User(t.user),
        }
    }
}

/// The caller.
pub struct Me;

#[Object]
impl Me {
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let p = principal(ctx)?;
        Ok(one(&loaders(ctx)?.users, p.user_id).await?.map(User))
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let p = principal(ctx)?;
        Ok(one(&loaders(ctx)?.organisations, p.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        Ok(principal(ctx)?.roles.iter().copied().collect())
    }
    /// Modules enabled for the caller's organisation.
    async fn enabled_modules(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        principal(ctx)?;
        Ok(ctx
            .data_opt::<EnabledModules>()
            .map(|m| m.0.iter().cloned().collect())
            .unwrap_or_default())
    }
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in caller (UNAUTHENTICATED without a valid token).
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        principal(ctx)?;
        Ok(Me)
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Sign in. Repeated failures for one account or from one address are refused for
    /// a while with RATE_LIMITED.
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        #[graphql(secret)] password: String,
    ) -> Result<AuthPayload> {
        let tokens =
            service::login(state(ctx)?, meta(ctx)?, &username, &SecretString::from(password)).await?;
        Ok(tokens.into())
    }

    /// Exchange a refresh token for new tokens. Each refresh token works once; reusing one
    /// ends its session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> Result<AuthPayload> {
        let tokens = service::refresh(state(ctx)?, meta(ctx)?, &token).await?;
        Ok(tokens.into())
    }

    /// End the current session (and the session of `refreshToken`, if given), or every
    /// session of the caller with `allSessions: true`.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: Option<String>,
        #[graphql(default = false)] all_sessions: bool,
    ) -> Result<bool> {
        let p = principal(ctx)?;
        service::logout(state(ctx)?, p, refresh_token.as_deref(), all_sessions).await?;
        Ok(true)
    }

    /// Exchange a service account's client id and secret for an access token.
    async fn service_account_token(
        &self,
        ctx: &Context<'_>,
        client_id: String,
        #[graphql(secret)] client_secret: String,
    ) -> Result<AuthPayload> {
        let tokens = service::service_token(
            state(ctx)?,
            meta(ctx)?,
            &client_id,
            &SecretString::from(client_secret),
        )
        .await?;
        Ok(tokens.into())
    }
}
