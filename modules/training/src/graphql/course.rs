//! Courses and their sessions, and the inputs that publish and open them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::graphql::context::loaders;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::mahalla::entity::SubRole;
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::user::entity::Role;

use crate::ID as MODULE;
use crate::entity::{TrainingFormat, TrainingTopic, course, session};
use crate::loaders::training_loaders;
use crate::service::courses::{CourseSpec, parse_names};
use crate::service::sessions::SessionSpec;

/// A course an organisation publishes for the staff who supervise: inspectors,
/// officers, the mahalla's seven.
pub struct TrainingCourse(pub course::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingCourse {
    async fn id(&self) -> ID {
        ids::encode("TrainingCourse", self.0.id)
    }
    /// The organisation that publishes it.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn topic(&self) -> TrainingTopic {
        self.0.topic
    }
    /// The roles it is for (empty with no seats: anyone).
    async fn audience_roles(&self) -> Vec<Role> {
        parse_names(&self.0.audience_roles)
    }
    /// The mahalla seats it is for.
    async fn audience_seats(&self) -> Vec<SubRole> {
        parse_names(&self.0.audience_seats)
    }
    async fn format(&self) -> TrainingFormat {
        self.0.format
    }
    async fn hours(&self) -> i32 {
        self.0.hours
    }
    /// Language of teaching (ISO 639 code).
    async fn language(&self) -> &str {
        &self.0.language
    }
    /// Months a certificate stays valid; null when it never expires.
    async fn validity_months(&self) -> Option<i32> {
        self.0.validity_months
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One run of a course.
pub struct TrainingSession(pub session::Model);

#[Object(visible = "crate::training_visible", guard = "ModuleGuard::new(MODULE)")]
impl TrainingSession {
    async fn id(&self) -> ID {
        ids::encode("TrainingSession", self.0.id)
    }
    async fn course(&self, ctx: &Context<'_>) -> Result<Option<TrainingCourse>> {
        Ok(one(&training_loaders(ctx)?.courses, self.0.course_id)
            .await?
            .map(TrainingCourse))
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// The link of an online session.
    async fn link(&self) -> Option<&str> {
        self.0.link.as_deref()
    }
    async fn trainer(&self) -> &str {
        &self.0.trainer
    }
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// Seats held (enrolled, passed or failed learners); never more than `capacity`.
    async fn seats_taken(&self) -> i32 {
        self.0.seats_taken
    }
    async fn seats_left(&self) -> i32 {
        (self.0.capacity - self.0.seats_taken).max(0)
    }
}

/// A course to publish (for the caller's organisation).
#[derive(InputObject)]
#[graphql(visible = "crate::training_visible")]
pub struct PublishTrainingCourseInput {
    pub title: String,
    pub topic: TrainingTopic,
    #[graphql(default)]
    pub audience_roles: Vec<Role>,
    #[graphql(default)]
    pub audience_seats: Vec<SubRole>,
    pub format: TrainingFormat,
    pub hours: i32,
    pub language: String,
    /// Months a certificate stays valid (none: never expires).
    pub validity_months: Option<i32>,
    pub description: Option<String>,
}

impl PublishTrainingCourseInput {
    pub fn spec(self) -> CourseSpec {
        CourseSpec {
            title: self.title,
            topic: self.topic,
            audience_roles: self.audience_roles,
            audience_seats: self.audience_seats,
            format: self.format,
            hours: self.hours,
            language: self.language,
            validity_months: self.validity_months,
            description: self.description,
        }
    }
}

/// A session to open.
#[derive(InputObject)]
#[graphql(visible = "crate::training_visible")]
pub struct OpenTrainingSessionInput {
    pub course_id: ID,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Where it is held (in person), or
    pub place: Option<String>,
    /// the link (online); at least one of them.
    pub link: Option<String>,
    pub trainer: String,
    pub capacity: i32,
}

impl OpenTrainingSessionInput {
    pub fn spec(self) -> Result<SessionSpec> {
        Ok(SessionSpec {
            course_id: ids::decode_as(&self.course_id, "TrainingCourse", "input.courseId")?,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            place: self.place,
            link: self.link,
            trainer: self.trainer,
            capacity: self.capacity,
        })
    }
}
