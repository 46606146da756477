//! The `employment` namespace on Query and Mutation, and the module's GraphQL types.
//! Every type carries the module's `visible` function and guard: hidden from, and
//! refused to, callers whose organisation has the module switched off.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hamkor_api::access::partner_grant;
use hamkor_api::access::{CaseAccess, cases_with_access, of_cases};
use hamkor_api::case::entity::case;
use hamkor_api::case::graphql::{Case, case_of};
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::consent::entity::{self as consent, DataScope};
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::external_id::{self, reload};
use hamkor_api::graphql::context::{loaders, page, principal, state};
use hamkor_api::ids;
use hamkor_api::loaders::{children, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::module::service::config_for;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::pagination::{Conn, Order, Page, Paged, TotalCount, paginate};
use hamkor_api::person::entity as person;
use hamkor_api::referral::entity::{ReferralStatus, referral};
use hamkor_api::referral::graphql::{Referral, fetch_referral};
use hamkor_api::territory::graphql::{District, Mahalla, Region};
use hamkor_api::territory::resolve::{Place, place_of};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use crate::entity::{
    ApplicationStatus, Barrier, EducationLevel, Openness, RetentionOutcome, VacancyStatus, WorkReadiness,
    application, application_transition, employer, profile, profile_skill, retention, vacancy, vacancy_skill,
};
use crate::loaders::employment_loaders;
use crate::matching::{Assessment, FactorScore, Seeker, VacancySearch, Weights, assess, ranked_sql, shift};
use crate::service::outcomes::GroupBy;
use crate::service::profiles::{Job, ProfileSpec, case_for_seeker, seeker, strings};
use crate::service::vacancies::{EmployerSpec, VacancySpec};
use crate::service::{PARTNER_ROLES, applications, outcomes, profiles, vacancies};
use crate::{EmploymentConfig, ID as MODULE};

/// Deepest a ranked list may be paged.
const MAX_RANK_OFFSET: i64 = 1_000;
/// Most live referrals of one organisation considered as candidates for a vacancy.
const MAX_CANDIDATE_REFERRALS: u64 = 2_000;

// ---------------------------------------------------------------- types

/// A day of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(visible = "crate::employment_visible")]
pub enum WorkDay {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

const WORK_DAYS: [WorkDay; 7] = [
    WorkDay::Monday,
    WorkDay::Tuesday,
    WorkDay::Wednesday,
    WorkDay::Thursday,
    WorkDay::Friday,
    WorkDay::Saturday,
    WorkDay::Sunday,
];

fn day_mask(days: &[WorkDay]) -> i32 {
    days.iter()
        .map(|d| 1 << WORK_DAYS.iter().position(|x| x == d).unwrap_or_default())
        .fold(0, |a, b| a | b)
}

fn days_of(mask: i32) -> Vec<WorkDay> {
    WORK_DAYS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, d)| *d)
        .collect()
}

fn money(v: Option<i64>) -> Option<i32> {
    v.map(|x| i32::try_from(x).unwrap_or(i32::MAX))
}

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
        days_of(self.0.days)
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
        Ok(candidates(ctx, &self.0, page).await?)
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

/// A skill a person has.
#[derive(SimpleObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct SeekerSkill {
    pub name: String,
    /// 1 (beginner) to 5 (expert).
    pub level: i32,
}

/// A job a person held.
#[derive(SimpleObject)]
#[graphql(name = "PastJob", visible = "crate::employment_visible")]
pub struct PastJobOut {
    pub employer: String,
    pub title: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// What a person under supervision brings to work, and what stands in the way.
pub struct JobSeekerProfile(pub profile::Model);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl JobSeekerProfile {
    async fn id(&self) -> ID {
        ids::encode("JobSeekerProfile", self.0.id)
    }
    /// The case, for callers who may see it.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn education(&self) -> Option<EducationLevel> {
        self.0.education
    }
    async fn readiness(&self) -> WorkReadiness {
        self.0.readiness
    }
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<SeekerSkill>> {
        Ok(children(&employment_loaders(ctx)?.profile_skills, self.0.id)
            .await?
            .into_iter()
            .map(|s| SeekerSkill {
                name: s.skill,
                level: s.level,
            })
            .collect())
    }
    /// ISCO-08 unit groups wanted.
    async fn desired_occupations(&self) -> Vec<String> {
        strings(&self.0.desired_occupations)
    }
    async fn languages(&self) -> Vec<String> {
        strings(&self.0.languages)
    }
    async fn barriers(&self) -> Vec<Barrier> {
        strings(&self.0.barriers)
            .iter()
            .filter_map(|b| Barrier::from_name(b))
            .collect()
    }
    async fn work_history(&self) -> Vec<PastJobOut> {
        serde_json::from_value::<Vec<Job>>(self.0.work_history.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|j| PastJobOut {
                employer: j.employer,
                title: j.title,
                from: j.from,
                until: j.until,
            })
            .collect()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl Barrier {
    fn from_name(name: &str) -> Option<Self> {
        use sea_orm::Iterable;
        Self::iter().find(|b| crate::entity::enum_name(*b) == name)
    }
}

/// A vacancy ranked for one person, with the reasons.
pub struct VacancyMatch {
    vacancy: vacancy::Model,
    judged: Assessment,
    max: u32,
}

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl VacancyMatch {
    async fn vacancy(&self) -> Vacancy {
        Vacancy(self.vacancy.clone())
    }
    /// The sum of the factors' points.
    async fn score(&self) -> f64 {
        self.judged.score
    }
    /// The score of a perfect match (the sum of the weights).
    async fn max_score(&self) -> i32 {
        i32::try_from(self.max).unwrap_or(i32::MAX)
    }
    /// Nothing in the sentence or the employer's stance rules it out.
    async fn fits(&self) -> bool {
        self.judged.conflicts.is_empty()
    }
    /// Why it is ruled out (curfew, area, an employer that does not hire people with a
    /// record).
    async fn conflicts(&self) -> &[String] {
        &self.judged.conflicts
    }
    /// Each factor's share of the score, with its reason.
    async fn factors(&self) -> &[FactorScore] {
        &self.judged.factors
    }
}

/// A person ranked for one vacancy.
pub struct VacancyCandidate {
    referral: referral::Model,
    profile: Option<profile::Model>,
    judged: Assessment,
    max: u32,
}

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl VacancyCandidate {
    /// The employment referral through which the caller works with the person (its
    /// `subject` tells who they are, within the person's consent).
    async fn referral(&self) -> Referral {
        Referral(self.referral.clone())
    }
    async fn profile(&self) -> Option<JobSeekerProfile> {
        self.profile.clone().map(JobSeekerProfile)
    }
    async fn score(&self) -> f64 {
        self.judged.score
    }
    async fn max_score(&self) -> i32 {
        i32::try_from(self.max).unwrap_or(i32::MAX)
    }
    async fn fits(&self) -> bool {
        self.judged.conflicts.is_empty()
    }
    async fn conflicts(&self) -> &[String] {
        &self.judged.conflicts
    }
    async fn factors(&self) -> &[FactorScore] {
        &self.judged.factors
    }
}

/// An application of a referred person for a vacancy, up to hiring.
pub struct JobApplication(pub application::Model);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl JobApplication {
    async fn id(&self) -> ID {
        ids::encode("JobApplication", self.0.id)
    }
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<Referral>> {
        fetch_referral(ctx, self.0.referral_id).await
    }
    /// The case, for callers who may see it.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn vacancy(&self, ctx: &Context<'_>) -> Result<Option<Vacancy>> {
        Ok(one(&employment_loaders(ctx)?.vacancies, self.0.vacancy_id)
            .await?
            .map(Vacancy))
    }
    /// The reference of the organisation working it (`setJobApplicationExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn status(&self) -> ApplicationStatus {
        self.0.status
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The first day of work, once hired.
    async fn start_date(&self) -> Option<NaiveDate> {
        self.0.start_date
    }
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<ApplicationTransition>> {
        Ok(children(&employment_loaders(ctx)?.transitions, self.0.id)
            .await?
            .into_iter()
            .map(ApplicationTransition)
            .collect())
    }
    /// The checks at 30, 90 and 180 days after the start.
    async fn retention_checks(&self, ctx: &Context<'_>) -> Result<Vec<RetentionCheck>> {
        Ok(children(&employment_loaders(ctx)?.retention, self.0.id)
            .await?
            .into_iter()
            .map(RetentionCheck)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One status change of an application.
pub struct ApplicationTransition(pub application_transition::Model);

#[Object(
    name = "JobApplicationTransition",
    visible = "crate::employment_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl ApplicationTransition {
    async fn from_status(&self) -> Option<ApplicationStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> ApplicationStatus {
        self.0.to_status
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// Whether a placed person is still in work some days after starting.
pub struct RetentionCheck(pub retention::Model);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl RetentionCheck {
    async fn id(&self) -> ID {
        ids::encode("RetentionCheck", self.0.id)
    }
    /// 30, 90 or 180.
    async fn day(&self) -> i32 {
        self.0.day
    }
    async fn due_on(&self) -> NaiveDate {
        self.0.due_on
    }
    async fn outcome(&self) -> Option<RetentionOutcome> {
        self.0.outcome
    }
    async fn checked_on(&self) -> Option<NaiveDate> {
        self.0.checked_on
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Due and not yet recorded.
    async fn overdue(&self) -> bool {
        self.0.checked_on.is_none() && self.0.due_on < now().date_naive()
    }
}

/// Employment outcomes of one organisation or district over a period.
pub struct EmploymentOutcome {
    row: outcomes::Outcome,
    group: GroupBy,
}

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl EmploymentOutcome {
    /// The organisation working the referrals (when grouped by organisation).
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        if self.group != GroupBy::Organisation {
            return Ok(None);
        }
        Ok(one(&loaders(ctx)?.organisations, self.row.key)
            .await?
            .map(Organisation))
    }
    /// The district of the cases (when grouped by district).
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        if self.group != GroupBy::District {
            return Ok(None);
        }
        Ok(one(&loaders(ctx)?.districts, self.row.key).await?.map(District))
    }
    /// People referred in the period.
    async fn referred(&self) -> i32 {
        count(self.row.referred)
    }
    /// Of them, people with at least one application.
    async fn matched(&self) -> i32 {
        count(self.row.matched)
    }
    /// Of them, people hired.
    async fn hired(&self) -> i32 {
        count(self.row.hired)
    }
    /// Of them, people found still employed at the 90-day check.
    async fn employed_at_90_days(&self) -> i32 {
        count(self.row.employed_at_90_days)
    }
}

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

// ---------------------------------------------------------------- ranking

fn rank_offset(page: &Page) -> ApiResult<u64> {
    let offset = page.after.map_or(0, |a| a + 1);
    if !(0..=MAX_RANK_OFFSET).contains(&offset) {
        return Err(ApiError::bad_input(
            "after",
            format!("ranked lists go {MAX_RANK_OFFSET} deep"),
        ));
    }
    Ok(offset as u64)
}

/// A ranked page as a connection whose cursors are positions.
fn ranked<N: async_graphql::OutputType>(
    rows: Vec<N>,
    offset: u64,
    has_next: bool,
    page: Page,
    total: TotalCount,
) -> Conn<N> {
    let rows: Vec<(i64, N)> = rows
        .into_iter()
        .enumerate()
        .map(|(i, n)| (offset as i64 + i as i64, n))
        .collect();
    Paged {
        rows,
        has_next,
        page,
        total,
    }
    .into_connection(|(pos, _)| *pos, |(_, n)| n)
}

async fn weights(ctx: &Context<'_>) -> ApiResult<Weights> {
    let p = principal(ctx)?;
    let st = state(ctx)?;
    Ok(EmploymentConfig::from_json(
        config_for(&st.db, &st.modules, p.organisation_id, MODULE)
            .await?
            .as_ref(),
    )
    .weights)
}

async fn matches(
    ctx: &Context<'_>,
    case_id: i64,
    search: VacancySearch,
    page: Page,
) -> ApiResult<Conn<VacancyMatch>> {
    let p = principal(ctx)?;
    let st = state(ctx)?;
    let offset = rank_offset(&page)?;
    let c = case_for_seeker(&st.db, p, case_id, DataScope::SentenceConditions).await?;
    let today = now().date_naive();
    let (who, _) = seeker(&st.db, &c, today).await?;
    let w = weights(ctx).await?;
    let backend = st.db.get_database_backend();
    let sql = ranked_sql(backend, &who, &w, &search, today, page.first + 1, offset);
    let rows = st
        .db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            &sql.text,
            sql.values.clone(),
        ))
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get::<i64>("", "id")?);
    }
    let has_next = ids.len() as u64 > page.first;
    ids.truncate(page.first as usize);
    let l = employment_loaders(ctx)?;
    let found = l
        .vacancies
        .load_many(ids.iter().copied())
        .await
        .map_err(hamkor_api::loaders::loader_error)?;
    let skills = l
        .vacancy_skills
        .load_many(ids.iter().copied())
        .await
        .map_err(hamkor_api::loaders::loader_error)?;
    let out: Vec<VacancyMatch> = ids
        .iter()
        .filter_map(|id| found.get(id))
        .map(|v| VacancyMatch {
            judged: assess(
                &who,
                v,
                skills.get(&v.id).map(Vec::as_slice).unwrap_or_default(),
                &w,
            ),
            vacancy: v.clone(),
            max: w.total(),
        })
        .collect();
    let db = st.db.clone();
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({}) ranked", sql.base);
    let values = sql.values;
    let total = TotalCount::deferred(move || {
        let db = db.clone();
        let stmt = Statement::from_sql_and_values(backend, &count_sql, values.clone());
        Box::pin(async move {
            let row = db.query_one_raw(stmt).await?;
            Ok(row.map_or(Ok(0), |r| r.try_get::<i64>("", "n"))? as u64)
        })
    });
    Ok(ranked(out, offset, has_next, page, total))
}

async fn candidates(ctx: &Context<'_>, v: &vacancy::Model, page: Page) -> ApiResult<Conn<VacancyCandidate>> {
    let p = principal(ctx)?;
    let st = state(ctx)?;
    let offset = rank_offset(&page)?;
    if !p.has_any_role(PARTNER_ROLES) {
        return Err(ApiError::Forbidden(
            "candidates are for the staff working employment referrals".into(),
        ));
    }
    let db = &st.db;
    let live = referral::Entity::find()
        .filter(referral::Column::ModuleId.eq(MODULE))
        .filter(referral::Column::ToOrganisationId.eq(p.organisation_id))
        .filter(referral::Column::Status.is_in([ReferralStatus::Accepted, ReferralStatus::InProgress]))
        .order_by_desc(referral::Column::Id)
        .limit(MAX_CANDIDATE_REFERRALS)
        .all(db)
        .await?;
    let consent_ids: Vec<i64> = live.iter().filter_map(|r| r.consent_id).collect();
    let consents: HashMap<i64, consent::Model> = consent::Entity::find()
        .filter(consent::Column::Id.is_in(consent_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    // One referral per case: the newest whose consent shows the sentence's conditions.
    let mut chosen: HashMap<i64, referral::Model> = HashMap::new();
    for r in live {
        let c = r.consent_id.and_then(|id| consents.get(&id));
        if partner_grant(&r, c).is_some_and(|s| s.contains(&DataScope::SentenceConditions)) {
            chosen.entry(r.case_id).or_insert(r);
        }
    }
    let case_ids: Vec<i64> = chosen.keys().copied().collect();
    let today = now().date_naive();
    let cases: HashMap<i64, case::Model> = case::Entity::find()
        .filter(case::Column::Id.is_in(case_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let people: HashMap<i64, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(cases.values().map(|c| c.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.id, x))
        .collect();
    let profiles: HashMap<i64, profile::Model> = profile::Entity::find()
        .filter(profile::Column::CaseId.is_in(case_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.case_id, x))
        .collect();
    let mut skills: HashMap<i64, Vec<String>> = HashMap::new();
    for s in profile_skill::Entity::find()
        .filter(profile_skill::Column::ProfileId.is_in(profiles.values().map(|x| x.id)))
        .all(db)
        .await?
    {
        skills.entry(s.profile_id).or_default().push(s.skill);
    }
    let restrictions = Restrictions::of_cases(db, &case_ids, today).await?;
    let v_skills = vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::VacancyId.eq(v.id))
        .all(db)
        .await?;
    let w = weights(ctx).await?;
    let mut ranked_rows: Vec<VacancyCandidate> = Vec::with_capacity(chosen.len());
    for (case_id, r) in chosen {
        let (Some(c), prof) = (cases.get(&case_id), profiles.get(&case_id)) else {
            continue;
        };
        let Some(who) = people.get(&c.person_id) else {
            continue;
        };
        let seeker = Seeker {
            skills: prof
                .and_then(|x| skills.get(&x.id))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            education: prof.and_then(|x| x.education),
            desired: prof.map(|x| strings(&x.desired_occupations)).unwrap_or_default(),
            home: Place {
                region_id: Some(who.region_id),
                district_id: Some(who.district_id),
                mahalla_id: Some(who.mahalla_id),
            },
            restrictions: restrictions.get(&case_id).cloned().unwrap_or_default(),
        };
        ranked_rows.push(VacancyCandidate {
            judged: assess(&seeker, v, &v_skills, &w),
            referral: r,
            profile: prof.cloned(),
            max: w.total(),
        });
    }
    ranked_rows.sort_by(|a, b| {
        a.judged
            .conflicts
            .is_empty()
            .cmp(&b.judged.conflicts.is_empty())
            .reverse()
            .then(b.judged.score.total_cmp(&a.judged.score))
            .then(a.referral.id.cmp(&b.referral.id))
    });
    let total_n = ranked_rows.len() as u64;
    let rows: Vec<VacancyCandidate> = ranked_rows
        .into_iter()
        .skip(offset as usize)
        .take(page.first as usize + 1)
        .collect();
    let has_next = rows.len() as u64 > page.first;
    let rows: Vec<VacancyCandidate> = rows.into_iter().take(page.first as usize).collect();
    let total = TotalCount::deferred(move || Box::pin(async move { Ok(total_n) }));
    Ok(ranked(rows, offset, has_next, page, total))
}

// ---------------------------------------------------------------- inputs

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
    async fn spec(self, ctx: &Context<'_>) -> ApiResult<EmployerSpec> {
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
    async fn spec(self, ctx: &Context<'_>) -> ApiResult<VacancySpec> {
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
            days: day_mask(&self.work_days),
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

#[derive(InputObject, Default)]
#[graphql(name = "EmploymentMatchFilter", visible = "crate::employment_visible")]
pub struct MatchFilter {
    /// Only workplaces in this Region, District or Mahalla.
    pub territory_id: Option<ID>,
    /// ISCO code prefix.
    pub occupation: Option<String>,
    /// At least this monthly wage (by the vacancy's upper bound), so'm.
    pub min_wage_uzs: Option<i32>,
    /// Also list vacancies the sentence rules out (after every fitting one, flagged).
    #[graphql(default)]
    pub include_conflicting: bool,
    /// Search the whole country. Without it (and without `territoryId`) the search
    /// stays within the person's region.
    #[graphql(default)]
    pub anywhere: bool,
}

fn occupation_prefix(o: Option<String>, field: &str) -> ApiResult<Option<String>> {
    match o {
        Some(code) if code.is_empty() || code.len() > 4 || !code.bytes().all(|b| b.is_ascii_digit()) => Err(
            ApiError::bad_input(field, "one to four digits of an ISCO-08 code"),
        ),
        other => Ok(other),
    }
}

#[derive(InputObject)]
#[graphql(name = "SeekerSkillInput", visible = "crate::employment_visible")]
pub struct SkillInput {
    pub name: String,
    /// 1 (beginner) to 5 (expert).
    pub level: i32,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct PastJobInput {
    pub employer: String,
    pub title: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct JobSeekerProfileInput {
    pub education: Option<EducationLevel>,
    pub readiness: WorkReadiness,
    #[graphql(default)]
    pub skills: Vec<SkillInput>,
    /// ISCO-08 unit groups.
    #[graphql(default)]
    pub desired_occupations: Vec<String>,
    #[graphql(default)]
    pub languages: Vec<String>,
    #[graphql(default)]
    pub barriers: Vec<Barrier>,
    #[graphql(default)]
    pub work_history: Vec<PastJobInput>,
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::employment_visible")]
pub struct JobApplicationFilter {
    pub case_id: Option<ID>,
    pub referral_id: Option<ID>,
    pub vacancy_id: Option<ID>,
    #[graphql(default)]
    pub statuses: Vec<ApplicationStatus>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct ApplyForVacancyInput {
    /// An employment referral addressed to the caller's organisation.
    pub referral_id: ID,
    pub vacancy_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct MoveJobApplicationInput {
    pub application_id: ID,
    pub status: ApplicationStatus,
    pub note: Option<String>,
    /// Required for HIRED: the first day of work.
    pub start_date: Option<NaiveDate>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct RecordRetentionCheckInput {
    pub check_id: ID,
    pub outcome: RetentionOutcome,
    pub note: Option<String>,
}

/// How outcome rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "EmploymentOutcomeGrouping", visible = "crate::employment_visible")]
pub enum Grouping {
    Organisation,
    District,
}

// ---------------------------------------------------------------- queries

/// `Query.employment`.
#[derive(Default)]
pub struct EmploymentQueryRoot;

#[Object]
impl EmploymentQueryRoot {
    /// The employment module: employers, vacancies, matching, applications
    /// (organisations that enabled it only).
    #[graphql(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn employment(&self) -> EmploymentQuery {
        EmploymentQuery
    }
}

pub struct EmploymentQuery;

const VACANCY: external_id::Kind = external_id::Kind {
    table: "employment_vacancies",
    type_name: "Vacancy",
    action: "employment.vacancy.set_external_id",
};

const APPLICATION: external_id::Kind = external_id::Kind {
    table: "employment_applications",
    type_name: "JobApplication",
    action: "employment.application.set_external_id",
};

fn visible_applications(p: &hamkor_api::auth::principal::Principal) -> Condition {
    let mut any = Condition::any().add(of_cases(
        application::Column::CaseId,
        cases_with_access(p, CaseAccess::Supervise),
    ));
    if p.has_any_role(PARTNER_ROLES) {
        any = any.add(application::Column::OrganisationId.eq(p.organisation_id));
    }
    any
}

fn place_condition(
    place: &Place,
    region: vacancy::Column,
    district: vacancy::Column,
    mahalla: vacancy::Column,
) -> Condition {
    match (place.mahalla_id, place.district_id, place.region_id) {
        (Some(m), _, _) => Condition::all().add(mahalla.eq(m)),
        (None, Some(d), _) => Condition::all().add(district.eq(d)),
        (None, None, Some(r)) => Condition::all().add(region.eq(r)),
        (None, None, None) => Condition::all(),
    }
}

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl EmploymentQuery {
    /// Employers, oldest first.
    async fn employers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only those in this Region or District.")] territory_id: Option<ID>,
        openness: Option<Openness>,
    ) -> Result<Conn<Employer>> {
        let st = state(ctx)?;
        let page = page(ctx, first, after)?;
        let mut q = employer::Entity::find();
        if let Some(id) = &territory_id {
            let place = place_of(&st.db, id, "territoryId").await?;
            if let Some(d) = place.district_id {
                q = q.filter(employer::Column::DistrictId.eq(d));
            } else if let Some(r) = place.region_id {
                q = q.filter(employer::Column::RegionId.eq(r));
            }
        }
        if let Some(o) = openness {
            q = q.filter(employer::Column::Openness.eq(o));
        }
        Ok(paginate(&st.db, q, employer::Column::Id, page, Order::Ascending)
            .await?
            .into_connection(|e| e.id, Employer))
    }

    async fn employer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Employer>> {
        let id = ids::decode_as(&id, "Employer", "id")?;
        Ok(one(&employment_loaders(ctx)?.employers, id).await?.map(Employer))
    }

    /// Vacancies, newest first (open ones unless `statuses` says otherwise).
    async fn vacancies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<VacancyFilter>,
    ) -> Result<Conn<Vacancy>> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let statuses = if f.statuses.is_empty() {
            vec![VacancyStatus::Open]
        } else {
            f.statuses
        };
        let mut q = vacancy::Entity::find().filter(vacancy::Column::Status.is_in(statuses));
        if let Some(id) = &f.territory_id {
            let place = place_of(&st.db, id, "filter.territoryId").await?;
            q = q.filter(place_condition(
                &place,
                vacancy::Column::RegionId,
                vacancy::Column::DistrictId,
                vacancy::Column::MahallaId,
            ));
        }
        if let Some(code) = occupation_prefix(f.occupation, "filter.occupation")? {
            q = q.filter(vacancy::Column::OccupationCode.starts_with(code));
        }
        if let Some(id) = ids::decode_opt(f.employer_id.as_ref(), "Employer", "filter.employerId")? {
            q = q.filter(vacancy::Column::EmployerId.eq(id));
        }
        if f.mine {
            q = q.filter(vacancy::Column::OrganisationId.eq(p.organisation_id));
        }
        Ok(paginate(&st.db, q, vacancy::Column::Id, page, Order::Descending)
            .await?
            .into_connection(|v| v.id, Vacancy))
    }

    async fn vacancy(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Vacancy>> {
        let id = ids::decode_as(&id, "Vacancy", "id")?;
        Ok(one(&employment_loaders(ctx)?.vacancies, id).await?.map(Vacancy))
    }

    /// The vacancy the caller's organisation published under its own reference.
    async fn vacancy_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<Vacancy>> {
        let found = external_id::find(
            &state(ctx)?.db,
            principal(ctx)?,
            vacancy::Entity::find(),
            vacancy::Column::OrganisationId,
            vacancy::Column::ExternalId,
            &external_id,
        )
        .await?;
        Ok(found.map(Vacancy))
    }

    /// A case's job-seeker profile (null when none was written yet).
    async fn profile(&self, ctx: &Context<'_>, case_id: ID) -> Result<Option<JobSeekerProfile>> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let c = case_for_seeker(&st.db, p, case_id, DataScope::Identity).await?;
        Ok(profile::Entity::find()
            .filter(profile::Column::CaseId.eq(c.id))
            .one(&st.db)
            .await
            .map_err(ApiError::from)?
            .map(JobSeekerProfile))
    }

    /// Open vacancies (in the person's region unless `filter` widens or moves the
    /// search) ranked for a case's person, best first, each with its score
    /// explained factor by factor (weights: the caller's organisation's configuration).
    /// A vacancy the sentence rules out (a shift into the curfew, a workplace outside
    /// the allowed areas) or whose employer does not hire people with a record is never
    /// listed as a fit: left out, or with `includeConflicting` listed last and flagged.
    /// For the agencies supervising the case and the partner working its employment
    /// referral (when the person's consent shows it the sentence's conditions).
    async fn matches(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<MatchFilter>,
    ) -> Result<Conn<VacancyMatch>> {
        let st = state(ctx)?;
        let page = page(ctx, first, after)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let f = filter.unwrap_or_default();
        let search = VacancySearch {
            place: match &f.territory_id {
                Some(id) => Some(place_of(&st.db, id, "filter.territoryId").await?),
                None => None,
            },
            occupation: occupation_prefix(f.occupation, "filter.occupation")?,
            min_wage_uzs: f.min_wage_uzs.map(i64::from),
            include_conflicting: f.include_conflicting,
            anywhere: f.anywhere,
        };
        Ok(matches(ctx, case_id, search, page).await?)
    }

    /// Applications the caller may see (their organisation's, and those of the cases
    /// they supervise), newest first.
    async fn applications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<JobApplicationFilter>,
    ) -> Result<Conn<JobApplication>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let mut q = application::Entity::find().filter(visible_applications(p));
        if let Some(id) = ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")? {
            q = q.filter(application::Column::CaseId.eq(id));
        }
        if let Some(id) = ids::decode_opt(f.referral_id.as_ref(), "Referral", "filter.referralId")? {
            q = q.filter(application::Column::ReferralId.eq(id));
        }
        if let Some(id) = ids::decode_opt(f.vacancy_id.as_ref(), "Vacancy", "filter.vacancyId")? {
            q = q.filter(application::Column::VacancyId.eq(id));
        }
        if !f.statuses.is_empty() {
            q = q.filter(application::Column::Status.is_in(f.statuses));
        }
        Ok(paginate(
            &state(ctx)?.db,
            q,
            application::Column::Id,
            page,
            Order::Descending,
        )
        .await?
        .into_connection(|a| a.id, JobApplication))
    }

    async fn application(&self, ctx: &Context<'_>, id: ID) -> Result<Option<JobApplication>> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "JobApplication", "id")?;
        Ok(application::Entity::find_by_id(id)
            .filter(visible_applications(p))
            .one(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?
            .map(JobApplication))
    }

    /// The application the caller's organisation works under its own reference.
    async fn application_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<JobApplication>> {
        let p = principal(ctx)?;
        let found = external_id::find(
            &state(ctx)?.db,
            p,
            application::Entity::find().filter(visible_applications(p)),
            application::Column::OrganisationId,
            application::Column::ExternalId,
            &external_id,
        )
        .await?;
        Ok(found.map(JobApplication))
    }

    /// People referred for employment from `from` to `until` (by the day the referral
    /// was sent), of them matched (an application), hired, and still employed at the
    /// 90-day check; per organisation working the referrals or per district of the
    /// cases, over the referrals the caller may see.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        until: NaiveDate,
        #[graphql(default_with = "Grouping::Organisation")] group_by: Grouping,
    ) -> Result<Vec<EmploymentOutcome>> {
        let p = principal(ctx)?;
        let group = match group_by {
            Grouping::Organisation => GroupBy::Organisation,
            Grouping::District => GroupBy::District,
        };
        Ok(outcomes::outcomes(&state(ctx)?.db, p, from, until, group)
            .await?
            .into_iter()
            .map(|row| EmploymentOutcome { row, group })
            .collect())
    }
}

// ---------------------------------------------------------------- mutations

/// `Mutation.employment`.
#[derive(Default)]
pub struct EmploymentMutationRoot;

#[Object]
impl EmploymentMutationRoot {
    /// The employment module's changes (organisations that enabled it only).
    #[graphql(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn employment(&self) -> EmploymentMutation {
        EmploymentMutation
    }
}

pub struct EmploymentMutation;

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl EmploymentMutation {
    /// Register an employer (partner staff).
    async fn create_employer(&self, ctx: &Context<'_>, input: EmployerInput) -> Result<Employer> {
        let p = principal(ctx)?;
        let spec = input.spec(ctx).await?;
        Ok(Employer(
            vacancies::create_employer(&state(ctx)?.db, p, spec).await?,
        ))
    }

    /// Change an employer (its registering organisation); its openness reaches its
    /// vacancies at once.
    async fn update_employer(&self, ctx: &Context<'_>, id: ID, input: EmployerInput) -> Result<Employer> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Employer", "id")?;
        let spec = input.spec(ctx).await?;
        Ok(Employer(
            vacancies::update_employer(&state(ctx)?.db, p, id, spec).await?,
        ))
    }

    /// Publish a vacancy of an employer the caller's organisation registered.
    async fn create_vacancy(
        &self,
        ctx: &Context<'_>,
        input: VacancyInput,
        #[graphql(default_with = "VacancyStatus::Open")] status: VacancyStatus,
    ) -> Result<Vacancy> {
        let p = principal(ctx)?;
        let spec = input.spec(ctx).await?;
        Ok(Vacancy(
            vacancies::create_vacancy(&state(ctx)?.db, p, spec, status).await?,
        ))
    }

    /// Replace a vacancy's description and skills (its publisher).
    async fn update_vacancy(&self, ctx: &Context<'_>, id: ID, input: VacancyInput) -> Result<Vacancy> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Vacancy", "id")?;
        let spec = input.spec(ctx).await?;
        Ok(Vacancy(
            vacancies::update_vacancy(&state(ctx)?.db, p, id, spec).await?,
        ))
    }

    /// Open, close or reopen a vacancy.
    async fn set_vacancy_status(&self, ctx: &Context<'_>, id: ID, status: VacancyStatus) -> Result<Vacancy> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Vacancy", "id")?;
        Ok(Vacancy(
            vacancies::set_status(&state(ctx)?.db, p, id, status).await?,
        ))
    }

    /// Set (or clear, with null or "") the publisher's own reference of a vacancy: its
    /// staff. Unique among the organisation's vacancies (CONFLICT otherwise).
    async fn set_vacancy_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<Vacancy> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&id, "Vacancy", "id")?;
        external_id::set(db, p, VACANCY, id, external_id.as_deref(), Condition::all()).await?;
        Ok(Vacancy(
            reload(db, vacancy::Entity::find_by_id(id), "Vacancy").await?,
        ))
    }

    /// Set (or clear) the reference under which the organisation working a job
    /// application keeps it: its staff. Unique among the organisation's applications.
    async fn set_job_application_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<JobApplication> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&id, "JobApplication", "id")?;
        external_id::set(
            db,
            p,
            APPLICATION,
            id,
            external_id.as_deref(),
            visible_applications(p),
        )
        .await?;
        Ok(JobApplication(
            reload(db, application::Entity::find_by_id(id), "JobApplication").await?,
        ))
    }

    /// Write a case's job-seeker profile (replacing the previous one): the agencies
    /// supervising the case, or the partner working its employment referral.
    async fn save_job_seeker_profile(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        input: JobSeekerProfileInput,
    ) -> Result<JobSeekerProfile> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let spec = ProfileSpec {
            education: input.education,
            readiness: input.readiness,
            skills: input.skills.into_iter().map(|s| (s.name, s.level)).collect(),
            desired_occupations: input.desired_occupations,
            languages: input.languages,
            barriers: input.barriers,
            work_history: input
                .work_history
                .into_iter()
                .map(|j| Job {
                    employer: j.employer,
                    title: j.title,
                    from: j.from,
                    until: j.until,
                })
                .collect(),
        };
        Ok(JobSeekerProfile(
            profiles::save(&state(ctx)?.db, p, case_id, spec).await?,
        ))
    }

    /// Apply for a vacancy for the person of an employment referral (its recipient's
    /// staff); accepts a SENT referral. Refused when the sentence rules the job out.
    async fn apply_for_vacancy(
        &self,
        ctx: &Context<'_>,
        input: ApplyForVacancyInput,
    ) -> Result<JobApplication> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let referral_id = ids::decode_as(&input.referral_id, "Referral", "input.referralId")?;
        let vacancy_id = ids::decode_as(&input.vacancy_id, "Vacancy", "input.vacancyId")?;
        let row = applications::apply(
            &st.db,
            &st.modules,
            p,
            referral_id,
            vacancy_id,
            input.note.as_deref(),
        )
        .await?;
        Ok(JobApplication(row))
    }

    /// Move an application: APPLIED → INTERVIEW → OFFERED → HIRED, or REJECTED /
    /// WITHDRAWN. A hire takes a seat, starts the referral and schedules the checks.
    async fn move_job_application(
        &self,
        ctx: &Context<'_>,
        input: MoveJobApplicationInput,
    ) -> Result<JobApplication> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.application_id, "JobApplication", "input.applicationId")?;
        let row = applications::step(
            &state(ctx)?.db,
            p,
            id,
            input.status,
            input.note.as_deref(),
            input.start_date,
        )
        .await?;
        Ok(JobApplication(row))
    }

    /// Record a retention check; being out of work, or still employed at 180 days,
    /// completes the referral and writes the outcome onto its plan goal.
    async fn record_retention_check(
        &self,
        ctx: &Context<'_>,
        input: RecordRetentionCheckInput,
    ) -> Result<RetentionCheck> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.check_id, "RetentionCheck", "input.checkId")?;
        let row = applications::check_retention(&state(ctx)?.db, p, id, input.outcome, input.note.as_deref())
            .await?;
        Ok(RetentionCheck(row))
    }
}
