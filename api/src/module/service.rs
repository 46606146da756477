//! Module availability (platform admin) and enablement (organisation admin), read fresh
//! from the database on every request so that a change shows on every replica at once.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value as Json, json};

use super::Registry;
use super::entity::{module, organisation_module};
use super::guard::EnabledModules;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::organisation::entity as organisation;
use crate::user::entity::Role;

/// One module as one organisation sees it.
#[derive(Debug, Clone)]
pub struct ModuleStatus {
    pub id: &'static str,
    pub available: bool,
    pub enabled: bool,
    pub config: Json,
}

/// Modules enabled for `organisation_id`: compiled in, available and switched on.
pub async fn enabled_for<C: ConnectionTrait>(
    db: &C,
    registry: &Registry,
    organisation_id: i64,
) -> ApiResult<EnabledModules> {
    let switched_on: Vec<String> = organisation_module::Entity::find()
        .filter(organisation_module::Column::OrganisationId.eq(organisation_id))
        .filter(organisation_module::Column::Enabled.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.module_id)
        .filter(|id| registry.get(id).is_some())
        .collect();
    if switched_on.is_empty() {
        return Ok(EnabledModules::default());
    }
    let withdrawn = withdrawn_modules(db).await?;
    Ok(EnabledModules(
        switched_on
            .into_iter()
            .filter(|id| !withdrawn.contains(id))
            .collect(),
    ))
}

/// Whether `module_id` is enabled for `organisation_id` (a referral's recipient, say).
pub async fn is_enabled_for<C: ConnectionTrait>(
    db: &C,
    registry: &Registry,
    organisation_id: i64,
    module_id: &str,
) -> ApiResult<bool> {
    Ok(enabled_for(db, registry, organisation_id)
        .await?
        .contains(module_id))
}

/// The configuration `organisation_id` gave `module_id`, when the module is enabled for
/// it (what a module's resolvers read).
pub async fn config_for<C: ConnectionTrait>(
    db: &C,
    registry: &Registry,
    organisation_id: i64,
    module_id: &str,
) -> ApiResult<Option<Json>> {
    if !is_enabled_for(db, registry, organisation_id, module_id).await? {
        return Ok(None);
    }
    Ok(
        organisation_module::Entity::find_by_id((organisation_id, module_id.to_owned()))
            .one(db)
            .await?
            .map(|r| r.config),
    )
}

/// Ids of modules the platform admin made unavailable.
async fn withdrawn_modules<C: ConnectionTrait>(db: &C) -> ApiResult<BTreeSet<String>> {
    Ok(module::Entity::find()
        .filter(module::Column::Available.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

/// The organisation whose modules `p` asks about: their own, or any for a platform admin.
fn target_organisation(p: &Principal, organisation_id: Option<i64>) -> ApiResult<i64> {
    match organisation_id {
        None => Ok(p.organisation_id),
        Some(id) if id == p.organisation_id || p.is_platform_admin() => Ok(id),
        Some(_) => Err(ApiError::forbidden()),
    }
}

/// The catalogue of compiled-in modules with their availability, and enablement and
/// configuration for the caller's organisation (a platform admin may name another).
pub async fn catalogue(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    organisation_id: Option<i64>,
) -> ApiResult<Vec<ModuleStatus>> {
    let org = target_organisation(p, organisation_id)?;
    let withdrawn = withdrawn_modules(db).await?;
    let rows: BTreeMap<String, organisation_module::Model> = organisation_module::Entity::find()
        .filter(organisation_module::Column::OrganisationId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.module_id.clone(), r))
        .collect();
    Ok(registry
        .all()
        .map(|m| {
            let row = rows.get(m.id());
            let available = !withdrawn.contains(m.id());
            ModuleStatus {
                id: m.id(),
                available,
                enabled: available && row.is_some_and(|r| r.enabled),
                config: row.map_or_else(|| default_config(m.as_ref()), |r| r.config.clone()),
            }
        })
        .collect())
}

/// A module's default configuration with its defaults filled in.
fn default_config(m: &dyn super::Module) -> Json {
    let raw = m.default_config();
    m.validate_config(&raw).unwrap_or(raw)
}

fn known<'r>(registry: &'r Registry, module_id: &str) -> ApiResult<&'r std::sync::Arc<dyn super::Module>> {
    registry
        .get(module_id)
        .ok_or_else(|| ApiError::bad_input("input.moduleId", format!("no module {module_id:?} is installed")))
}

/// Make a module available on the platform or withdraw it (platform admin). Withdrawing
/// switches it off for every organisation without forgetting their configuration.
pub async fn set_availability(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    module_id: &str,
    available: bool,
) -> ApiResult<()> {
    if !p.has_role(Role::PlatformAdmin) {
        return Err(ApiError::forbidden());
    }
    let m = known(registry, module_id)?;
    let txn = write_txn(db).await?;
    let at = now();
    // A module first seen here starts its hooks at the newest event (no replay of history).
    let cursor = crate::events::feed::latest_id(&txn).await?;
    module::Entity::insert(module::ActiveModel {
        id: Set(m.id().to_owned()),
        available: Set(available),
        event_cursor: Set(cursor),
        updated_at: Set(at),
        updated_by: Set(Some(p.user_id)),
    })
    .on_conflict(
        OnConflict::column(module::Column::Id)
            .update_columns([
                module::Column::Available,
                module::Column::UpdatedAt,
                module::Column::UpdatedBy,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let detail = json!({"module": m.id(), "available": available});
    audit::record(
        &txn,
        p,
        Entry::new("module.set_availability").detail(detail.clone()),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("module.availability_changed", "Module", 0).payload(detail),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Switch a module on or off for an organisation, with its configuration (organisation
/// admin of that organisation, or platform admin). `config: None` keeps the current one
/// (or the module's default).
pub async fn configure(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    organisation_id: Option<i64>,
    module_id: &str,
    enabled: bool,
    config: Option<&Json>,
) -> ApiResult<ModuleStatus> {
    let org = target_organisation(p, organisation_id)?;
    if !(p.has_role(Role::PlatformAdmin) || (p.has_role(Role::OrgAdmin) && org == p.organisation_id)) {
        return Err(ApiError::forbidden());
    }
    let m = known(registry, module_id)?;
    let config = config
        .map(|c| m.validate_config(c))
        .transpose()
        .map_err(|e| ApiError::bad_input("input.config", e.0))?;

    let txn = write_txn(db).await?;
    organisation::Entity::find_by_id(org)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Organisation"))?;
    let withdrawn = withdrawn_modules(&txn).await?.contains(m.id());
    if enabled && withdrawn {
        return Err(ApiError::Conflict(format!(
            "module {} is not available on this platform",
            m.id()
        )));
    }
    let current = organisation_module::Entity::find_by_id((org, m.id().to_owned()))
        .one(&txn)
        .await?;
    let config = match (config, &current) {
        (Some(c), _) => c,
        (None, Some(row)) => row.config.clone(),
        (None, None) => m
            .validate_config(&m.default_config())
            .map_err(|e| ApiError::internal("module default config", anyhow::anyhow!(e.0)))?,
    };
    let at = now();
    organisation_module::Entity::insert(organisation_module::ActiveModel {
        organisation_id: Set(org),
        module_id: Set(m.id().to_owned()),
        enabled: Set(enabled),
        config: Set(config.clone()),
        updated_at: Set(at),
        updated_by: Set(Some(p.user_id)),
    })
    .on_conflict(
        OnConflict::columns([
            organisation_module::Column::OrganisationId,
            organisation_module::Column::ModuleId,
        ])
        .update_columns([
            organisation_module::Column::Enabled,
            organisation_module::Column::Config,
            organisation_module::Column::UpdatedAt,
            organisation_module::Column::UpdatedBy,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let was_enabled = current.as_ref().is_some_and(|r| r.enabled);
    let event_type = match (was_enabled, enabled) {
        (false, true) => events::event_type("module.enabled"),
        (true, false) => events::event_type("module.disabled"),
        _ => events::event_type("module.configured"),
    };
    // The configuration may hold partner-specific settings; the audit keeps its keys only.
    let keys: Vec<&String> = config.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    audit::record(
        &txn,
        p,
        Entry::new("module.configure")
            .target("Organisation", org)
            .detail(json!({"module": m.id(), "enabled": enabled, "configKeys": keys})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new(event_type, "Organisation", org)
            .organisation(org)
            .payload(json!({"module": m.id(), "enabled": enabled})),
    )
    .await?;
    txn.commit().await?;
    Ok(ModuleStatus {
        id: m.id(),
        available: !withdrawn,
        enabled,
        config,
    })
}
