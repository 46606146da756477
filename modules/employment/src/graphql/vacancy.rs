//! Vacancies, their work days, and the inputs that publish and find them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::graphql::context::{loaders, page, principal, state};
use hamkor_api::ids;
use hamkor_api::loaders::{children, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::pagination::Conn;
use hamkor_api::territory::graphql::{District, Mahalla, Region};
use hamkor_api::territory::resolve::place_of;

use super::employer::Employer;
use super::matching::{VacancyCandidate, ranked_connection};
use crate::ID as MODULE;
use crate::entity::{EducationLevel, Openness, VacancyStatus, vacancy};
use crate::loaders::employment_loaders;
use crate::matching::shift;
use crate::service::candidates;
use crate::service::vacancies::VacancySpec;
use crate::service::vacancy_search::{VacancyFilter as Filter, occupation_prefix};

hamkor_api::weekday_enum! {
    #![graphql(visible = "crate::employment_visible")]
    /// A day of work.
    WorkDay
}

fn money(v: Option<i64>) -> Option<i32> {
    v.map(|x| i32::try_from(x).unwrap_or(i32::MAX))
}
/// A job offered by an employer.
pub struct Vacancy(pub vacancy::Model);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl Vacancy {
    async fn id(&self) -> ID {
        ids::encode("Vacancy", self.0.id)
    }
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Employer>> {
        Ok(one(&employment_loaders(ctx)?.employers, self.0.employer_id)
            .await?
            .map(Employer))
    }
    /// The organisation that published it.
    async fn publisher(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// The publisher's own reference (`setVacancyExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// ISCO-08 unit group.
    async fn occupation_code(&self) -> &str {
        &self.0.occupation_code
    }
    async fn min_education(&self) -> Option<EducationLevel> {
        self.0.min_education
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(one(&loaders(ctx)?.regions, self.0.region_id).await?.map(Region))
    }
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        Ok(one(&loaders(ctx)?.districts, self.0.district_id)
            .await?
            .map(District))
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(match self.0.mahalla_id {
            Some(id) => one(&loaders(ctx)?.mahallas, id).await?.map(Mahalla),
            None => None,
        })
    }
    /// Shift start (null for flexible hours).
    async fn shift_start(&self) -> Option<NaiveTime> {
        shift(&self.0).map(|s| s.0)
    }
    /// Shift end; before the start for a shift that runs past midnight.
    async fn shift_end(&self) -> Option<NaiveTime> {
        shift(&self.0).map(|s| s.1)
    }
    async fn work_days(&self) -> Vec<WorkDay> {
        WorkDay::days_of(self.0.days)
    }
    /// Monthly wage range, so'm.
    async fn wage_min_uzs(&self) -> Option<i32> {
        money(self.0.wage_min_uzs)
    }
    async fn wage_max_uzs(&self) -> Option<i32> {
        money(self.0.wage_max_uzs)
    }
    async fn seats(&self) -> i32 {
        self.0.seats
    }
    async fn seats_filled(&self) -> i32 {
        self.0.seats_filled
    }
    async fn opens_on(&self) -> NaiveDate {
        self.0.opens_on
    }
    async fn closes_on(&self) -> Option<NaiveDate> {
        self.0.closes_on
    }
    async fn status(&self) -> VacancyStatus {
        self.0.status
    }
    /// The employer's openness to hiring people with a record.
    async fn employer_openness(&self) -> Openness {
        self.0.openness
    }
    async fn required_skills(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self.skills(ctx, true).await?)
    }
    async fn preferred_skills(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self.skills(ctx, false).await?)
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// People whose employment referral the caller's organisation works (and whose
    /// consent lets it see their sentence's conditions), ranked for this vacancy:
    /// fitting ones first, best score first; those the sentence rules out are flagged.
    async fn candidates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<VacancyCandidate>> {
        let page = page(ctx, first, after)?;
        let st = state(ctx)?;
        let rows = candidates::for_vacancy(&st.db, &st.modules, principal(ctx)?, &self.0, page).await?;
        Ok(ranked_connection(rows, VacancyCandidate))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl Vacancy {
    async fn skills(&self, ctx: &Context<'_>, required: bool) -> ApiResult<Vec<String>> {
        Ok(children(&employment_loaders(ctx)?.vacancy_skills, self.0.id)
            .await?
            .into_iter()
            .filter(|s| s.required == required)
            .map(|s| s.skill)
            .collect())
    }
}
#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct VacancyInput {
    pub employer_id: ID,
    pub title: String,
    /// ISCO-08 unit group (four digits, e.g. 7212 for welders).
    pub occupation_code: String,
    pub min_education: Option<EducationLevel>,
    /// The workplace's District or Mahalla.
    pub territory_id: ID,
    /// Shift hours; the end may be before the start for a shift past midnight. Omit
    /// both for flexible hours.
    pub shift_start: Option<NaiveTime>,
    pub shift_end: Option<NaiveTime>,
    #[graphql(default)]
    pub work_days: Vec<WorkDay>,
    pub wage_min_uzs: Option<i32>,
    pub wage_max_uzs: Option<i32>,
    #[graphql(default = 1)]
    pub seats: i32,
    /// Default: today.
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    #[graphql(default)]
    pub required_skills: Vec<String>,
    #[graphql(default)]
    pub preferred_skills: Vec<String>,
    pub description: Option<String>,
}

impl VacancyInput {
    /// The vacancy as the service takes it.
    pub async fn spec(self, ctx: &Context<'_>) -> ApiResult<VacancySpec> {
        let shift = match (self.shift_start, self.shift_end) {
            (Some(s), Some(e)) => Some((s, e)),
            (None, None) => None,
            _ => {
                return Err(ApiError::bad_input(
                    "input.shiftEnd",
                    "give both the shift's start and end, or neither",
                ));
            }
        };
        Ok(VacancySpec {
            employer_id: ids::decode_as(&self.employer_id, "Employer", "input.employerId")?,
            place: place_of(&state(ctx)?.db, &self.territory_id, "input.territoryId").await?,
            title: self.title,
            occupation_code: self.occupation_code,
            min_education: self.min_education,
            shift,
            days: WorkDay::mask(&self.work_days),
            wage_min_uzs: self.wage_min_uzs.map(i64::from),
            wage_max_uzs: self.wage_max_uzs.map(i64::from),
            seats: self.seats,
            opens_on: self.opens_on.unwrap_or_else(|| now().date_naive()),
            closes_on: self.closes_on,
            required_skills: self.required_skills,
            preferred_skills: self.preferred_skills,
            description: self.description,
        })
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::employment_visible")]
pub struct VacancyFilter {
    /// Default: OPEN.
    #[graphql(default)]
    pub statuses: Vec<VacancyStatus>,
    /// In this Region, District or Mahalla.
    pub territory_id: Option<ID>,
    /// ISCO code prefix (`72`, `7212`).
    pub occupation: Option<String>,
    pub employer_id: Option<ID>,
    /// Published by the caller's organisation.
    #[graphql(default)]
    pub mine: bool,
}

impl VacancyFilter {
    /// The filter as the service takes it.
    pub async fn resolve(self, ctx: &Context<'_>) -> ApiResult<Filter> {
        Ok(Filter {
            statuses: self.statuses,
            place: match &self.territory_id {
                Some(id) => Some(place_of(&state(ctx)?.db, id, "filter.territoryId").await?),
                None => None,
            },
            occupation: occupation_prefix(self.occupation, "filter.occupation")?,
            employer_id: ids::decode_opt(self.employer_id.as_ref(), "Employer", "filter.employerId")?,
            mine: self.mine,
        })
    }
}
