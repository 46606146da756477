//! `Query.education`: each field decodes its arguments, calls one service function
//! (with the caller, where what it reads depends on who asks), and wraps the result.

use async_graphql::{Context, ID, Json, Object, Result};
use hamkor_api::graphql::context::{page, principal, state};
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::{Conn, Page};

use super::enrolment::{EducationEnrolment, EducationEnrolmentFilter};
use super::matching::ProgrammeMatch;
use super::programme::{
    EducationIntake, EducationIntakeFilter, EducationProgramme, EducationProgrammeFilter,
};
use crate::ID as MODULE;
use crate::entity::EducationLevel;
use crate::loaders::education_loaders;
use crate::service::{catalogue, directory, enrolment_search, matches, programmes};

/// Most rows of a page of intakes, matches or the directory.
const MAX_PAGE: u64 = 100;

/// `Query.education`.
#[derive(Default)]
pub struct EducationQueryRoot;

#[Object]
impl EducationQueryRoot {
    /// The education module: programmes, intakes, enrolments (organisations that
    /// enabled it only).
    #[graphql(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn education(&self) -> EducationQuery {
        EducationQuery
    }
}

pub struct EducationQuery;

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationQuery {
    /// The catalogue of programmes, oldest first.
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationProgrammeFilter>,
    ) -> Result<Conn<EducationProgramme>> {
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        Ok(catalogue::list(&state(ctx)?.db, &f, page)
            .await?
            .into_connection(|p| p.id, EducationProgramme))
    }

    async fn programme(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EducationProgramme>> {
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        Ok(one(&education_loaders(ctx)?.programmes, id)
            .await?
            .map(EducationProgramme))
    }

    /// The programme the caller's organisation provides under its own reference.
    async fn programme_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<EducationProgramme>> {
        let found = programmes::by_external_id(&state(ctx)?.db, principal(ctx)?, &external_id).await?;
        Ok(found.map(EducationProgramme))
    }

    /// Upcoming intakes of open programmes, soonest first.
    async fn intakes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationIntakeFilter>,
    ) -> Result<Conn<EducationIntake>> {
        let page = Page::new(first, after.as_deref(), MAX_PAGE)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        Ok(catalogue::intakes(&state(ctx)?.db, &f, None, page)
            .await?
            .into_connection(|i| i.id, EducationIntake))
    }

    /// Upcoming intakes for a case, soonest first, each saying whether it fits the
    /// person (age, prior education, the curfew against the class hours, the areas
    /// against the place, a free seat) and why not. `fitsOnly` lists only those that
    /// fit. For the agencies supervising the case, and for a provider working an
    /// education referral of it that may see the sentence's conditions.
    #[allow(clippy::too_many_arguments)] // the field's arguments
    async fn programme_matches(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        #[graphql(desc = "The person's completed education (default: the one their referral records).")]
        prior_education: Option<EducationLevel>,
        filter: Option<EducationIntakeFilter>,
        #[graphql(default)] fits_only: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ProgrammeMatch>> {
        let p = principal(ctx)?;
        let page = Page::new(first, after.as_deref(), MAX_PAGE)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        let db = &state(ctx)?.db;
        let rows = matches::for_case(db, p, case_id, prior_education, f, fits_only, page).await?;
        ProgrammeMatch::prime(ctx, &rows).await?;
        Ok(rows.into_connection(|m| m.intake.id, ProgrammeMatch))
    }

    /// Enrolments the caller may see (their organisation's as a provider, and those of
    /// the cases they supervise), newest first.
    async fn enrolments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationEnrolmentFilter>,
    ) -> Result<Conn<EducationEnrolment>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default().resolve()?;
        Ok(enrolment_search::list(&state(ctx)?.db, p, f, page)
            .await?
            .into_connection(|e| e.id, EducationEnrolment))
    }

    async fn enrolment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EducationEnrolment>> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationEnrolment", "id")?;
        Ok(enrolment_search::get(&state(ctx)?.db, p, id)
            .await?
            .map(EducationEnrolment))
    }

    /// The enrolment the caller's organisation keeps under its own reference.
    async fn enrolment_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<EducationEnrolment>> {
        let found = enrolment_search::by_external_id(&state(ctx)?.db, principal(ctx)?, &external_id).await?;
        Ok(found.map(EducationEnrolment))
    }

    /// The catalogue as an Open Referral HSDS 3.0 page of services (`contents`), each
    /// with its organisation, location, schedules (one per upcoming intake), languages
    /// and cost; `next_cursor` (with `last_page: false`) fetches the next page.
    async fn directory(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationProgrammeFilter>,
    ) -> Result<Json<serde_json::Value>> {
        let page = Page::new(first, after.as_deref(), MAX_PAGE)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        Ok(Json(directory::page(&state(ctx)?.db, &f, page).await?))
    }
}
