//! GraphQL types and operations of the mahalla's work.

mod conference;
mod programme;
mod roster;
mod tasks;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, MergedObject};
use sea_orm::{DatabaseConnection, DbErr};

use super::entity::{self, activity_case, conference_case, decision, member, minute, participant, task};
use crate::error::ApiResult;
use crate::graphql::context::loaders;
use crate::loaders::{ById, ByParent, by_id, by_parent};

pub use conference::{
    CaseConference, ConferenceDecision, ConferenceMinute, ConferenceParticipant, fetch_conference,
};
pub use programme::{PreventionProgramme, ProgrammeActivity, ProgrammeProgress, fetch_programme};
pub use roster::{MahallaMember, fetch_member};
pub use tasks::{MahallaTask, fetch_task};

/// Queries of the mahalla's work.
#[derive(MergedObject, Default)]
pub struct MahallaQuery(
    roster::RosterQuery,
    programme::ProgrammeQuery,
    tasks::TaskQuery,
    conference::ConferenceQuery,
);

/// Mutations of the mahalla's work.
#[derive(MergedObject, Default)]
pub struct MahallaMutation(
    roster::RosterMutation,
    programme::ProgrammeMutation,
    tasks::TaskMutation,
    conference::ConferenceMutation,
);

/// The request's loaders of the mahalla's link tables.
pub struct MahallaLoaders {
    pub members: ById<member::Entity>,
    pub programmes: ById<entity::programme::Entity>,
    pub conferences: ById<entity::conference::Entity>,
    pub tasks: ById<task::Entity>,
    pub cases_by_conference: ByParent<conference_case::Entity>,
    pub participants_by_conference: ByParent<participant::Entity>,
    pub cases_by_activity: ByParent<activity_case::Entity>,
    pub decisions_by_conference: ByParent<decision::Entity>,
    pub minutes_by_conference: ByParent<minute::Entity>,
    /// Programme progress, counted for a page of programmes at once.
    pub progress: DataLoader<ProgressLoader, HashMapCache>,
}

/// Counts the progress of programmes in grouped queries.
pub struct ProgressLoader {
    db: DatabaseConnection,
}

impl Loader<i64> for ProgressLoader {
    type Value = super::programme::Progress;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        super::programme::progress_of(&self.db, keys, crate::db::now().date_naive())
            .await
            .map_err(Arc::new)
    }
}

impl MahallaLoaders {
    fn new(db: &sea_orm::DatabaseConnection) -> Self {
        Self {
            members: by_id(db),
            programmes: by_id(db),
            conferences: by_id(db),
            tasks: by_id(db),
            cases_by_conference: by_parent(
                db,
                conference_case::Column::ConferenceId,
                conference_case::Column::CaseId,
                |m: &conference_case::Model| m.conference_id,
            ),
            participants_by_conference: by_parent(
                db,
                participant::Column::ConferenceId,
                participant::Column::Id,
                |m: &participant::Model| m.conference_id,
            ),
            cases_by_activity: by_parent(
                db,
                activity_case::Column::ActivityId,
                activity_case::Column::CaseId,
                |m: &activity_case::Model| m.activity_id,
            ),
            decisions_by_conference: by_parent(
                db,
                decision::Column::ConferenceId,
                decision::Column::Id,
                |m: &decision::Model| m.conference_id,
            ),
            minutes_by_conference: by_parent(
                db,
                minute::Column::ConferenceId,
                minute::Column::Id,
                |m: &minute::Model| m.conference_id,
            ),
            progress: DataLoader::with_cache(
                ProgressLoader { db: db.clone() },
                crate::loaders::spawn_in_span,
                HashMapCache::default(),
            ),
        }
    }
}

fn mahalla_loaders(ctx: &Context<'_>) -> ApiResult<Arc<MahallaLoaders>> {
    Ok(loaders(ctx)?.extension(MahallaLoaders::new))
}

/// The cases among `ids` the caller may see, through the request's case loader.
async fn visible_cases(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = i64>,
) -> async_graphql::Result<Vec<crate::case::graphql::Case>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(c) = crate::case::graphql::case_of(ctx, id).await? {
            out.push(c);
        }
    }
    Ok(out)
}
