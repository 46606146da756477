//! Coverage of the requirements, and the inputs that state them.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::DateTime;
use chrono::Utc;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::mahalla::entity::SubRole;
use hamkor_api::module::ModuleGuard;
use hamkor_api::user::entity::Role;

use super::course::TrainingCourse;
use crate::ID as MODULE;
use crate::entity::requirement;
use crate::loaders::training_loaders;
use crate::service::coverage::{Counts, Report};
use crate::service::requirements::Holder;

/// A course that an organisation's role, or a mahalla seat in its territory, must hold.
pub struct TrainingRequirement(pub requirement::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingRequirement {
    async fn id(&self) -> ID {
        ids::encode("TrainingRequirement", self.0.id)
    }
    async fn course(&self, ctx: &Context<'_>) -> Result<Option<TrainingCourse>> {
        Ok(one(&training_loaders(ctx)?.courses, self.0.course_id)
            .await?
            .map(TrainingCourse))
    }
    /// The role that must hold it, or
    async fn role(&self) -> Option<Role> {
        self.0
            .role
            .as_deref()
            .and_then(|r| crate::service::courses::parse_names(r).pop())
    }
    /// the mahalla seat.
    async fn seat(&self) -> Option<SubRole> {
        self.0
            .seat
            .as_deref()
            .and_then(|r| crate::service::courses::parse_names(r).pop())
    }
    /// Renewed every so many months.
    async fn renew_months(&self) -> Option<i32> {
        self.0.renew_months
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A requirement to state, for a role or a seat (exactly one).
#[derive(InputObject)]
#[graphql(visible = "crate::training_visible")]
pub struct SetTrainingRequirementInput {
    pub course_id: ID,
    pub role: Option<Role>,
    pub seat: Option<SubRole>,
    pub renew_months: Option<i32>,
}

impl SetTrainingRequirementInput {
    pub fn resolve(self) -> Result<(i64, Holder, Option<i32>)> {
        let course = ids::decode_as(&self.course_id, "TrainingCourse", "input.courseId")?;
        let holder = match (self.role, self.seat) {
            (Some(r), None) => Holder::Role(r),
            (None, Some(s)) => Holder::Seat(s),
            _ => {
                return Err(
                    hamkor_api::error::ApiError::bad_input("input.role", "give a role or a seat").into(),
                );
            }
        };
        Ok((course, holder, self.renew_months))
    }
}

/// How the people a territory's requirements apply to stand (each requirement counted
/// once per person it applies to).
#[derive(SimpleObject)]
#[graphql(visible = "crate::training_visible")]
pub struct TrainingCoverageFigures {
    /// The district or mahalla (absent on the total).
    pub territory_id: Option<ID>,
    pub name: Option<String>,
    /// Holding a certificate valid for more than 60 days.
    pub compliant: i64,
    /// Holding one that expires within 60 days.
    pub due_within_60_days: i64,
    /// Trained, but every certificate expired.
    pub expired: i64,
    pub never_trained: i64,
}

impl TrainingCoverageFigures {
    fn new(kind: &str, id: Option<i64>, name: Option<String>, c: Counts) -> Self {
        Self {
            territory_id: id.map(|i| ids::encode(kind, i)),
            name,
            compliant: c.compliant,
            due_within_60_days: c.due,
            expired: c.expired,
            never_trained: c.never,
        }
    }
}

/// Coverage per district and per mahalla, counted in the database.
#[derive(SimpleObject)]
#[graphql(visible = "crate::training_visible")]
pub struct TrainingCoverage {
    pub districts: Vec<TrainingCoverageFigures>,
    pub mahallas: Vec<TrainingCoverageFigures>,
    pub total: TrainingCoverageFigures,
}

impl From<Report> for TrainingCoverage {
    fn from(r: Report) -> Self {
        Self {
            districts: r
                .districts
                .into_iter()
                .map(|(id, n, c)| TrainingCoverageFigures::new("District", Some(id), Some(n), c))
                .collect(),
            mahallas: r
                .mahallas
                .into_iter()
                .map(|(id, n, c)| TrainingCoverageFigures::new("Mahalla", Some(id), Some(n), c))
                .collect(),
            total: TrainingCoverageFigures::new("", None, None, r.total),
        }
    }
}
