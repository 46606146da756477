//! Employers.

use async_graphql::{Context, ID, InputObject, Object, Result};
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::{loaders, state};
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::territory::graphql::{District, Region};
use hamkor_api::territory::resolve::place_of;

use crate::ID as MODULE;
use crate::entity::{Openness, employer};
use crate::service::employers::EmployerSpec;

/// An employer that offers work.
pub struct Employer(pub employer::Model);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl Employer {
    async fn id(&self) -> ID {
        ids::encode("Employer", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn contact_name(&self) -> Option<&str> {
        self.0.contact_name.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(one(&loaders(ctx)?.regions, self.0.region_id).await?.map(Region))
    }
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        Ok(one(&loaders(ctx)?.districts, self.0.district_id)
            .await?
            .map(District))
    }
    /// Whether it hires people with a criminal record.
    async fn openness(&self) -> Openness {
        self.0.openness
    }
    /// The organisation that registered it.
    async fn registered_by(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// When the employer is itself an organisation on the platform.
    async fn linked_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(match self.0.linked_organisation_id {
            Some(id) => one(&loaders(ctx)?.organisations, id).await?.map(Organisation),
            None => None,
        })
    }
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct EmployerInput {
    pub name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The employer's District or Mahalla.
    pub territory_id: ID,
    pub openness: Openness,
    /// When the employer is itself an organisation on the platform.
    pub linked_organisation_id: Option<ID>,
}

impl EmployerInput {
    /// The employer as the service takes it.
    pub async fn spec(self, ctx: &Context<'_>) -> ApiResult<EmployerSpec> {
        Ok(EmployerSpec {
            place: place_of(&state(ctx)?.db, &self.territory_id, "input.territoryId").await?,
            name: self.name,
            contact_name: self.contact_name,
            phone: self.phone,
            email: self.email,
            openness: self.openness,
            linked_organisation_id: ids::decode_opt(
                self.linked_organisation_id.as_ref(),
                "Organisation",
                "input.linkedOrganisationId",
            )?,
        })
    }
}
