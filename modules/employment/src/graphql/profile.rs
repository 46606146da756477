//! The job-seeker profile of a case.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::case::graphql::{Case, case_of};
use hamkor_api::ids;
use hamkor_api::loaders::children;
use hamkor_api::module::ModuleGuard;

use crate::ID as MODULE;
use crate::entity::{Barrier, EducationLevel, WorkReadiness, profile};
use crate::loaders::employment_loaders;
use crate::service::profiles::{Job, ProfileSpec, strings};

/// A skill a person has.
#[derive(SimpleObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct SeekerSkill {
    pub name: String,
    /// 1 (beginner) to 5 (expert).
    pub level: i32,
}

/// A job a person held.
#[derive(SimpleObject)]
#[graphql(name = "PastJob", visible = "crate::employment_visible")]
pub struct PastJobOut {
    pub employer: String,
    pub title: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// What a person under supervision brings to work, and what stands in the way.
pub struct JobSeekerProfile(pub profile::Model);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl JobSeekerProfile {
    async fn id(&self) -> ID {
        ids::encode("JobSeekerProfile", self.0.id)
    }
    /// The case, for callers who may see it.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn education(&self) -> Option<EducationLevel> {
        self.0.education
    }
    async fn readiness(&self) -> WorkReadiness {
        self.0.readiness
    }
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<SeekerSkill>> {
        Ok(children(&employment_loaders(ctx)?.profile_skills, self.0.id)
            .await?
            .into_iter()
            .map(|s| SeekerSkill {
                name: s.skill,
                level: s.level,
            })
            .collect())
    }
    /// ISCO-08 unit groups wanted.
    async fn desired_occupations(&self) -> Vec<String> {
        strings(&self.0.desired_occupations)
    }
    async fn languages(&self) -> Vec<String> {
        strings(&self.0.languages)
    }
    async fn barriers(&self) -> Vec<Barrier> {
        strings(&self.0.barriers)
            .iter()
            .filter_map(|b| Barrier::from_name(b))
            .collect()
    }
    async fn work_history(&self) -> Vec<PastJobOut> {
        serde_json::from_value::<Vec<Job>>(self.0.work_history.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|j| PastJobOut {
                employer: j.employer,
                title: j.title,
                from: j.from,
                until: j.until,
            })
            .collect()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
#[derive(InputObject)]
#[graphql(name = "SeekerSkillInput", visible = "crate::employment_visible")]
pub struct SkillInput {
    pub name: String,
    /// 1 (beginner) to 5 (expert).
    pub level: i32,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct PastJobInput {
    pub employer: String,
    pub title: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::employment_visible")]
pub struct JobSeekerProfileInput {
    pub education: Option<EducationLevel>,
    pub readiness: WorkReadiness,
    #[graphql(default)]
    pub skills: Vec<SkillInput>,
    /// ISCO-08 unit groups.
    #[graphql(default)]
    pub desired_occupations: Vec<String>,
    #[graphql(default)]
    pub languages: Vec<String>,
    #[graphql(default)]
    pub barriers: Vec<Barrier>,
    #[graphql(default)]
    pub work_history: Vec<PastJobInput>,
}

impl JobSeekerProfileInput {
    /// The profile as the service takes it.
    pub fn spec(self) -> ProfileSpec {
        ProfileSpec {
            education: self.education,
            readiness: self.readiness,
            skills: self.skills.into_iter().map(|s| (s.name, s.level)).collect(),
            desired_occupations: self.desired_occupations,
            languages: self.languages,
            barriers: self.barriers,
            work_history: self
                .work_history
                .into_iter()
                .map(|j| Job {
                    employer: j.employer,
                    title: j.title,
                    from: j.from,
                    until: j.until,
                })
                .collect(),
        }
    }
}
