//! `Query.employment`: each field decodes its arguments, calls one service function
//! with the caller, and wraps the result.

use async_graphql::{Context, ID, Object, Result};
use chrono::NaiveDate;
use hamkor_api::graphql::context::{page, principal, state};
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::Conn;
use hamkor_api::territory::resolve::place_of;

use super::application::{JobApplication, JobApplicationFilter};
use super::employer::Employer;
use super::matching::{MatchFilter, VacancyMatch, ranked_connection};
use super::outcome::{EmploymentOutcome, Grouping};
use super::profile::JobSeekerProfile;
use super::vacancy::{Vacancy, VacancyFilter};
use crate::ID as MODULE;
use crate::entity::Openness;
use crate::loaders::employment_loaders;
use crate::service::{application_search, employers, matches, outcomes, profiles, vacancy_search};

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
        let place = match &territory_id {
            Some(id) => Some(place_of(&st.db, id, "territoryId").await?),
            None => None,
        };
        Ok(employers::list(&st.db, place, openness, page)
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
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        Ok(vacancy_search::list(&state(ctx)?.db, p, f, page)
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
        let found = vacancy_search::by_external_id(&state(ctx)?.db, principal(ctx)?, &external_id).await?;
        Ok(found.map(Vacancy))
    }

    /// A case's job-seeker profile (null when none was written yet).
    async fn profile(&self, ctx: &Context<'_>, case_id: ID) -> Result<Option<JobSeekerProfile>> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        Ok(profiles::get(&state(ctx)?.db, p, case_id)
            .await?
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
        let search = filter.unwrap_or_default().resolve(ctx).await?;
        let rows = matches::for_case(&st.db, &st.modules, principal(ctx)?, case_id, search, page).await?;
        VacancyMatch::prime(ctx, &rows).await?;
        Ok(ranked_connection(rows, VacancyMatch))
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
        let f = filter.unwrap_or_default().resolve()?;
        Ok(application_search::list(&state(ctx)?.db, p, f, page)
            .await?
            .into_connection(|a| a.id, JobApplication))
    }

    async fn application(&self, ctx: &Context<'_>, id: ID) -> Result<Option<JobApplication>> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "JobApplication", "id")?;
        Ok(application_search::get(&state(ctx)?.db, p, id)
            .await?
            .map(JobApplication))
    }

    /// The application the caller's organisation works under its own reference.
    async fn application_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<JobApplication>> {
        let found =
            application_search::by_external_id(&state(ctx)?.db, principal(ctx)?, &external_id).await?;
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
        let group = group_by.into();
        Ok(outcomes::outcomes(&state(ctx)?.db, p, from, until, group)
            .await?
            .into_iter()
            .map(|row| EmploymentOutcome { row, group })
            .collect())
    }
}
