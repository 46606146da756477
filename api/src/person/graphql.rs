//! GraphQL types and operations of supervised people.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::entity::{self as person, FamilyStatus, Sex};
use super::pinfl::Pinfl;
use super::service::{self, PersonDetails, PersonFilter, PersonPatch, parse_languages, parse_name};
use crate::access::{CaseAccess, CaseField, require_field};
use crate::audit::reads::ReadKind;
use crate::case::entity::case;
use crate::case::graphql::{Case, CaseAccessLevel, CaseFilterInput};
use crate::case::service as cases;
use crate::error::ApiError;
use crate::filters::search_text;
use crate::graphql::context::{loaders, page, principal, state};
use crate::graphql::read_audit::audit_read;
use crate::ids;
use crate::loaders::{Filter, one};
use crate::pagination::{Conn, Order};
use crate::territory::graphql::Mahalla;
use crate::validate;

/// A person serving a sentence under supervision.
pub struct Person {
    pub model: person::Model,
    /// The caller's access, from the cases they may see.
    pub access: CaseAccess,
}

#[Object]
impl Person {
    pub async fn id(&self) -> ID {
        ids::encode("Person", self.model.id)
    }
    /// Personal identification number (14 digits): not shown to mahalla members.
    async fn pinfl(&self, ctx: &Context<'_>) -> Result<&str> {
        require_field(self.access, CaseField::PersonPinfl)?;
        audit_read(ctx, ReadKind::Pinfl, self.model.id)?;
        Ok(&self.model.pinfl)
    }
    async fn last_name(&self) -> &str {
        &self.model.last_name
    }
    async fn first_name(&self) -> &str {
        &self.model.first_name
    }
    async fn patronymic(&self) -> Option<&str> {
        self.model.patronymic.as_deref()
    }
    /// "Last First Patronymic".
    async fn full_name(&self) -> String {
        self.model.full_name()
    }
    async fn birth_date(&self) -> NaiveDate {
        self.model.birth_date
    }
    async fn sex(&self) -> Option<Sex> {
        self.model.sex
    }
    /// The mahalla the person lives in.
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(one(&loaders(ctx)?.mahallas, self.model.mahalla_id)
            .await?
            .map(Mahalla))
    }
    /// Street address within the mahalla.
    async fn address(&self) -> Option<&str> {
        self.model.address.as_deref()
    }
    /// Phone in international form.
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }
    /// Languages spoken (ISO 639 codes).
    async fn languages(&self) -> Vec<String> {
        self.model
            .languages
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
    async fn family_status(&self) -> Option<FamilyStatus> {
        self.model.family_status
    }
    /// Number of people who depend on the person.
    async fn dependants(&self) -> Option<i32> {
        self.model.dependants
    }
    /// What the caller may see and do about this person.
    async fn viewer_access(&self) -> CaseAccessLevel {
        self.access.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    /// The person's cases that the caller may see, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Case>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let filter = Filter::new(cases::condition(p, CaseFilterInput::default().parse()?));
        let rows = loaders(ctx)?
            .nested(case::Column::PersonId, case::Column::Id, Order::Descending)
            .paged(self.model.id, filter, page)
            .await?;
        Ok(Case::connection(p, rows))
    }
}

/// Fetch a person the caller may see.
pub async fn fetch_person(ctx: &Context<'_>, id: i64) -> Result<Option<Person>> {
    let p = principal(ctx)?;
    match service::get(&state(ctx)?.db, p, id).await {
        Ok((model, access)) => Ok(Some(Person { model, access })),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(InputObject, Default)]
pub struct PersonFilterInput {
    pub mahalla_id: Option<ID>,
    pub district_id: Option<ID>,
    /// Exact PINFL.
    pub pinfl: Option<String>,
    /// Part of the last or first name.
    pub search: Option<String>,
}

#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// People whose cases the caller may see, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PersonFilterInput>,
    ) -> Result<Conn<Person>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let filter = PersonFilter {
            mahalla_id: ids::decode_opt(f.mahalla_id.as_ref(), "Mahalla", "filter.mahallaId")?,
            district_id: ids::decode_opt(f.district_id.as_ref(), "District", "filter.districtId")?,
            pinfl: f
                .pinfl
                .as_deref()
                .map(|v| Pinfl::parse("filter.pinfl", v))
                .transpose()?,
            search: search_text("filter.search", f.search.as_deref())?,
        };
        let (rows, access) = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(
            |m| m.id,
            |model| Person {
                access: access.get(&model.id).copied().unwrap_or(CaseAccess::Community),
                model,
            },
        ))
    }

    async fn person(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Person>> {
        fetch_person(ctx, ids::decode_as(&id, "Person", "id")?).await
    }
}

#[derive(InputObject)]
pub struct CreatePersonInput {
    /// 14 digits.
    pub pinfl: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Option<Sex>,
    /// The mahalla the person lives in (inside the officer's territory).
    pub mahalla_id: ID,
    pub address: Option<String>,
    /// e.g. +998901234567.
    pub phone: Option<String>,
    /// ISO 639 codes, e.g. ["uz", "ru"].
    #[graphql(default)]
    pub languages: Vec<String>,
    pub family_status: Option<FamilyStatus>,
    pub dependants: Option<i32>,
}

/// Changes to a person: omitted fields stay, `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: MaybeUndefined<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: MaybeUndefined<Sex>,
    pub mahalla_id: Option<ID>,
    pub address: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub languages: Option<Vec<String>>,
    pub family_status: MaybeUndefined<FamilyStatus>,
    pub dependants: MaybeUndefined<i32>,
}

fn optional_text(
    field: &str,
    v: MaybeUndefined<String>,
    max: usize,
) -> Result<Option<Option<String>>, ApiError> {
    match v {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(s) => Ok(Some(validate::optional(field, Some(&s), max)?)),
    }
}

fn optional_value<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(x) => Some(Some(x)),
    }
}

#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
    /// Register a person (probation officer, in their territory).
    async fn create_person(&self, ctx: &Context<'_>, input: CreatePersonInput) -> Result<Person> {
        let p = principal(ctx)?;
        let pinfl = Pinfl::parse("input.pinfl", &input.pinfl)?;
        let details = PersonDetails {
            last_name: parse_name("input.lastName", &input.last_name)?,
            first_name: parse_name("input.firstName", &input.first_name)?,
            patronymic: validate::optional("input.patronymic", input.patronymic.as_deref(), 100)?,
            birth_date: input.birth_date,
            sex: input.sex,
            mahalla_id: ids::decode_as(&input.mahalla_id, "Mahalla", "input.mahallaId")?,
            address: validate::optional("input.address", input.address.as_deref(), validate::SHORT_TEXT)?,
            phone: validate::phone("input.phone", input.phone.as_deref())?,
            languages: parse_languages("input.languages", &input.languages)?,
            family_status: input.family_status,
            dependants: input.dependants,
        };
        let model = service::create(&state(ctx)?.db, p, pinfl, details).await?;
        Ok(Person {
            model,
            access: CaseAccess::Full,
        })
    }

    /// Update a person's details (probation officer with full access).
    async fn update_person(&self, ctx: &Context<'_>, id: ID, input: UpdatePersonInput) -> Result<Person> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Person", "id")?;
        let patch = PersonPatch {
            last_name: input
                .last_name
                .as_deref()
                .map(|v| parse_name("input.lastName", v))
                .transpose()?,
            first_name: input
                .first_name
                .as_deref()
                .map(|v| parse_name("input.firstName", v))
                .transpose()?,
            patronymic: optional_text("input.patronymic", input.patronymic, 100)?,
            birth_date: input.birth_date,
            sex: optional_value(input.sex),
            mahalla_id: ids::decode_opt(input.mahalla_id.as_ref(), "Mahalla", "input.mahallaId")?,
            address: optional_text("input.address", input.address, validate::SHORT_TEXT)?,
            phone: match input.phone {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(validate::phone("input.phone", Some(&v))?),
            },
            languages: input
                .languages
                .as_deref()
                .map(|l| parse_languages("input.languages", l))
                .transpose()?,
            family_status: optional_value(input.family_status),
            dependants: optional_value(input.dependants),
        };
        let model = service::update(&state(ctx)?.db, p, id, patch).await?;
        Ok(Person {
            model,
            access: CaseAccess::Full,
        })
    }
}
