//! The module's per-request DataLoaders, kept beside the core's in the request's
//! `Loaders` (built on first use).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::loaders;
use hamkor_api::loaders::{ById, ByParent, Children, by_id, by_parent, unfiltered};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{AttendanceStatus, attendance, intake, programme, transition};

hamkor_api::has_id!(programme::Entity, intake::Entity);

pub struct EducationLoaders {
    pub programmes: ById<programme::Entity>,
    pub intakes: ById<intake::Entity>,
    /// An enrolment's transitions (a handful: one per status change).
    pub transitions: ByParent<transition::Entity>,
    /// Pages of an enrolment's attendance, newest first.
    pub attendance: Children<attendance::Entity>,
    /// Attendance rates of enrolments, counted in the database.
    pub rates: DataLoader<RateLoader, HashMapCache>,
}

/// Counts each enrolment's attendance by status in one grouped query.
pub struct RateLoader {
    db: DatabaseConnection,
}

impl Loader<i64> for RateLoader {
    type Value = f64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, f64>, Self::Error> {
        use attendance::Column as A;
        let rows: Vec<(i64, AttendanceStatus, i64)> = attendance::Entity::find()
            .select_only()
            .column(A::EnrolmentId)
            .column(A::Status)
            .column_as(Expr::col(A::Id).count(), "n")
            .filter(A::EnrolmentId.is_in(keys.iter().copied()))
            .group_by(A::EnrolmentId)
            .group_by(A::Status)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
        for (enrolment, status, n) in rows {
            let entry = counts.entry(enrolment).or_default();
            match status {
                AttendanceStatus::Present | AttendanceStatus::Late => {
                    entry.0 += n;
                    entry.1 += n;
                }
                AttendanceStatus::Absent => entry.1 += n,
                AttendanceStatus::Excused => {}
            }
        }
        Ok(counts
            .into_iter()
            .filter(|(_, (_, counted))| *counted > 0)
            .map(|(id, (attended, counted))| (id, attended as f64 / counted as f64))
            .collect())
    }
}

impl EducationLoaders {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            programmes: by_id(db),
            intakes: by_id(db),
            transitions: by_parent(
                db,
                transition::Column::EnrolmentId,
                transition::Column::Id,
                |m: &transition::Model| m.enrolment_id,
            ),
            attendance: Children::new(
                db,
                attendance::Column::EnrolmentId,
                attendance::Column::Id,
                |m: &attendance::Model| m.enrolment_id,
                |m: &attendance::Model| m.id,
                unfiltered,
            ),
            rates: DataLoader::with_cache(
                RateLoader { db: db.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }
}

/// The request's education loaders.
pub fn education_loaders(ctx: &Context<'_>) -> ApiResult<Arc<EducationLoaders>> {
    Ok(loaders(ctx)?.extension(EducationLoaders::new))
}
