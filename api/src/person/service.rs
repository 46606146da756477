//! Registering and reading people. A person is visible to whoever may see one of their
//! cases, and to the probation service that registered them.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::{Value as Json, json};

use super::entity::{self as person, FamilyStatus, Sex};
use super::pinfl::Pinfl;
use crate::access::{self, CaseAccess, case_access, visible_cases};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::filters::contains_ci;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::territory::resolve::mahalla_place;
use crate::user::entity::Role;
use crate::validate;

/// Most languages recorded for one person.
pub const MAX_LANGUAGES: usize = 10;

/// Language codes: 2 or 3 lower-case letters (ISO 639), de-duplicated.
pub fn parse_languages(field: &str, codes: &[String]) -> ApiResult<Json> {
    if codes.len() > MAX_LANGUAGES {
        return Err(ApiError::bad_input(
            field,
            format!("at most {MAX_LANGUAGES} languages"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let c = code.trim().to_lowercase();
        if !(2..=3).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ApiError::bad_input(
                format!("{field}[{i}]"),
                "must be a 2- or 3-letter language code such as uz, ru or kaa",
            ));
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(json!(out))
}

/// The person's details, parsed.
pub struct PersonDetails {
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Option<Sex>,
    pub mahalla_id: i64,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub languages: Json,
    pub family_status: Option<FamilyStatus>,
    pub dependants: Option<i32>,
}

/// Check a birth date and a number of dependants.
pub fn check_birth_and_dependants(birth_date: NaiveDate, dependants: Option<i32>) -> ApiResult<()> {
    let today = now().date_naive();
    let oldest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if birth_date > today || birth_date < oldest {
        return Err(ApiError::bad_input(
            "input.birthDate",
            "is not a plausible date of birth",
        ));
    }
    if dependants.is_some_and(|d| !(0..=30).contains(&d)) {
        return Err(ApiError::bad_input(
            "input.dependants",
            "must be between 0 and 30",
        ));
    }
    Ok(())
}

/// The SQL condition selecting the people `p` may see.
pub fn visible_people(p: &Principal) -> Condition {
    let via_cases = person::Column::Id.in_subquery(
        Query::select()
            .column(case::Column::PersonId)
            .from(case::Entity)
            .cond_where(visible_cases(p))
            .to_owned(),
    );
    let mut any = Condition::any().add(via_cases);
    if p.has_role(Role::ProbationOfficer) {
        any = any.add(person::Column::OrganisationId.eq(p.organisation_id));
    }
    any
}

/// The caller's access to each of `people`, from the cases they may see (and the
/// registering organisation). People the caller cannot see are absent.
pub async fn access_to(
    db: &DatabaseConnection,
    p: &Principal,
    people: &[person::Model],
) -> ApiResult<HashMap<i64, CaseAccess>> {
    let mut out = HashMap::new();
    if people.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = people.iter().map(|m| m.id).collect();
    let cases = case::Entity::find()
        .filter(case::Column::PersonId.is_in(ids))
        .filter(visible_cases(p))
        .all(db)
        .await?;
    for c in &cases {
        if let Some(level) = case_access(p, c) {
            let e = out.entry(c.person_id).or_insert(level);
            *e = (*e).max(level);
        }
    }
    if p.has_role(Role::ProbationOfficer) {
        for m in people.iter().filter(|m| m.organisation_id == p.organisation_id) {
            out.insert(m.id, CaseAccess::Full);
        }
    }
    Ok(out)
}

/// One person with the caller's access to them, or NOT_FOUND.
pub async fn get(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<(person::Model, CaseAccess)> {
    let row = person::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Person"))?;
    let access = access_to(db, p, std::slice::from_ref(&row)).await?;
    match access.get(&row.id) {
        Some(level) => Ok((row, *level)),
        None => Err(ApiError::NotFound("Person")),
    }
}

/// Register a person (probation officer, in their territory).
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    pinfl: Pinfl,
    details: PersonDetails,
) -> ApiResult<person::Model> {
    access::require_any_role(p, &[Role::ProbationOfficer])?;
    check_birth_and_dependants(details.birth_date, details.dependants)?;
    let place = mahalla_place(db, details.mahalla_id, "input.mahallaId").await?;
    let (Some(region_id), Some(district_id)) = (place.region_id, place.district_id) else {
        return Err(ApiError::bad_input("input.mahallaId", "no such mahalla"));
    };
    if !p.scope.covers(region_id, district_id, details.mahalla_id) {
        return Err(ApiError::Forbidden(
            "the mahalla lies outside your territory".into(),
        ));
    }
    let txn = write_txn(db).await?;
    let at = now();
    let row = person::ActiveModel {
        pinfl: Set(pinfl.into_string()),
        last_name: Set(details.last_name),
        first_name: Set(details.first_name),
        patronymic: Set(details.patronymic),
        birth_date: Set(details.birth_date),
        sex: Set(details.sex),
        mahalla_id: Set(details.mahalla_id),
        district_id: Set(district_id),
        region_id: Set(region_id),
        address: Set(details.address),
        phone: Set(details.phone),
        languages: Set(details.languages),
        family_status: Set(details.family_status),
        dependants: Set(details.dependants),
        organisation_id: Set(p.organisation_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "a person with this PINFL is already registered"))?;
    audit::record(&txn, p, Entry::new("person.create").target("Person", row.id)).await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("person.registered", "Person", row.id).organisation(p.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes to a person; absent fields stay.
#[derive(Default)]
pub struct PersonPatch {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<Option<String>>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Option<Sex>>,
    pub mahalla_id: Option<i64>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub languages: Option<Json>,
    pub family_status: Option<Option<FamilyStatus>>,
    pub dependants: Option<Option<i32>>,
}

/// Update a person's details (a probation officer with full access to them).
pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    patch: PersonPatch,
) -> ApiResult<person::Model> {
    let (current, level) = get(db, p, id).await?;
    if level < CaseAccess::Full {
        return Err(ApiError::forbidden());
    }
    check_birth_and_dependants(
        patch.birth_date.unwrap_or(current.birth_date),
        patch.dependants.unwrap_or(current.dependants),
    )?;
    let txn = write_txn(db).await?;
    let mut row: person::ActiveModel = current.into();
    if let Some(mahalla_id) = patch.mahalla_id {
        let place = mahalla_place(&txn, mahalla_id, "input.mahallaId").await?;
        let (Some(region_id), Some(district_id)) = (place.region_id, place.district_id) else {
            return Err(ApiError::bad_input("input.mahallaId", "no such mahalla"));
        };
        row.mahalla_id = Set(mahalla_id);
        row.district_id = Set(district_id);
        row.region_id = Set(region_id);
    }
    if let Some(v) = patch.last_name {
        row.last_name = Set(v);
    }
    if let Some(v) = patch.first_name {
        row.first_name = Set(v);
    }
    if let Some(v) = patch.patronymic {
        row.patronymic = Set(v);
    }
    if let Some(v) = patch.birth_date {
        row.birth_date = Set(v);
    }
    if let Some(v) = patch.sex {
        row.sex = Set(v);
    }
    if let Some(v) = patch.address {
        row.address = Set(v);
    }
    if let Some(v) = patch.phone {
        row.phone = Set(v);
    }
    if let Some(v) = patch.languages {
        row.languages = Set(v);
    }
    if let Some(v) = patch.family_status {
        row.family_status = Set(v);
    }
    if let Some(v) = patch.dependants {
        row.dependants = Set(v);
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audit::record(&txn, p, Entry::new("person.update").target("Person", row.id)).await?;
    events::emit(&txn, Some(p), NewEvent::new("person.updated", "Person", row.id)).await?;
    txn.commit().await?;
    Ok(row)
}

/// Filters of the people list.
#[derive(Debug, Default, Clone)]
pub struct PersonFilter {
    pub mahalla_id: Option<i64>,
    pub district_id: Option<i64>,
    pub pinfl: Option<Pinfl>,
    pub search: Option<String>,
}

/// People the caller may see, newest first, each with the caller's access.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    filter: PersonFilter,
    page: Page,
) -> ApiResult<(Paged<person::Model>, HashMap<i64, CaseAccess>)> {
    let mut cond = Condition::all().add(visible_people(p));
    if let Some(id) = filter.mahalla_id {
        cond = cond.add(person::Column::MahallaId.eq(id));
    }
    if let Some(id) = filter.district_id {
        cond = cond.add(person::Column::DistrictId.eq(id));
    }
    if let Some(pinfl) = filter.pinfl {
        cond = cond.add(person::Column::Pinfl.eq(pinfl.into_string()));
    }
    if let Some(q) = filter.search {
        cond = cond.add(
            Condition::any()
                .add(contains_ci(person::Column::LastName, &q))
                .add(contains_ci(person::Column::FirstName, &q)),
        );
    }
    let rows = paginate(
        db,
        person::Entity::find().filter(cond),
        person::Column::Id,
        page,
        Order::Descending,
    )
    .await?;
    let access = access_to(db, p, &rows.rows).await?;
    Ok((rows, access))
}

/// Text fields of a person, parsed.
pub fn parse_name(field: &str, value: &str) -> ApiResult<String> {
    validate::required(field, value, 100)
}
