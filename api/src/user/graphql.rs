//! GraphQL types and operations of users and service accounts.

use std::collections::BTreeSet;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

use super::entity::{Role, UserKind, user};
use super::service::{self, NewUser, UserFilter, UserPatch, can_manage};
use super::service_account;
use crate::filters::search_text;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{children, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::territory::graphql::{District, Mahalla, Region};
use crate::territory::resolve::place_of;

/// A region, district or mahalla.
#[derive(Union)]
pub enum Territory {
    Region(Region),
    District(District),
    Mahalla(Mahalla),
}

/// A person who signs in, or a machine client of a partner system.
pub struct User(pub user::Model);

impl User {
    /// The user themself, or an admin who manages them.
    fn is_visible_in_full(&self, ctx: &Context<'_>) -> bool {
        principal(ctx).is_ok_and(|p| p.user_id == self.0.id || can_manage(p, self.0.organisation_id))
    }
}

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        ids::encode("User", self.0.id)
    }
    /// Name shown to colleagues.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn kind(&self) -> UserKind {
        self.0.kind
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        let rows = children(&loaders(ctx)?.roles_by_user, self.0.id).await?;
        Ok(rows.into_iter().map(|r| r.role).collect())
    }
    /// Sign-in name (or client id of a service account): the user and their admins only.
    async fn username(&self, ctx: &Context<'_>) -> Option<&str> {
        self.is_visible_in_full(ctx).then_some(self.0.username.as_str())
    }
    /// Deactivated users cannot sign in: the user and their admins only.
    async fn active(&self, ctx: &Context<'_>) -> Option<bool> {
        self.is_visible_in_full(ctx).then_some(self.0.active)
    }
    /// The territories the user works in: the user and their admins only.
    async fn territories(&self, ctx: &Context<'_>) -> Result<Option<Vec<Territory>>> {
        if !self.is_visible_in_full(ctx) {
            return Ok(None);
        }
        let l = loaders(ctx)?;
        let mut out = Vec::new();
        for t in children(&l.territories_by_user, self.0.id).await? {
            let item = match (t.mahalla_id, t.district_id, t.region_id) {
                (Some(id), _, _) => one(&l.mahallas, id)
                    .await?
                    .map(|m| Territory::Mahalla(Mahalla(m))),
                (None, Some(id), _) => one(&l.districts, id)
                    .await?
                    .map(|d| Territory::District(District(d))),
                (None, None, Some(id)) => one(&l.regions, id).await?.map(|r| Territory::Region(Region(r))),
                _ => None,
            };
            out.extend(item);
        }
        Ok(Some(out))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last successful sign-in: the user and their admins only.
    async fn last_login_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        if self.is_visible_in_full(ctx) {
            self.0.last_login_at
        } else {
            None
        }
    }
}

/// Fetch one user by id: the caller themself, colleagues of the same organisation, and
/// the admins who manage the user. (Officers and inspectors of a case are also reachable
/// through the case itself.)
pub async fn fetch_user(ctx: &Context<'_>, id: i64) -> Result<Option<User>> {
    let p = principal(ctx)?;
    let found = one(&loaders(ctx)?.users, id).await?;
    Ok(found
        .filter(|u| u.organisation_id == p.organisation_id || can_manage(p, u.organisation_id))
        .map(User))
}

#[derive(InputObject, Default)]
pub struct UserFilterInput {
    pub organisation_id: Option<ID>,
    pub role: Option<Role>,
    pub kind: Option<UserKind>,
    pub active: Option<bool>,
    /// Part of the username or display name.
    pub search: Option<String>,
}

impl UserFilterInput {
    pub fn parse(self) -> Result<UserFilter, crate::error::ApiError> {
        Ok(UserFilter {
            organisation_id: ids::decode_opt(
                self.organisation_id.as_ref(),
                "Organisation",
                "filter.organisationId",
            )?,
            role: self.role,
            kind: self.kind,
            active: self.active,
            search: search_text("filter.search", self.search.as_deref())?,
        })
    }
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Users the caller administers (platform admin: all; organisation admin: their own).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<UserFilterInput>,
    ) -> Result<Conn<User>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let filter = filter
            .map(UserFilterInput::parse)
            .transpose()?
            .unwrap_or_default();
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, User))
    }

    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        fetch_user(ctx, ids::decode_as(&id, "User", "id")?).await
    }
}

#[derive(InputObject)]
pub struct CreateUserInput {
    /// The organisation (organisation admins: their own).
    pub organisation_id: ID,
    /// 3–64 characters: letters, digits, '.', '_' or '-' (case-insensitive).
    pub username: String,
    pub display_name: String,
    /// At least 10 characters.
    #[graphql(secret)]
    pub password: String,
    pub roles: Vec<Role>,
    /// Regions, districts or mahallas the user works in (inside the organisation's
    /// territory). A mahalla member names exactly one mahalla; an inspector at least one
    /// territory; others default to the organisation's territory.
    #[graphql(default)]
    pub territory_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct UpdateUserInput {
    pub display_name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub territory_ids: Option<Vec<ID>>,
    /// Deactivating ends every session of the user at once.
    pub active: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateServiceAccountInput {
    pub organisation_id: ID,
    /// What the client is, e.g. "Referral system of NGO Oila".
    pub name: String,
    pub roles: Vec<Role>,
}

/// Credentials of a new service account. The secret is shown only this once.
#[derive(SimpleObject)]
pub struct ServiceAccountPayload {
    pub user: User,
    pub client_id: String,
    pub client_secret: String,
}

async fn places(ctx: &Context<'_>, ids: &[ID]) -> Result<Vec<crate::territory::resolve::Place>> {
    let db = &state(ctx)?.db;
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        out.push(place_of(db, id, &format!("input.territoryIds[{i}]")).await?);
    }
    Ok(out)
}

fn role_set(roles: Vec<Role>) -> BTreeSet<Role> {
    roles.into_iter().collect()
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Create a user (platform admin, or an organisation admin for their organisation).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        if input.territory_ids.len() > service::MAX_TERRITORIES {
            return Err(crate::error::ApiError::bad_input(
                "input.territoryIds",
                format!("at most {} territories", service::MAX_TERRITORIES),
            )
            .into());
        }
        let new = NewUser {
            organisation_id: ids::decode_as(&input.organisation_id, "Organisation", "input.organisationId")?,
            username: input.username,
            display_name: input.display_name,
            password: SecretString::from(input.password),
            roles: role_set(input.roles),
            territories: places(ctx, &input.territory_ids).await?,
        };
        let row = service::create(&st.db, &st.hasher, Some(p), new).await?;
        Ok(User(row))
    }

    /// Change a user's name, roles, territories or active flag.
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "User", "id")?;
        let territories = match &input.territory_ids {
            Some(t) if t.len() > service::MAX_TERRITORIES => {
                return Err(crate::error::ApiError::bad_input(
                    "input.territoryIds",
                    format!("at most {} territories", service::MAX_TERRITORIES),
                )
                .into());
            }
            Some(t) => Some(places(ctx, t).await?),
            None => None,
        };
        let patch = UserPatch {
            display_name: input.display_name,
            roles: input.roles.map(role_set),
            territories,
            active: input.active,
        };
        let row = service::update(&state(ctx)?.db, p, id, patch).await?;
        Ok(User(row))
    }

    /// Set a new password for a user of an organisation the caller administers; all of
    /// the user's sessions end.
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(secret)] new_password: String,
    ) -> Result<bool> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let id = ids::decode_as(&id, "User", "id")?;
        service::reset_password(&st.db, &st.hasher, p, id, &SecretString::from(new_password)).await?;
        Ok(true)
    }

    /// Change the caller's own password; the caller's other sessions end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] current_password: String,
        #[graphql(secret)] new_password: String,
    ) -> Result<bool> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        service::change_own_password(
            &st.db,
            &st.hasher,
            p,
            &SecretString::from(current_password),
            &SecretString::from(new_password),
        )
        .await?;
        Ok(true)
    }

    /// Create a service account for a partner system (its client secret is shown once).
    async fn create_service_account(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceAccountInput,
    ) -> Result<ServiceAccountPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let org = ids::decode_as(&input.organisation_id, "Organisation", "input.organisationId")?;
        let creds = service_account::create_service_account(
            &st.db,
            &st.hasher,
            p,
            org,
            &input.name,
            role_set(input.roles),
        )
        .await?;
        Ok(ServiceAccountPayload {
            user: User(creds.user),
            client_id: creds.client_id,
            client_secret: creds.client_secret.expose_secret().to_owned(),
        })
    }

    /// Give a service account a new secret (shown once). The old secret keeps working
    /// during the overlap, so the partner system can switch without downtime.
    async fn rotate_service_account_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
        overlap: crate::webhook::graphql::SecretOverlap,
    ) -> Result<ServiceAccountPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let id = ids::decode_as(&id, "User", "id")?;
        let creds = service_account::rotate_secret(&st.db, &st.hasher, p, id, overlap.hours()).await?;
        Ok(ServiceAccountPayload {
            user: User(creds.user),
            client_id: creds.client_id,
            client_secret: creds.client_secret.expose_secret().to_owned(),
        })
    }

    /// Revoke a service account for good: its secrets and tokens stop working at once.
    async fn revoke_service_account(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "User", "id")?;
        Ok(User(service_account::revoke(&state(ctx)?.db, p, id).await?))
    }
}
