//! Programmes and their intakes, the class days, and the inputs that publish and find
//! them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::graphql::context::{loaders, page, state};
use hamkor_api::ids;
use hamkor_api::loaders::{Filter, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::pagination::{Conn, Order};
use hamkor_api::territory::graphql::{District, Mahalla, Region};
use hamkor_api::territory::resolve::place_of;

use crate::ID as MODULE;
use crate::entity::{EducationLevel, ProgrammeKind, intake, programme};
use crate::fit::hours;
use crate::loaders::education_loaders;
use crate::service::catalogue::{IntakeFilter, ProgrammeFilter};
use crate::service::intakes;
use crate::service::programmes::ProgrammeSpec;

hamkor_api::weekday_enum! {
    #![graphql(visible = "crate::education_visible")]
    /// A day classes are held.
    ClassDay
}

/// A programme a provider offers: a course, a class, a school-completion track.
pub struct EducationProgramme(pub programme::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationProgramme {
    async fn id(&self) -> ID {
        ids::encode("EducationProgramme", self.0.id)
    }
    /// The organisation that offers it.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// The provider's own reference (`setProgrammeExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn kind(&self) -> ProgrammeKind {
        self.0.kind
    }
    /// The subject or trade taught.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Language of teaching (ISO 639 code).
    async fn language(&self) -> &str {
        &self.0.language
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Taught remotely (no place to attend).
    async fn remote(&self) -> bool {
        self.0.remote
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(match self.0.region_id {
            Some(id) => one(&loaders(ctx)?.regions, id).await?.map(Region),
            None => None,
        })
    }
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        Ok(match self.0.district_id {
            Some(id) => one(&loaders(ctx)?.districts, id).await?.map(District),
            None => None,
        })
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(match self.0.mahalla_id {
            Some(id) => one(&loaders(ctx)?.mahallas, id).await?.map(Mahalla),
            None => None,
        })
    }
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Days classes are held (empty when self-paced).
    async fn class_days(&self) -> Vec<ClassDay> {
        ClassDay::days_of(self.0.days)
    }
    /// Daily class hours (null when self-paced).
    async fn start_time(&self) -> Option<NaiveTime> {
        hours(&self.0).map(|h| h.0)
    }
    async fn end_time(&self) -> Option<NaiveTime> {
        hours(&self.0).map(|h| h.1)
    }
    async fn duration_weeks(&self) -> i32 {
        self.0.duration_weeks
    }
    async fn min_age(&self) -> Option<i32> {
        self.0.min_age
    }
    async fn max_age(&self) -> Option<i32> {
        self.0.max_age
    }
    /// Lowest completed level of education admitted.
    async fn min_education(&self) -> Option<EducationLevel> {
        self.0.min_education
    }
    /// Cost to the person, in so'm (0: free).
    async fn cost_uzs(&self) -> i32 {
        i32::try_from(self.0.cost_uzs).unwrap_or(i32::MAX)
    }
    /// The certificate awarded on passing, if any.
    async fn certificate(&self) -> Option<&str> {
        self.0.certificate.as_deref()
    }
    /// Open to new applications.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Its intakes, soonest first (by default only those not yet started).
    async fn intakes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = true)] upcoming_only: bool,
    ) -> Result<Conn<EducationIntake>> {
        let page = page(ctx, first, after)?;
        Ok(loaders(ctx)?
            .nested(intake::Column::ProgrammeId, intake::Column::Id, Order::Ascending)
            .connection(
                self.0.id,
                Filter::new(intakes::of_programme(upcoming_only)),
                page,
                |i| i.id,
                EducationIntake,
            )
            .await?)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One start of a programme, with its seats.
pub struct EducationIntake(pub intake::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationIntake {
    async fn id(&self) -> ID {
        ids::encode("EducationIntake", self.0.id)
    }
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<EducationProgramme>> {
        Ok(one(&education_loaders(ctx)?.programmes, self.0.programme_id)
            .await?
            .map(EducationProgramme))
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
    async fn seats(&self) -> i32 {
        self.0.seats
    }
    async fn seats_taken(&self) -> i32 {
        self.0.seats_taken
    }
    async fn seats_left(&self) -> i32 {
        (self.0.seats - self.0.seats_taken).max(0)
    }
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationProgrammeInput {
    pub title: String,
    pub kind: ProgrammeKind,
    pub subject: String,
    /// ISO 639 code of the teaching language (uz, ru, kaa).
    pub language: String,
    pub description: Option<String>,
    /// Where classes take place: a District or Mahalla id. Omit for a remote programme.
    pub territory_id: Option<ID>,
    pub address: Option<String>,
    /// Class days; empty (with no hours) for a self-paced programme.
    #[graphql(default)]
    pub class_days: Vec<ClassDay>,
    /// Daily class hours, ending on the same day.
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub duration_weeks: i32,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_education: Option<EducationLevel>,
    /// Cost to the person in so'm (default 0: free).
    #[graphql(default)]
    pub cost_uzs: i32,
    /// The certificate awarded on passing, if any.
    pub certificate: Option<String>,
}

impl EducationProgrammeInput {
    /// The programme as the service takes it.
    pub async fn spec(self, ctx: &Context<'_>) -> ApiResult<ProgrammeSpec> {
        let place = match &self.territory_id {
            Some(id) => Some(place_of(&state(ctx)?.db, id, "input.territoryId").await?),
            None => None,
        };
        let hours = match (self.start_time, self.end_time) {
            (Some(s), Some(e)) => Some((s, e)),
            (None, None) => None,
            _ => {
                return Err(ApiError::bad_input(
                    "input.endTime",
                    "give both the start and the end time, or neither",
                ));
            }
        };
        Ok(ProgrammeSpec {
            title: self.title,
            kind: self.kind,
            subject: self.subject,
            language: self.language,
            description: self.description,
            place,
            address: self.address,
            days: ClassDay::mask(&self.class_days),
            hours,
            duration_weeks: self.duration_weeks,
            min_age: self.min_age,
            max_age: self.max_age,
            min_education: self.min_education,
            cost_uzs: i64::from(self.cost_uzs),
            certificate: self.certificate,
        })
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationProgrammeFilter {
    pub kind: Option<ProgrammeKind>,
    pub language: Option<String>,
    /// Programmes of this provider.
    pub provider_id: Option<ID>,
    /// Programmes held in this Region, District or Mahalla (remote ones too, unless
    /// `excludeRemote`).
    pub territory_id: Option<ID>,
    #[graphql(default)]
    pub exclude_remote: bool,
    /// Closed programmes too.
    #[graphql(default)]
    pub include_inactive: bool,
}

impl EducationProgrammeFilter {
    /// The filter as the service takes it.
    pub async fn resolve(self, ctx: &Context<'_>) -> ApiResult<ProgrammeFilter> {
        Ok(ProgrammeFilter {
            kind: self.kind,
            language: self.language,
            provider_id: ids::decode_opt(self.provider_id.as_ref(), "Organisation", "filter.providerId")?,
            place: match &self.territory_id {
                Some(id) => Some(place_of(&state(ctx)?.db, id, "filter.territoryId").await?),
                None => None,
            },
            exclude_remote: self.exclude_remote,
            include_inactive: self.include_inactive,
        })
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationIntakeFilter {
    pub kind: Option<ProgrammeKind>,
    pub language: Option<String>,
    pub provider_id: Option<ID>,
    /// Held in this Region, District or Mahalla (remote ones too unless `excludeRemote`).
    pub territory_id: Option<ID>,
    #[graphql(default)]
    pub exclude_remote: bool,
    /// Starting on or after this day (default: today; an earlier day lists intakes
    /// already running).
    pub starts_from: Option<NaiveDate>,
    pub starts_until: Option<NaiveDate>,
    /// Only intakes with a free seat.
    #[graphql(default)]
    pub with_seats_only: bool,
}

impl EducationIntakeFilter {
    /// The filter as the service takes it.
    pub async fn resolve(self, ctx: &Context<'_>) -> ApiResult<IntakeFilter> {
        let programme = EducationProgrammeFilter {
            kind: self.kind,
            language: self.language,
            provider_id: self.provider_id,
            territory_id: self.territory_id,
            exclude_remote: self.exclude_remote,
            include_inactive: false,
        }
        .resolve(ctx)
        .await?;
        Ok(IntakeFilter {
            programme,
            starts_from: self.starts_from,
            starts_until: self.starts_until,
            with_seats_only: self.with_seats_only,
        })
    }
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct AddEducationIntakeInput {
    pub programme_id: ID,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub seats: i32,
}
