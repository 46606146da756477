//! `Query.training`: each field decodes its arguments, calls one service function
//! (with the caller, where what it reads depends on who asks), and wraps the result.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::graphql::context::{page, principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::Conn;
use hamkor_api::territory::resolve::place_of;

use super::course::{TrainingCourse, TrainingSession};
use super::coverage::{TrainingCoverage, TrainingRequirement};
use super::enrolment::{TrainingCertificate, TrainingEnrolment, TrainingEnrolmentFilter, TrainingReminder};
use crate::ID as MODULE;
use crate::entity::TrainingTopic;
use crate::service::courses::CourseFilter;
use crate::service::{courses, coverage, records, reminders, requirements, sessions};

/// `Query.training`.
#[derive(Default)]
pub struct TrainingQueryRoot;

#[Object]
impl TrainingQueryRoot {
    /// Staff training: courses, sessions, certificates, requirements and coverage
    /// (organisations that enabled it only).
    #[graphql(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn training(&self) -> TrainingQuery {
        TrainingQuery
    }
}

pub struct TrainingQuery;

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingQuery {
    /// The catalogue of open courses, oldest first.
    async fn courses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        topic: Option<TrainingTopic>,
        provider_id: Option<ID>,
    ) -> Result<Conn<TrainingCourse>> {
        let page = page(ctx, first, after)?;
        let f = CourseFilter {
            topic,
            organisation_id: ids::decode_opt(provider_id.as_ref(), "Organisation", "providerId")?,
        };
        Ok(courses::list(&state(ctx)?.db, &f, page)
            .await?
            .into_connection(|c| c.id, TrainingCourse))
    }

    /// Sessions (of one course when given), oldest first.
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        course_id: Option<ID>,
    ) -> Result<Conn<TrainingSession>> {
        let page = page(ctx, first, after)?;
        let course = ids::decode_opt(course_id.as_ref(), "TrainingCourse", "courseId")?;
        Ok(sessions::list(&state(ctx)?.db, course, page)
            .await?
            .into_connection(|s| s.id, TrainingSession))
    }

    /// Enrolments the caller may see: their own, their organisation's learners' (its
    /// admin), their organisation's courses' learners (its staff); oldest first.
    async fn enrolments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<TrainingEnrolmentFilter>,
    ) -> Result<Conn<TrainingEnrolment>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default().resolve()?;
        Ok(records::enrolments(&state(ctx)?.db, p, f, page)
            .await?
            .into_connection(|e| e.id, TrainingEnrolment))
    }

    /// Certificates the caller may see (their own; their organisation's as its admin),
    /// of one learner when given, newest first.
    async fn certificates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        learner_id: Option<ID>,
    ) -> Result<Conn<TrainingCertificate>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let user = ids::decode_opt(learner_id.as_ref(), "User", "learnerId")?;
        Ok(records::certificates(&state(ctx)?.db, p, user, page)
            .await?
            .into_connection(|c| c.id, TrainingCertificate))
    }

    /// Reminders of certificates expiring within 60 days (the caller's own; their
    /// organisation's as its admin), newest first.
    async fn reminders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<TrainingReminder>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        Ok(reminders::list(&state(ctx)?.db, p, page)
            .await?
            .into_connection(|r| r.id, TrainingReminder))
    }

    /// The requirements of the caller's organisation, oldest first.
    async fn requirements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<TrainingRequirement>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        Ok(requirements::list(&state(ctx)?.db, p, page)
            .await?
            .into_connection(|r| r.id, TrainingRequirement))
    }

    /// How the people the caller's organisation's requirements apply to stand, per
    /// district and mahalla of `territoryId` (a region, district or mahalla; everywhere
    /// when absent): compliant, due within 60 days, expired, never trained. For the
    /// organisation's admin (the platform admin: `organisationId`'s, or everyone's).
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        territory_id: Option<ID>,
        organisation_id: Option<ID>,
    ) -> Result<TrainingCoverage> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let place = match &territory_id {
            Some(id) => Some(place_of(db, id, "territoryId").await?),
            None => None,
        };
        let org = ids::decode_opt(organisation_id.as_ref(), "Organisation", "organisationId")?;
        Ok(coverage::report(db, p, place.as_ref(), org).await?.into())
    }
}
