//! Intakes matched to a person.

use async_graphql::{Context, Object};
use hamkor_api::error::ApiResult;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::Paged;

use super::programme::{EducationIntake, EducationProgramme};
use crate::ID as MODULE;
use crate::fit::FitIssue;
use crate::loaders::education_loaders;
use crate::service::matches;

/// An intake, and whether it fits the person it was searched for.
pub struct ProgrammeMatch(pub matches::ProgrammeMatch);

impl ProgrammeMatch {
    /// The request's loaders learn the programmes of `rows` (the intakes' programme
    /// fields read them there).
    pub async fn prime(ctx: &Context<'_>, rows: &Paged<matches::ProgrammeMatch>) -> ApiResult<()> {
        education_loaders(ctx)?
            .programmes
            .feed_many(rows.rows.iter().map(|m| (m.programme.id, m.programme.clone())))
            .await;
        Ok(())
    }
}

#[Object(
    name = "EducationProgrammeMatch",
    visible = "crate::education_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl ProgrammeMatch {
    async fn intake(&self) -> EducationIntake {
        EducationIntake(self.0.intake.clone())
    }
    async fn programme(&self) -> Option<EducationProgramme> {
        Some(EducationProgramme(self.0.programme.clone()))
    }
    /// No issue at all: eligible, within the sentence's conditions, a seat free.
    async fn fits(&self) -> bool {
        self.0.issues.is_empty()
    }
    /// Every reason it does not fit, each with a sentence to show.
    async fn issues(&self) -> &[FitIssue] {
        &self.0.issues
    }
}
