//! Reading and managing territories. Anyone signed in may read them (they are public
//! classifier data); only the platform admin changes them.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::entity::{DistrictKind, district, mahalla, region};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::filters::contains_ci;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::user::entity::Role;
use crate::validate;

/// A region SOATO code has 4 digits; a district code 7, starting with its region's.
pub fn parse_soato(field: &str, value: &str, digits: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.len() != digits || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_input(
            field,
            format!("must be a {digits}-digit SOATO code"),
        ));
    }
    Ok(v.to_owned())
}

fn require_platform_admin(p: &Principal) -> ApiResult<()> {
    if p.has_role(Role::PlatformAdmin) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Names of a territory in the three working languages.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub uz: String,
    pub ru: Option<String>,
    pub en: Option<String>,
}

impl Names {
    pub fn parse(uz: &str, ru: Option<&str>, en: Option<&str>) -> ApiResult<Self> {
        Ok(Self {
            uz: validate::required("input.nameUz", uz, validate::SHORT_TEXT)?,
            ru: validate::optional("input.nameRu", ru, validate::SHORT_TEXT)?,
            en: validate::optional("input.nameEn", en, validate::SHORT_TEXT)?,
        })
    }
}

pub async fn create_region(
    db: &DatabaseConnection,
    p: &Principal,
    soato: &str,
    names: Names,
) -> ApiResult<region::Model> {
    require_platform_admin(p)?;
    let soato = parse_soato("input.soato", soato, 4)?;
    let txn = crate::db::write_txn(db).await?;
    let row = region::ActiveModel {
        soato: Set(soato),
        name_uz: Set(names.uz),
        name_ru: Set(names.ru),
        name_en: Set(names.en),
        created_at: Set(crate::db::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "a region with this SOATO code exists"))?;
    audit::record(&txn, p, Entry::new("region.create").target("Region", row.id)).await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("territory.region_created", "Region", row.id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn create_district(
    db: &DatabaseConnection,
    p: &Principal,
    region_id: i64,
    soato: &str,
    kind: DistrictKind,
    names: Names,
) -> ApiResult<district::Model> {
    require_platform_admin(p)?;
    let soato = parse_soato("input.soato", soato, 7)?;
    let txn = crate::db::write_txn(db).await?;
    let region = region::Entity::find_by_id(region_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Region"))?;
    if !soato.starts_with(&region.soato) {
        return Err(ApiError::bad_input(
            "input.soato",
            format!(
                "a district of region {} must have a code starting with it",
                region.soato
            ),
        ));
    }
    let row = district::ActiveModel {
        region_id: Set(region.id),
        soato: Set(soato),
        kind: Set(kind),
        name_uz: Set(names.uz),
        name_ru: Set(names.ru),
        name_en: Set(names.en),
        created_at: Set(crate::db::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "a district with this SOATO code exists"))?;
    audit::record(&txn, p, Entry::new("district.create").target("District", row.id)).await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("territory.district_created", "District", row.id)
            .payload(json!({"regionId": region.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn create_mahalla(
    db: &DatabaseConnection,
    p: &Principal,
    district_id: i64,
    name: &str,
    code: Option<&str>,
) -> ApiResult<mahalla::Model> {
    require_platform_admin(p)?;
    let name = validate::required("input.name", name, validate::SHORT_TEXT)?;
    let code = validate::optional("input.code", code, 32)?;
    let txn = crate::db::write_txn(db).await?;
    let district = district::Entity::find_by_id(district_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("District"))?;
    let row = mahalla::ActiveModel {
        district_id: Set(district.id),
        region_id: Set(district.region_id),
        name: Set(name),
        code: Set(code),
        created_at: Set(crate::db::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        ApiError::conflict_on_unique(e, "a mahalla with this name or code exists in the district")
    })?;
    audit::record(&txn, p, Entry::new("mahalla.create").target("Mahalla", row.id)).await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("territory.mahalla_created", "Mahalla", row.id)
            .payload(json!({"districtId": district.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn rename_mahalla(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    name: &str,
) -> ApiResult<mahalla::Model> {
    require_platform_admin(p)?;
    let name = validate::required("input.name", name, validate::SHORT_TEXT)?;
    let txn = crate::db::write_txn(db).await?;
    let current = mahalla::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Mahalla"))?;
    let mut row: mahalla::ActiveModel = current.into();
    row.name = Set(name);
    let row = row
        .update(&txn)
        .await
        .map_err(|e| ApiError::conflict_on_unique(e, "a mahalla with this name exists in the district"))?;
    audit::record(&txn, p, Entry::new("mahalla.update").target("Mahalla", row.id)).await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("territory.mahalla_updated", "Mahalla", row.id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn list_regions(
    db: &DatabaseConnection,
    search: Option<String>,
    page: Page,
) -> ApiResult<Paged<region::Model>> {
    let mut cond = Condition::all();
    if let Some(q) = search {
        cond = cond.add(
            Condition::any()
                .add(contains_ci(region::Column::NameUz, &q))
                .add(contains_ci(region::Column::NameEn, &q))
                .add(region::Column::Soato.eq(q)),
        );
    }
    let query = region::Entity::find().filter(cond);
    paginate(db, query, region::Column::Id, page, Order::Ascending).await
}

pub async fn list_districts(
    db: &DatabaseConnection,
    region_id: Option<i64>,
    search: Option<String>,
    page: Page,
) -> ApiResult<Paged<district::Model>> {
    let mut cond = Condition::all();
    if let Some(id) = region_id {
        cond = cond.add(district::Column::RegionId.eq(id));
    }
    if let Some(q) = search {
        cond = cond.add(
            Condition::any()
                .add(contains_ci(district::Column::NameUz, &q))
                .add(contains_ci(district::Column::NameEn, &q))
                .add(district::Column::Soato.eq(q)),
        );
    }
    let query = district::Entity::find().filter(cond);
    paginate(db, query, district::Column::Id, page, Order::Ascending).await
}

pub async fn list_mahallas(
    db: &DatabaseConnection,
    region_id: Option<i64>,
    district_id: Option<i64>,
    search: Option<String>,
    page: Page,
) -> ApiResult<Paged<mahalla::Model>> {
    let mut cond = Condition::all();
    if let Some(id) = region_id {
        cond = cond.add(mahalla::Column::RegionId.eq(id));
    }
    if let Some(id) = district_id {
        cond = cond.add(mahalla::Column::DistrictId.eq(id));
    }
    if let Some(q) = search {
        cond = cond.add(contains_ci(mahalla::Column::Name, &q));
    }
    let query = mahalla::Entity::find().filter(cond);
    paginate(db, query, mahalla::Column::Id, page, Order::Ascending).await
}

#[cfg(test)]
mod tests {
    use super::parse_soato;

    #[test]
    fn soato_codes_have_a_fixed_number_of_digits() {
        assert_eq!(parse_soato("s", " 1703 ", 4).ok().as_deref(), Some("1703"));
        assert!(parse_soato("s", "170", 4).is_err());
        assert!(parse_soato("s", "17a3", 4).is_err());
        assert!(parse_soato("s", "1703202", 4).is_err());
    }
}
