//! A learner's record: enrolments, attendance, certificates and reminders, and the
//! inputs that work them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::graphql::context::{loaders, page};
use hamkor_api::ids;
use hamkor_api::loaders::{children, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::pagination::Conn;
use hamkor_api::user::graphql::User;

use super::course::{TrainingCourse, TrainingSession};
use crate::ID as MODULE;
use crate::entity::{TrainingEnrolmentStatus, TrainingTopic, attendance, certificate, enrolment, reminder};
use crate::loaders::training_loaders;
use crate::service::records::EnrolmentFilter;
use crate::service::results::Assessment;

/// A learner's place in a session.
pub struct TrainingEnrolment(pub enrolment::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingEnrolment {
    async fn id(&self) -> ID {
        ids::encode("TrainingEnrolment", self.0.id)
    }
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<TrainingSession>> {
        Ok(one(&training_loaders(ctx)?.sessions, self.0.session_id)
            .await?
            .map(TrainingSession))
    }
    async fn course(&self, ctx: &Context<'_>) -> Result<Option<TrainingCourse>> {
        Ok(one(&training_loaders(ctx)?.courses, self.0.course_id)
            .await?
            .map(TrainingCourse))
    }
    async fn learner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.user_id).await?.map(User))
    }
    /// The learner's organisation.
    async fn learner_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.learner_organisation_id)
            .await?
            .map(Organisation))
    }
    async fn status(&self) -> TrainingEnrolmentStatus {
        self.0.status
    }
    /// Assessment score, 0–100.
    async fn score(&self) -> Option<i32> {
        self.0.score
    }
    /// The certificate issued on passing.
    async fn certificate(&self, ctx: &Context<'_>) -> Result<Option<TrainingCertificate>> {
        Ok(children(&training_loaders(ctx)?.certificates, self.0.id)
            .await?
            .into_iter()
            .next()
            .map(TrainingCertificate))
    }
    /// Days of attendance, newest first.
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<TrainingAttendance>> {
        let page = page(ctx, first, after)?;
        Ok(training_loaders(ctx)?
            .attendance
            .connection(self.0.id, 0, page, |a| a.id, TrainingAttendance)
            .await?)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One day of a learner's attendance.
pub struct TrainingAttendance(pub attendance::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingAttendance {
    async fn on(&self) -> NaiveDate {
        self.0.on_date
    }
    async fn present(&self) -> bool {
        self.0.present
    }
}

/// A certificate, issued on passing a course's assessment.
pub struct TrainingCertificate(pub certificate::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingCertificate {
    async fn id(&self) -> ID {
        ids::encode("TrainingCertificate", self.0.id)
    }
    /// Unique across the platform.
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn course(&self, ctx: &Context<'_>) -> Result<Option<TrainingCourse>> {
        Ok(one(&training_loaders(ctx)?.courses, self.0.course_id)
            .await?
            .map(TrainingCourse))
    }
    async fn topic(&self) -> TrainingTopic {
        self.0.topic
    }
    async fn holder(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.user_id).await?.map(User))
    }
    async fn issued_on(&self) -> NaiveDate {
        self.0.issued_on
    }
    /// Null when the course's certificates never expire.
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
}

/// A reminder that a certificate expires within 60 days.
pub struct TrainingReminder(pub reminder::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingReminder {
    async fn id(&self) -> ID {
        ids::encode("TrainingReminder", self.0.id)
    }
    async fn learner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.user_id).await?.map(User))
    }
    async fn certificate_id(&self) -> ID {
        ids::encode("TrainingCertificate", self.0.certificate_id)
    }
    async fn expires_on(&self) -> NaiveDate {
        self.0.expires_on
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which enrolments to list.
#[derive(InputObject, Default)]
#[graphql(visible = "crate::training_visible")]
pub struct TrainingEnrolmentFilter {
    pub session_id: Option<ID>,
    pub learner_id: Option<ID>,
    #[graphql(default)]
    pub statuses: Vec<TrainingEnrolmentStatus>,
}

impl TrainingEnrolmentFilter {
    pub fn resolve(self) -> Result<EnrolmentFilter> {
        Ok(EnrolmentFilter {
            session_id: ids::decode_opt(self.session_id.as_ref(), "TrainingSession", "filter.sessionId")?,
            user_id: ids::decode_opt(self.learner_id.as_ref(), "User", "filter.learnerId")?,
            statuses: self.statuses,
        })
    }
}

/// An enrolment in a session.
#[derive(InputObject)]
#[graphql(visible = "crate::training_visible")]
pub struct EnrolInTrainingInput {
    pub session_id: ID,
    /// The learner (the caller when absent); another learner only by their
    /// organisation's admin.
    pub learner_id: Option<ID>,
}

/// One day's attendance.
#[derive(InputObject)]
#[graphql(visible = "crate::training_visible")]
pub struct RecordTrainingAttendanceInput {
    pub enrolment_id: ID,
    pub on: NaiveDate,
    pub present: bool,
}

/// An assessment result.
#[derive(InputObject)]
#[graphql(visible = "crate::training_visible")]
pub struct AssessTrainingInput {
    pub enrolment_id: ID,
    pub passed: bool,
    /// 0–100.
    pub score: Option<i32>,
    /// The certificate's number (generated when absent).
    pub certificate_number: Option<String>,
    /// The day the certificate is issued (today when absent).
    pub issued_on: Option<NaiveDate>,
}

impl AssessTrainingInput {
    pub fn assessment(self) -> Result<(i64, Assessment)> {
        Ok((
            ids::decode_as(&self.enrolment_id, "TrainingEnrolment", "input.enrolmentId")?,
            Assessment {
                passed: self.passed,
                score: self.score,
                certificate_number: self.certificate_number,
                issued_on: self.issued_on,
            },
        ))
    }
}
