//! GraphQL types and operations of territories.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::entity::{DistrictKind, district, mahalla, region};
use super::service::{self, Names};
use crate::filters::search_text;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{Filter, one};
use crate::pagination::{Conn, Order};

/// A region (viloyat), the Republic of Karakalpakstan or Tashkent city.
pub struct Region(pub region::Model);

#[Object]
impl Region {
    pub async fn id(&self) -> ID {
        ids::encode("Region", self.0.id)
    }
    /// Code in the national territorial classifier (SOATO), 4 digits.
    async fn soato(&self) -> &str {
        &self.0.soato
    }
    /// Name in Uzbek (Latin script).
    async fn name_uz(&self) -> &str {
        &self.0.name_uz
    }
    /// Name in Russian.
    async fn name_ru(&self) -> Option<&str> {
        self.0.name_ru.as_deref()
    }
    /// Name in English.
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }
    /// Districts and district-level cities of the region.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<District>> {
        let page = page(ctx, first, after)?;
        Ok(loaders(ctx)?
            .nested(district::Column::RegionId, district::Column::Id, Order::Ascending)
            .connection(self.0.id, Filter::all(), page, |m| m.id, District)
            .await?)
    }
}

/// A district (tuman), district-level city (shahar) or city district.
pub struct District(pub district::Model);

#[Object]
impl District {
    pub async fn id(&self) -> ID {
        ids::encode("District", self.0.id)
    }
    /// SOATO code, 7 digits, starting with the region's code.
    async fn soato(&self) -> &str {
        &self.0.soato
    }
    async fn kind(&self) -> DistrictKind {
        self.0.kind
    }
    async fn name_uz(&self) -> &str {
        &self.0.name_uz
    }
    async fn name_ru(&self) -> Option<&str> {
        self.0.name_ru.as_deref()
    }
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(one(&loaders(ctx)?.regions, self.0.region_id).await?.map(Region))
    }
    /// Mahallas of the district.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn mahallas(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Mahalla>> {
        let page = page(ctx, first, after)?;
        Ok(loaders(ctx)?
            .nested(mahalla::Column::DistrictId, mahalla::Column::Id, Order::Ascending)
            .connection(self.0.id, Filter::all(), page, |m| m.id, Mahalla)
            .await?)
    }
}

/// A mahalla: the neighbourhood community every case and person belongs to.
pub struct Mahalla(pub mahalla::Model);

#[Object]
impl Mahalla {
    pub async fn id(&self) -> ID {
        ids::encode("Mahalla", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The mahalla's own code, where one is used.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        Ok(one(&loaders(ctx)?.districts, self.0.district_id)
            .await?
            .map(District))
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(one(&loaders(ctx)?.regions, self.0.region_id).await?.map(Region))
    }
}

/// Fetch one region (any signed-in caller).
pub async fn fetch_region(ctx: &Context<'_>, id: i64) -> Result<Option<Region>> {
    principal(ctx)?;
    Ok(one(&loaders(ctx)?.regions, id).await?.map(Region))
}

pub async fn fetch_district(ctx: &Context<'_>, id: i64) -> Result<Option<District>> {
    principal(ctx)?;
    Ok(one(&loaders(ctx)?.districts, id).await?.map(District))
}

pub async fn fetch_mahalla(ctx: &Context<'_>, id: i64) -> Result<Option<Mahalla>> {
    principal(ctx)?;
    Ok(one(&loaders(ctx)?.mahallas, id).await?.map(Mahalla))
}

#[derive(Default)]
pub struct TerritoryQuery;

#[Object]
impl TerritoryQuery {
    /// Regions, in classifier order.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn regions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Part of a name, or an exact SOATO code.")] search: Option<String>,
    ) -> Result<Conn<Region>> {
        principal(ctx)?;
        let page = page(ctx, first, after)?;
        let search = search_text("search", search.as_deref())?;
        let rows = service::list_regions(&state(ctx)?.db, search, page).await?;
        Ok(rows.into_connection(|m| m.id, Region))
    }

    /// Districts, optionally of one region.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        region_id: Option<ID>,
        #[graphql(desc = "Part of a name, or an exact SOATO code.")] search: Option<String>,
    ) -> Result<Conn<District>> {
        principal(ctx)?;
        let page = page(ctx, first, after)?;
        let region_id = ids::decode_opt(region_id.as_ref(), "Region", "regionId")?;
        let search = search_text("search", search.as_deref())?;
        let rows = service::list_districts(&state(ctx)?.db, region_id, search, page).await?;
        Ok(rows.into_connection(|m| m.id, District))
    }

    /// Mahallas, optionally of one region or district.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn mahallas(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        region_id: Option<ID>,
        district_id: Option<ID>,
        #[graphql(desc = "Part of the name.")] search: Option<String>,
    ) -> Result<Conn<Mahalla>> {
        principal(ctx)?;
        let page = page(ctx, first, after)?;
        let region_id = ids::decode_opt(region_id.as_ref(), "Region", "regionId")?;
        let district_id = ids::decode_opt(district_id.as_ref(), "District", "districtId")?;
        let search = search_text("search", search.as_deref())?;
        let rows = service::list_mahallas(&state(ctx)?.db, region_id, district_id, search, page).await?;
        Ok(rows.into_connection(|m| m.id, Mahalla))
    }

    async fn region(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Region>> {
        fetch_region(ctx, ids::decode_as(&id, "Region", "id")?).await
    }

    async fn district(&self, ctx: &Context<'_>, id: ID) -> Result<Option<District>> {
        fetch_district(ctx, ids::decode_as(&id, "District", "id")?).await
    }

    async fn mahalla(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Mahalla>> {
        fetch_mahalla(ctx, ids::decode_as(&id, "Mahalla", "id")?).await
    }
}

#[derive(InputObject)]
pub struct CreateRegionInput {
    /// SOATO code, 4 digits.
    pub soato: String,
    pub name_uz: String,
    pub name_ru: Option<String>,
    pub name_en: Option<String>,
}

#[derive(InputObject)]
pub struct CreateDistrictInput {
    pub region_id: ID,
    /// SOATO code, 7 digits, starting with the region's code.
    pub soato: String,
    pub kind: DistrictKind,
    pub name_uz: String,
    pub name_ru: Option<String>,
    pub name_en: Option<String>,
}

#[derive(InputObject)]
pub struct CreateMahallaInput {
    pub district_id: ID,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Default)]
pub struct TerritoryMutation;

#[Object]
impl TerritoryMutation {
    /// Add a region (platform admin).
    async fn create_region(&self, ctx: &Context<'_>, input: CreateRegionInput) -> Result<Region> {
        let p = principal(ctx)?;
        let names = Names::parse(&input.name_uz, input.name_ru.as_deref(), input.name_en.as_deref())?;
        let row = service::create_region(&state(ctx)?.db, p, &input.soato, names).await?;
        Ok(Region(row))
    }

    /// Add a district to a region (platform admin).
    async fn create_district(&self, ctx: &Context<'_>, input: CreateDistrictInput) -> Result<District> {
        let p = principal(ctx)?;
        let region_id = ids::decode_as(&input.region_id, "Region", "input.regionId")?;
        let names = Names::parse(&input.name_uz, input.name_ru.as_deref(), input.name_en.as_deref())?;
        let row =
            service::create_district(&state(ctx)?.db, p, region_id, &input.soato, input.kind, names).await?;
        Ok(District(row))
    }

    /// Add a mahalla to a district (platform admin).
    async fn create_mahalla(&self, ctx: &Context<'_>, input: CreateMahallaInput) -> Result<Mahalla> {
        let p = principal(ctx)?;
        let district_id = ids::decode_as(&input.district_id, "District", "input.districtId")?;
        let row = service::create_mahalla(
            &state(ctx)?.db,
            p,
            district_id,
            &input.name,
            input.code.as_deref(),
        )
        .await?;
        Ok(Mahalla(row))
    }

    /// Rename a mahalla (platform admin).
    async fn rename_mahalla(&self, ctx: &Context<'_>, id: ID, name: String) -> Result<Mahalla> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Mahalla", "id")?;
        let row = service::rename_mahalla(&state(ctx)?.db, p, id, &name).await?;
        Ok(Mahalla(row))
    }
}
