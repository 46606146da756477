//! `Mutation.training`: each field decodes its input, calls one service function with
//! the caller, and wraps what it returns.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use super::course::{OpenTrainingSessionInput, PublishTrainingCourseInput, TrainingCourse, TrainingSession};
use super::coverage::{SetTrainingRequirementInput, TrainingRequirement};
use super::enrolment::{
    AssessTrainingInput, EnrolInTrainingInput, RecordTrainingAttendanceInput, TrainingAttendance,
    TrainingEnrolment,
};
use crate::ID as MODULE;
use crate::service::{courses, enrolment, requirements, results, sessions};

/// `Mutation.training`.
#[derive(Default)]
pub struct TrainingMutationRoot;

#[Object]
impl TrainingMutationRoot {
    /// Staff training (organisations that enabled it only).
    #[graphql(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn training(&self) -> TrainingMutation {
        TrainingMutation
    }
}

pub struct TrainingMutation;

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingMutation {
    /// Publish a course of the caller's organisation (its staff or admin).
    async fn publish_course(
        &self,
        ctx: &Context<'_>,
        input: PublishTrainingCourseInput,
    ) -> Result<TrainingCourse> {
        let p = principal(ctx)?;
        Ok(TrainingCourse(
            courses::publish(&state(ctx)?.db, p, input.spec()).await?,
        ))
    }

    /// Open a session of one of the caller's organisation's courses.
    async fn open_session(
        &self,
        ctx: &Context<'_>,
        input: OpenTrainingSessionInput,
    ) -> Result<TrainingSession> {
        let p = principal(ctx)?;
        let spec = input.spec()?;
        Ok(TrainingSession(sessions::open(&state(ctx)?.db, p, spec).await?))
    }

    /// Enrol the caller (or, as their organisation's admin, one of its users) in a
    /// session: ENROLLED while a seat is free, WAITLISTED otherwise.
    async fn enrol(&self, ctx: &Context<'_>, input: EnrolInTrainingInput) -> Result<TrainingEnrolment> {
        let p = principal(ctx)?;
        let session = ids::decode_as(&input.session_id, "TrainingSession", "input.sessionId")?;
        let learner = ids::decode_opt(input.learner_id.as_ref(), "User", "input.learnerId")?;
        Ok(TrainingEnrolment(
            enrolment::enrol(&state(ctx)?.db, p, session, learner).await?,
        ))
    }

    /// Withdraw an enrolment before the assessment; a freed seat goes to the first on
    /// the waiting list.
    async fn cancel_enrolment(&self, ctx: &Context<'_>, id: ID) -> Result<TrainingEnrolment> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "TrainingEnrolment", "id")?;
        Ok(TrainingEnrolment(
            enrolment::cancel(&state(ctx)?.db, p, id).await?,
        ))
    }

    /// Record one day's attendance of an enrolled learner (the course's staff).
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordTrainingAttendanceInput,
    ) -> Result<TrainingAttendance> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.enrolment_id, "TrainingEnrolment", "input.enrolmentId")?;
        Ok(TrainingAttendance(
            results::attendance(&state(ctx)?.db, p, id, input.on, input.present).await?,
        ))
    }

    /// Record the assessment of an enrolled learner (the course's staff); a pass issues
    /// the certificate, with its number and expiry.
    async fn assess(&self, ctx: &Context<'_>, input: AssessTrainingInput) -> Result<TrainingEnrolment> {
        let p = principal(ctx)?;
        let (id, a) = input.assessment()?;
        let (row, _) = results::assess(&state(ctx)?.db, p, id, a).await?;
        Ok(TrainingEnrolment(row))
    }

    /// State a course that a role of the caller's organisation, or a mahalla seat in its
    /// territory, must hold, and how often it is renewed (the organisation's admin).
    async fn set_requirement(
        &self,
        ctx: &Context<'_>,
        input: SetTrainingRequirementInput,
    ) -> Result<TrainingRequirement> {
        let p = principal(ctx)?;
        let (course, holder, renew) = input.resolve()?;
        Ok(TrainingRequirement(
            requirements::set(&state(ctx)?.db, p, course, holder, renew).await?,
        ))
    }
}
