//! Enrolments, their history and attendance, and the inputs that work them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::case::graphql::{Case, case_of};
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::{loaders, page};
use hamkor_api::ids;
use hamkor_api::loaders::{children, loader_error, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::pagination::Conn;
use hamkor_api::referral::graphql::{Referral, fetch_referral};

use super::programme::{EducationIntake, EducationProgramme};
use crate::ID as MODULE;
use crate::entity::{
    AttendancePeriod, AttendanceStatus, CompletionResult, DropOutReason, EducationLevel, EnrolmentStatus,
    RejectionReason, attendance, enrolment, transition,
};
use crate::loaders::education_loaders;
use crate::service::attendance::AttendanceEntry;
use crate::service::enrolment_search::EnrolmentFilter;

/// A referred person's place on a programme: from application to completion.
pub struct EducationEnrolment(pub enrolment::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationEnrolment {
    async fn id(&self) -> ID {
        ids::encode("EducationEnrolment", self.0.id)
    }
    /// The referral it answers.
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<Referral>> {
        fetch_referral(ctx, self.0.referral_id).await
    }
    /// The case, for callers who may see it.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<EducationProgramme>> {
        Ok(one(&education_loaders(ctx)?.programmes, self.0.programme_id)
            .await?
            .map(EducationProgramme))
    }
    async fn intake(&self, ctx: &Context<'_>) -> Result<Option<EducationIntake>> {
        Ok(one(&education_loaders(ctx)?.intakes, self.0.intake_id)
            .await?
            .map(EducationIntake))
    }
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// The provider's own reference (`setEnrolmentExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn status(&self) -> EnrolmentStatus {
        self.0.status
    }
    /// The reason of a rejection or drop-out (a `RejectionReason` or `DropOutReason` name).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The education the referral recorded for the person.
    async fn prior_education(&self) -> Option<EducationLevel> {
        self.0.prior_education
    }
    /// The current run of absences (excused ones aside).
    async fn consecutive_absences(&self) -> i32 {
        self.0.consecutive_absences
    }
    /// The absence alert was raised and attendance has not resumed since.
    async fn absence_alert_open(&self) -> bool {
        self.0.absence_alert_open
    }
    /// Share of classes (or weeks) attended, late included, excused ones aside; null
    /// before any is recorded.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(education_loaders(ctx)?
            .rates
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?)
    }
    /// Attendance entries, newest first.
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<EducationAttendance>> {
        let page = page(ctx, first, after)?;
        Ok(education_loaders(ctx)?
            .attendance
            .connection(self.0.id, 0, page, |a| a.id, EducationAttendance)
            .await?)
    }
    /// Every status change, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<EducationEnrolmentTransition>> {
        Ok(children(&education_loaders(ctx)?.transitions, self.0.id)
            .await?
            .into_iter()
            .map(EducationEnrolmentTransition)
            .collect())
    }
    async fn result(&self) -> Option<CompletionResult> {
        self.0.result
    }
    async fn certificate_number(&self) -> Option<&str> {
        self.0.certificate_number.as_deref()
    }
    async fn certificate_date(&self) -> Option<NaiveDate> {
        self.0.certificate_date
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}

/// One status change of an enrolment.
pub struct EducationEnrolmentTransition(pub transition::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationEnrolmentTransition {
    async fn from_status(&self) -> Option<EnrolmentStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> EnrolmentStatus {
        self.0.to_status
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// Attendance at one class or over one week.
pub struct EducationAttendance(pub attendance::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationAttendance {
    async fn id(&self) -> ID {
        ids::encode("EducationAttendance", self.0.id)
    }
    async fn on(&self) -> NaiveDate {
        self.0.on_date
    }
    async fn period(&self) -> AttendancePeriod {
        self.0.period
    }
    async fn status(&self) -> AttendanceStatus {
        self.0.status
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    /// Incremented by every correction; pass it as `expectedVersion` to correct the
    /// entry only if nobody changed it since.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationEnrolmentFilter {
    pub case_id: Option<ID>,
    pub referral_id: Option<ID>,
    pub programme_id: Option<ID>,
    pub intake_id: Option<ID>,
    #[graphql(default)]
    pub statuses: Vec<EnrolmentStatus>,
    /// Only enrolments with an open absence alert.
    pub absence_alert_open: Option<bool>,
}

impl EducationEnrolmentFilter {
    /// The filter as the service takes it.
    pub fn resolve(self) -> ApiResult<EnrolmentFilter> {
        Ok(EnrolmentFilter {
            case_id: ids::decode_opt(self.case_id.as_ref(), "Case", "filter.caseId")?,
            referral_id: ids::decode_opt(self.referral_id.as_ref(), "Referral", "filter.referralId")?,
            programme_id: ids::decode_opt(
                self.programme_id.as_ref(),
                "EducationProgramme",
                "filter.programmeId",
            )?,
            intake_id: ids::decode_opt(self.intake_id.as_ref(), "EducationIntake", "filter.intakeId")?,
            statuses: self.statuses,
            absence_alert_open: self.absence_alert_open,
        })
    }
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct ApplyForEnrolmentInput {
    /// An education referral addressed to the caller's organisation.
    pub referral_id: ID,
    /// An intake of one of the organisation's programmes.
    pub intake_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct EnrolmentStepInput {
    pub enrolment_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct RejectEnrolmentInput {
    pub enrolment_id: ID,
    pub reason: RejectionReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct DropOutInput {
    pub enrolment_id: ID,
    pub reason: DropOutReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct CompleteEnrolmentInput {
    pub enrolment_id: ID,
    pub result: CompletionResult,
    /// Required on passing a programme that awards a certificate.
    pub certificate_number: Option<String>,
    /// Default: today.
    pub certificate_date: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct AttendanceEntryInput {
    pub on: NaiveDate,
    #[graphql(default_with = "AttendancePeriod::Class")]
    pub period: AttendancePeriod,
    pub status: AttendanceStatus,
    pub note: Option<String>,
    /// Correcting an entry: its `version` the correction started from (CONFLICT, with
    /// the entry as it is in `extensions.current`, when it changed since).
    pub expected_version: Option<i32>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct RecordAttendanceInput {
    pub enrolment_id: ID,
    /// Up to 31 entries; a day and period already recorded is corrected.
    pub entries: Vec<AttendanceEntryInput>,
}

/// `Mutation.education`.
impl RecordAttendanceInput {
    /// The entries as the service takes them.
    pub fn entries(self) -> Vec<AttendanceEntry> {
        self.entries
            .into_iter()
            .map(|e| AttendanceEntry {
                on: e.on,
                period: e.period,
                status: e.status,
                note: e.note,
                expected_version: e.expected_version,
            })
            .collect()
    }
}
