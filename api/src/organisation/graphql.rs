//! GraphQL types and operations of organisations.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::entity::{self as organisation, OrganisationKind};
use super::service::{self, OrganisationFilter};
use crate::filters::search_text;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{Filter, one};
use crate::pagination::{Conn, Order};
use crate::territory::graphql::{District, Mahalla, Region};
use crate::territory::resolve::{Place, place_of};
use crate::user::entity::user;
use crate::user::graphql::{User, UserFilterInput};
use crate::user::service as users;

/// An agency or partner organisation.
pub struct Organisation(pub organisation::Model);

#[Object]
impl Organisation {
    pub async fn id(&self) -> ID {
        ids::encode("Organisation", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> OrganisationKind {
        self.0.kind
    }
    /// Inactive organisations cannot sign in or receive work.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Region served (absent: national).
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        let Some(id) = self.0.region_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.regions, id).await?.map(Region))
    }
    /// District served, for a district-level organisation.
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        let Some(id) = self.0.district_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.districts, id).await?.map(District))
    }
    /// Mahalla served, for a mahalla committee.
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        let Some(id) = self.0.mahalla_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.mahallas, id).await?.map(Mahalla))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Users of the organisation: its own organisation admins and the platform admin only.
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
        let filter = filter.map(|f| f.parse()).transpose()?.unwrap_or_default();
        users::may_list(p, self.0.id)?;
        Ok(loaders(ctx)?
            .nested(user::Column::OrganisationId, user::Column::Id, Order::Ascending)
            .connection(
                self.0.id,
                Filter::new(users::filter_condition(filter)),
                page,
                |m| m.id,
                User,
            )
            .await?)
    }
}

/// Fetch one organisation (any signed-in caller).
pub async fn fetch_organisation(ctx: &Context<'_>, id: i64) -> Result<Option<Organisation>> {
    principal(ctx)?;
    Ok(one(&loaders(ctx)?.organisations, id).await?.map(Organisation))
}

#[derive(InputObject, Default)]
pub struct OrganisationFilterInput {
    /// Any of these kinds.
    pub kinds: Option<Vec<OrganisationKind>>,
    pub region_id: Option<ID>,
    pub district_id: Option<ID>,
    pub active: Option<bool>,
    /// Part of the name.
    pub search: Option<String>,
}

#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// Organisations, in creation order.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<OrganisationFilterInput>,
    ) -> Result<Conn<Organisation>> {
        principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let filter = OrganisationFilter {
            kinds: f.kinds.unwrap_or_default(),
            region_id: ids::decode_opt(f.region_id.as_ref(), "Region", "filter.regionId")?,
            district_id: ids::decode_opt(f.district_id.as_ref(), "District", "filter.districtId")?,
            search: search_text("filter.search", f.search.as_deref())?,
            active: f.active,
        };
        let rows = service::list(&state(ctx)?.db, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, Organisation))
    }

    async fn organisation(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organisation>> {
        fetch_organisation(ctx, ids::decode_as(&id, "Organisation", "id")?).await
    }
}

#[derive(InputObject)]
pub struct CreateOrganisationInput {
    pub name: String,
    pub kind: OrganisationKind,
    /// The Region, District or Mahalla it serves; absent for a national organisation.
    pub territory_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateOrganisationInput {
    pub name: Option<String>,
    /// Deactivating stops its users from signing in.
    pub active: Option<bool>,
}

#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Register an organisation (platform admin).
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> Result<Organisation> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let territory = match &input.territory_id {
            Some(id) => place_of(db, id, "input.territoryId").await?,
            None => Place::default(),
        };
        let row = service::create(db, p, &input.name, input.kind, territory).await?;
        Ok(Organisation(row))
    }

    /// Rename, deactivate or reactivate an organisation (platform admin).
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateOrganisationInput,
    ) -> Result<Organisation> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Organisation", "id")?;
        let row = service::update(&state(ctx)?.db, p, id, input.name.as_deref(), input.active).await?;
        Ok(Organisation(row))
    }
}
