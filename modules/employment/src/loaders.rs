//! The module's per-request DataLoaders, kept beside the core's in the request's
//! `Loaders` (built on first use).

use std::sync::Arc;

use async_graphql::Context;
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::loaders;
use hamkor_api::loaders::{ById, ByParent, by_id, by_parent};
use sea_orm::DatabaseConnection;

use crate::entity::{application_transition, employer, profile_skill, retention, vacancy, vacancy_skill};

hamkor_api::has_id!(employer::Entity, vacancy::Entity);

pub struct EmploymentLoaders {
    pub employers: ById<employer::Entity>,
    pub vacancies: ById<vacancy::Entity>,
    /// A vacancy's skills (at most 30).
    pub vacancy_skills: ByParent<vacancy_skill::Entity>,
    /// A profile's skills (at most 30).
    pub profile_skills: ByParent<profile_skill::Entity>,
    /// An application's status changes (a handful).
    pub transitions: ByParent<application_transition::Entity>,
    /// An application's retention checks (three).
    pub retention: ByParent<retention::Entity>,
}

impl EmploymentLoaders {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            employers: by_id(db),
            vacancies: by_id(db),
            vacancy_skills: by_parent(
                db,
                vacancy_skill::Column::VacancyId,
                vacancy_skill::Column::Id,
                |m: &vacancy_skill::Model| m.vacancy_id,
            ),
            profile_skills: by_parent(
                db,
                profile_skill::Column::ProfileId,
                profile_skill::Column::Id,
                |m: &profile_skill::Model| m.profile_id,
            ),
            transitions: by_parent(
                db,
                application_transition::Column::ApplicationId,
                application_transition::Column::Id,
                |m: &application_transition::Model| m.application_id,
            ),
            retention: by_parent(
                db,
                retention::Column::ApplicationId,
                retention::Column::Day,
                |m: &retention::Model| m.application_id,
            ),
        }
    }
}

/// The request's employment loaders.
pub fn employment_loaders(ctx: &Context<'_>) -> ApiResult<Arc<EmploymentLoaders>> {
    Ok(loaders(ctx)?.extension(EmploymentLoaders::new))
}
