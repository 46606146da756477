//! The module catalogue and its switches.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};

use super::service::{self, ModuleStatus};
use super::{Module, Registry};
use crate::error::ApiError;
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::user::entity::Role;

/// A referral kind a module handles.
#[derive(SimpleObject)]
pub struct ReferralKindInfo {
    /// Stable code (`employment.job_search`), used as `Referral.kind`.
    pub code: String,
    pub name: String,
    pub description: String,
    /// Hours the recipient has to accept or decline a sent referral.
    pub first_response_hours: u32,
}

/// A permission a module defines.
#[derive(SimpleObject)]
pub struct ModulePermission {
    pub code: String,
    pub description: String,
    /// Roles that hold it.
    pub roles: Vec<Role>,
}

/// A compiled-in module, with its availability on the platform and its enablement and
/// configuration for one organisation.
pub struct ModuleInfo {
    status: ModuleStatus,
    module: Arc<dyn Module>,
}

impl ModuleInfo {
    fn module(&self) -> &dyn Module {
        self.module.as_ref()
    }

    /// The GraphQL view of module statuses (each names a compiled-in module).
    fn all(registry: &Registry, list: Vec<ModuleStatus>) -> Vec<Self> {
        list.into_iter()
            .filter_map(|status| {
                registry.get(status.id).map(|m| Self {
                    module: m.clone(),
                    status,
                })
            })
            .collect()
    }
}

#[Object(name = "Module")]
impl ModuleInfo {
    /// Stable module id (`employment`), also the name of its namespace on `Query` and
    /// `Mutation`.
    async fn id(&self) -> &str {
        self.status.id
    }
    async fn name(&self) -> &str {
        self.module().name()
    }
    async fn version(&self) -> &str {
        self.module().version()
    }
    async fn description(&self) -> &str {
        self.module().description()
    }
    /// Whether the platform offers the module to organisations.
    async fn available(&self) -> bool {
        self.status.available
    }
    /// Whether the organisation has it switched on (and it is available).
    async fn enabled(&self) -> bool {
        self.status.enabled
    }
    /// The organisation's configuration (the module's default when never configured):
    /// for its admins and the platform admin only, null for everyone else.
    async fn config(&self, ctx: &Context<'_>) -> Result<Option<Json<serde_json::Value>>> {
        let p = principal(ctx)?;
        Ok(p.has_any_role(&[Role::OrgAdmin, Role::PlatformAdmin])
            .then(|| Json(self.status.config.clone())))
    }
    async fn referral_kinds(&self) -> Vec<ReferralKindInfo> {
        self.module()
            .referral_kinds()
            .into_iter()
            .map(|k| ReferralKindInfo {
                code: k.code.to_owned(),
                name: k.name.to_owned(),
                description: k.description.to_owned(),
                first_response_hours: k.first_response_hours,
            })
            .collect()
    }
    async fn permissions(&self) -> Vec<ModulePermission> {
        self.module()
            .permissions()
            .into_iter()
            .map(|p| ModulePermission {
                code: p.code.to_owned(),
                description: p.description.to_owned(),
                roles: p.roles.to_vec(),
            })
            .collect()
    }
}

#[derive(Default)]
pub struct ModuleQuery;

#[Object]
impl ModuleQuery {
    /// Every compiled-in module, with availability, and enablement and configuration for
    /// the caller's organisation (a platform admin may name another organisation).
    async fn modules(&self, ctx: &Context<'_>, organisation_id: Option<ID>) -> Result<Vec<ModuleInfo>> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let org = ids::decode_opt(organisation_id.as_ref(), "Organisation", "organisationId")?;
        let list = service::catalogue(&st.db, &st.modules, p, org).await?;
        Ok(ModuleInfo::all(&st.modules, list))
    }
}

/// Make a module available on the platform, or withdraw it.
#[derive(InputObject)]
pub struct SetModuleAvailabilityInput {
    pub module_id: String,
    pub available: bool,
}

/// Switch a module on or off for an organisation.
#[derive(InputObject)]
pub struct ConfigureModuleInput {
    pub module_id: String,
    /// Another organisation (platform admin only); default: the caller's.
    pub organisation_id: Option<ID>,
    pub enabled: bool,
    /// The module's configuration for the organisation; unknown keys are refused.
    /// Omitted: keep the current configuration.
    pub config: Option<Json<serde_json::Value>>,
}

#[derive(Default)]
pub struct ModuleMutation;

#[Object]
impl ModuleMutation {
    /// Platform admin: offer a module to organisations, or withdraw it from all of them.
    async fn set_module_availability(
        &self,
        ctx: &Context<'_>,
        input: SetModuleAvailabilityInput,
    ) -> Result<Vec<ModuleInfo>> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        service::set_availability(&st.db, &st.modules, p, &input.module_id, input.available).await?;
        let list = service::catalogue(&st.db, &st.modules, p, None).await?;
        Ok(ModuleInfo::all(&st.modules, list))
    }

    /// Organisation admin: switch a module on or off for the organisation, with its
    /// configuration. The next request of any of its users sees the change.
    async fn configure_module(&self, ctx: &Context<'_>, input: ConfigureModuleInput) -> Result<ModuleInfo> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let org = ids::decode_opt(
            input.organisation_id.as_ref(),
            "Organisation",
            "input.organisationId",
        )?;
        let status = service::configure(
            &st.db,
            &st.modules,
            p,
            org,
            &input.module_id,
            input.enabled,
            input.config.as_ref().map(|c| &c.0),
        )
        .await?;
        Ok(ModuleInfo::all(&st.modules, vec![status])
            .pop()
            .ok_or(ApiError::NotFound("Module"))?)
    }
}
