//! Managing organisations (platform admin) and reading them (anyone signed in: partner
//! organisations are chosen from this list).

use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use super::entity::{self as organisation, OrganisationKind};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::filters::contains_ci;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::territory::resolve::Place;
use crate::user::entity::Role;
use crate::validate;

/// Filters of the organisation list.
#[derive(Debug, Default, Clone)]
pub struct OrganisationFilter {
    pub kinds: Vec<OrganisationKind>,
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
    pub search: Option<String>,
    pub active: Option<bool>,
}

fn require_platform_admin(p: &Principal) -> ApiResult<()> {
    if p.has_role(Role::PlatformAdmin) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The place an organisation serves.
pub fn place(o: &organisation::Model) -> Place {
    Place {
        region_id: o.region_id,
        district_id: o.district_id,
        mahalla_id: o.mahalla_id,
    }
}

pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    name: &str,
    kind: OrganisationKind,
    territory: Place,
) -> ApiResult<organisation::Model> {
    require_platform_admin(p)?;
    let name = validate::required("input.name", name, validate::SHORT_TEXT)?;
    let txn = write_txn(db).await?;
    let at = now();
    let row = organisation::ActiveModel {
        name: Set(name),
        kind: Set(kind),
        region_id: Set(territory.region_id),
        district_id: Set(territory.district_id),
        mahalla_id: Set(territory.mahalla_id),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "an organisation with this name exists"))?;
    audit::record(
        &txn,
        p,
        Entry::new("organisation.create").target("Organisation", row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("organisation.created", "Organisation", row.id)
            .organisation(row.id)
            .payload(json!({"kind": kind.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    name: Option<&str>,
    active: Option<bool>,
) -> ApiResult<organisation::Model> {
    require_platform_admin(p)?;
    let name = name
        .map(|n| validate::required("input.name", n, validate::SHORT_TEXT))
        .transpose()?;
    let txn = write_txn(db).await?;
    let current = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Organisation"))?;
    if active == Some(false) && current.id == p.organisation_id {
        return Err(ApiError::bad_input(
            "input.active",
            "you cannot deactivate your own organisation",
        ));
    }
    let mut row: organisation::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(active) = active {
        row.active = Set(active);
    }
    row.updated_at = Set(now());
    let row = row
        .update(&txn)
        .await
        .map_err(|e| ApiError::conflict_on_unique(e, "an organisation with this name exists"))?;
    audit::record(
        &txn,
        p,
        Entry::new("organisation.update")
            .target("Organisation", row.id)
            .detail(json!({"active": row.active})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("organisation.updated", "Organisation", row.id).organisation(row.id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn list(
    db: &DatabaseConnection,
    filter: OrganisationFilter,
    page: Page,
) -> ApiResult<Paged<organisation::Model>> {
    let mut cond = Condition::all();
    if !filter.kinds.is_empty() {
        cond = cond.add(organisation::Column::Kind.is_in(filter.kinds));
    }
    if let Some(id) = filter.region_id {
        cond = cond.add(organisation::Column::RegionId.eq(id));
    }
    if let Some(id) = filter.district_id {
        cond = cond.add(organisation::Column::DistrictId.eq(id));
    }
    if let Some(active) = filter.active {
        cond = cond.add(organisation::Column::Active.eq(active));
    }
    if let Some(q) = filter.search {
        cond = cond.add(contains_ci(organisation::Column::Name, &q));
    }
    paginate(
        db,
        organisation::Entity::find().filter(cond),
        organisation::Column::Id,
        page,
        Order::Ascending,
    )
    .await
}
