//! An organisation's configuration of the module (`configureModule(config:)`): its
//! questionnaire, the grace period before a missed check-in expires, the reminder
//! before a window closes, how long photos are kept after each review outcome, and how
//! long an uploaded photo may wait for its check-in.

use hamkor_api::module::{ConfigError, parse_config};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::entity::IdentityOutcome;
use crate::questionnaire::{Question, check_questions, default_questions};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    #[serde(default = "default_questions")]
    pub questions: Vec<Question>,
    /// Hours after a window closes before the check-in expires (0–72).
    #[serde(default = "grace_hours")]
    pub grace_hours: u32,
    /// Hours before a window closes that the second reminder goes out (0: none).
    #[serde(default = "closing_reminder_hours")]
    pub closing_reminder_hours: u32,
    /// Days a photo is kept after a MATCH.
    #[serde(default = "retention_match")]
    pub photo_retention_days_match: u32,
    /// Days a photo is kept after NO_MATCH or CONCERN.
    #[serde(default = "retention_concern")]
    pub photo_retention_days_concern: u32,
    /// Hours an uploaded photo may wait for the check-in that names it; after that
    /// the sweep removes it from storage (1–720).
    #[serde(default = "orphan_photo_hours")]
    pub orphan_photo_hours: u32,
}

fn grace_hours() -> u32 {
    12
}
fn closing_reminder_hours() -> u32 {
    2
}
fn retention_match() -> u32 {
    28
}
fn retention_concern() -> u32 {
    365
}
fn orphan_photo_hours() -> u32 {
    24
}

impl Default for Config {
    fn default() -> Self {
        Self {
            questions: default_questions(),
            grace_hours: grace_hours(),
            closing_reminder_hours: closing_reminder_hours(),
            photo_retention_days_match: retention_match(),
            photo_retention_days_concern: retention_concern(),
            orphan_photo_hours: orphan_photo_hours(),
        }
    }
}

impl Config {
    /// Parse and check a stored or submitted configuration.
    pub fn parse(raw: &Json) -> Result<Self, ConfigError> {
        let filled = parse_config::<Config>(raw)?;
        let c: Config = serde_json::from_value(filled).map_err(|e| ConfigError(e.to_string()))?;
        check_questions(&c.questions).map_err(ConfigError)?;
        if c.grace_hours > 72 || c.closing_reminder_hours > 24 {
            return Err(ConfigError(
                "graceHours is at most 72, closingReminderHours at most 24".into(),
            ));
        }
        if !(1..=3650).contains(&c.photo_retention_days_match)
            || !(1..=3650).contains(&c.photo_retention_days_concern)
        {
            return Err(ConfigError("photo retention is 1 to 3650 days".into()));
        }
        if !(1..=720).contains(&c.orphan_photo_hours) {
            return Err(ConfigError("orphanPhotoHours is 1 to 720".into()));
        }
        Ok(c)
    }

    /// Days a photo is kept after `outcome`.
    pub fn retention_days(&self, outcome: IdentityOutcome) -> u32 {
        match outcome {
            IdentityOutcome::Match => self.photo_retention_days_match,
            IdentityOutcome::NoMatch | IdentityOutcome::Concern => self.photo_retention_days_concern,
        }
    }
}

/// The configuration of `organisation_id` (the defaults when it has none).
pub async fn of_organisation<C: sea_orm::ConnectionTrait>(db: &C, organisation_id: i64) -> Config {
    use hamkor_api::module::entity::organisation_module;
    use sea_orm::EntityTrait;
    let row = organisation_module::Entity::find_by_id((organisation_id, crate::ID.to_owned()))
        .one(db)
        .await;
    match row {
        Ok(Some(r)) => Config::parse(&r.config).unwrap_or_default(),
        _ => Config::default(),
    }
}

/// The organisations that have the module on (switched on, and not withdrawn from the
/// platform): the sweep reminds and expires only theirs, having no request's list of
/// enabled modules.
pub async fn organisations_on<C: sea_orm::ConnectionTrait>(db: &C) -> Result<Vec<i64>, sea_orm::DbErr> {
    use hamkor_api::module::entity::{module, organisation_module};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let withdrawn = module::Entity::find_by_id(crate::ID.to_owned())
        .one(db)
        .await?
        .is_some_and(|m| !m.available);
    if withdrawn {
        return Ok(Vec::new());
    }
    Ok(organisation_module::Entity::find()
        .filter(organisation_module::Column::ModuleId.eq(crate::ID))
        .filter(organisation_module::Column::Enabled.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.organisation_id)
        .collect())
}
