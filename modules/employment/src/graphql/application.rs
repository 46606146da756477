//! Applications, their history and the retention checks after a hire.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::case::graphql::{Case, case_of};
use hamkor_api::db::now;
use hamkor_api::error::ApiResult;
use hamkor_api::ids;
use hamkor_api::loaders::{children, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::referral::graphql::{Referral, fetch_referral};

use super::vacancy::Vacancy;
use crate::ID as MODULE;
use crate::entity::{ApplicationStatus, RetentionOutcome, application, application_transition, retention};
use crate::loaders::employment_loaders;
use crate::service::application_search::ApplicationFilter;

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

impl JobApplicationFilter {
    /// The filter as the service takes it.
    pub fn resolve(self) -> ApiResult<ApplicationFilter> {
        Ok(ApplicationFilter {
            case_id: ids::decode_opt(self.case_id.as_ref(), "Case", "filter.caseId")?,
            referral_id: ids::decode_opt(self.referral_id.as_ref(), "Referral", "filter.referralId")?,
            vacancy_id: ids::decode_opt(self.vacancy_id.as_ref(), "Vacancy", "filter.vacancyId")?,
            statuses: self.statuses,
        })
    }
}
