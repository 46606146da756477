//! `Mutation.employment`: each change decodes its input, calls one service function
//! with the caller (which validates, authorises, audits and emits its event in one
//! transaction), and wraps the result.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use super::application::{
    ApplyForVacancyInput, JobApplication, MoveJobApplicationInput, RecordRetentionCheckInput, RetentionCheck,
};
use super::employer::{Employer, EmployerInput};
use super::profile::{JobSeekerProfile, JobSeekerProfileInput};
use super::vacancy::{Vacancy, VacancyInput};
use crate::ID as MODULE;
use crate::entity::VacancyStatus;
use crate::service::{application_search, applications, employers, profiles, retention, vacancies};

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
            employers::create_employer(&state(ctx)?.db, p, spec).await?,
        ))
    }

    /// Change an employer (its registering organisation); its openness reaches its
    /// vacancies at once.
    async fn update_employer(&self, ctx: &Context<'_>, id: ID, input: EmployerInput) -> Result<Employer> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Employer", "id")?;
        let spec = input.spec(ctx).await?;
        Ok(Employer(
            employers::update_employer(&state(ctx)?.db, p, id, spec).await?,
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
        let id = ids::decode_as(&id, "Vacancy", "id")?;
        let row = vacancies::set_external_id(&state(ctx)?.db, p, id, external_id.as_deref()).await?;
        Ok(Vacancy(row))
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
        let id = ids::decode_as(&id, "JobApplication", "id")?;
        let row = application_search::set_external_id(&state(ctx)?.db, p, id, external_id.as_deref()).await?;
        Ok(JobApplication(row))
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
        Ok(JobSeekerProfile(
            profiles::save(&state(ctx)?.db, p, case_id, input.spec()).await?,
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
        let row =
            retention::check_retention(&state(ctx)?.db, p, id, input.outcome, input.note.as_deref()).await?;
        Ok(RetentionCheck(row))
    }
}
