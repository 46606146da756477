//! The module's per-request DataLoaders, kept beside the core's in the request's
//! `Loaders` (built on first use).

use std::sync::Arc;

use async_graphql::Context;
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::loaders;
use hamkor_api::loaders::{ById, ByParent, Children, by_id, by_parent, unfiltered};
use sea_orm::DatabaseConnection;

use crate::entity::{attendance, certificate, course, session};

hamkor_api::has_id!(course::Entity, session::Entity);

pub struct TrainingLoaders {
    pub courses: ById<course::Entity>,
    pub sessions: ById<session::Entity>,
    /// The certificate of an enrolment (at most one).
    pub certificates: ByParent<certificate::Entity>,
    /// Pages of an enrolment's attendance, newest first.
    pub attendance: Children<attendance::Entity>,
}

impl TrainingLoaders {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            courses: by_id(db),
            sessions: by_id(db),
            certificates: by_parent(
                db,
                certificate::Column::EnrolmentId,
                certificate::Column::Id,
                |m: &certificate::Model| m.enrolment_id,
            ),
            attendance: Children::new(
                db,
                attendance::Column::EnrolmentId,
                attendance::Column::Id,
                |m: &attendance::Model| m.enrolment_id,
                |m: &attendance::Model| m.id,
                unfiltered,
            ),
        }
    }
}

/// The request's training loaders.
pub fn training_loaders(ctx: &Context<'_>) -> ApiResult<Arc<TrainingLoaders>> {
    Ok(loaders(ctx)?.extension(TrainingLoaders::new))
}
