//! Apollo Federation v2: with `federation = true` Hamkor serves `_service` and
//! `_entities`, so a router can join Hamkor's types to another subgraph's. Entities are
//! keyed by their global id (`@key(fields: "id")`) and resolved by the same fetch as
//! `node(id)`: an entity the caller may not see resolves to null, exactly like one that
//! does not exist, and an id of another type resolves to null too.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::case::graphql::{Case, fetch_case};
use hamkor_api::graphql::context::principal;
use hamkor_api::ids;
use hamkor_api::organisation::graphql::{Organisation, fetch_organisation};
use hamkor_api::person::graphql::{Person, fetch_person};
use hamkor_api::territory::graphql::{
    District, Mahalla, Region, fetch_district, fetch_mahalla, fetch_region,
};

/// The number behind `id` when it is an id of `type_name`.
fn of_type(id: &ID, type_name: &str) -> Option<i64> {
    ids::decode(id).and_then(|(t, n)| (t == type_name).then_some(n))
}

/// The entity resolvers; invisible in the schema unless federation is on.
#[derive(Default)]
pub struct EntityQuery;

#[Object]
impl EntityQuery {
    #[graphql(entity)]
    async fn find_region_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Region>> {
        principal(ctx)?;
        match of_type(&id, "Region") {
            Some(n) => fetch_region(ctx, n).await,
            None => Ok(None),
        }
    }

    #[graphql(entity)]
    async fn find_district_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<District>> {
        principal(ctx)?;
        match of_type(&id, "District") {
            Some(n) => fetch_district(ctx, n).await,
            None => Ok(None),
        }
    }

    #[graphql(entity)]
    async fn find_mahalla_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Mahalla>> {
        principal(ctx)?;
        match of_type(&id, "Mahalla") {
            Some(n) => fetch_mahalla(ctx, n).await,
            None => Ok(None),
        }
    }

    #[graphql(entity)]
    async fn find_organisation_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organisation>> {
        principal(ctx)?;
        match of_type(&id, "Organisation") {
            Some(n) => fetch_organisation(ctx, n).await,
            None => Ok(None),
        }
    }

    #[graphql(entity)]
    async fn find_person_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Person>> {
        principal(ctx)?;
        match of_type(&id, "Person") {
            Some(n) => fetch_person(ctx, n).await,
            None => Ok(None),
        }
    }

    #[graphql(entity)]
    async fn find_case_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Case>> {
        principal(ctx)?;
        match of_type(&id, "Case") {
            Some(n) => fetch_case(ctx, n).await,
            None => Ok(None),
        }
    }
}
