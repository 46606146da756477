//! Matching as the API shows it: vacancies ranked for a person, people ranked for a
//! vacancy, each with its score explained.

use async_graphql::{Context, ID, InputObject, Object, OutputType};
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::state;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::{Conn, Paged};
use hamkor_api::referral::graphql::Referral;
use hamkor_api::territory::resolve::place_of;

use super::profile::JobSeekerProfile;
use super::vacancy::Vacancy;
use crate::ID as MODULE;
use crate::loaders::employment_loaders;
use crate::matching::{FactorScore, VacancySearch};
use crate::service::candidates::Candidate;
use crate::service::matches;
use crate::service::vacancy_search::occupation_prefix;

/// A ranked page as a connection whose cursors are positions.
pub fn ranked_connection<T, N: OutputType>(rows: Paged<(i64, T)>, to_node: impl Fn(T) -> N) -> Conn<N> {
    rows.into_connection(|(pos, _)| *pos, |(_, n)| to_node(n))
}

/// A vacancy ranked for one person, with the reasons.
pub struct VacancyMatch(pub matches::VacancyMatch);

impl VacancyMatch {
    /// The request's loaders learn the vacancies and skills of `rows` (the fields of a
    /// match's vacancy read them there).
    pub async fn prime(ctx: &Context<'_>, rows: &Paged<(i64, matches::VacancyMatch)>) -> ApiResult<()> {
        let l = employment_loaders(ctx)?;
        l.vacancies
            .feed_many(rows.rows.iter().map(|(_, m)| (m.vacancy.id, m.vacancy.clone())))
            .await;
        l.vacancy_skills
            .feed_many(rows.rows.iter().map(|(_, m)| (m.vacancy.id, m.skills.clone())))
            .await;
        Ok(())
    }
}

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl VacancyMatch {
    async fn vacancy(&self) -> Vacancy {
        Vacancy(self.0.vacancy.clone())
    }
    /// The sum of the factors' points.
    async fn score(&self) -> f64 {
        self.0.judged.score
    }
    /// The score of a perfect match (the sum of the weights).
    async fn max_score(&self) -> i32 {
        i32::try_from(self.0.max).unwrap_or(i32::MAX)
    }
    /// Nothing in the sentence or the employer's stance rules it out.
    async fn fits(&self) -> bool {
        self.0.judged.conflicts.is_empty()
    }
    /// Why it is ruled out (curfew, area, an employer that does not hire people with a
    /// record).
    async fn conflicts(&self) -> &[String] {
        &self.0.judged.conflicts
    }
    /// Each factor's share of the score, with its reason.
    async fn factors(&self) -> &[FactorScore] {
        &self.0.judged.factors
    }
}

/// A person ranked for one vacancy.
pub struct VacancyCandidate(pub Candidate);

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl VacancyCandidate {
    /// The employment referral through which the caller works with the person (its
    /// `subject` tells who they are, within the person's consent).
    async fn referral(&self) -> Referral {
        Referral(self.0.referral.clone())
    }
    async fn profile(&self) -> Option<JobSeekerProfile> {
        self.0.profile.clone().map(JobSeekerProfile)
    }
    async fn score(&self) -> f64 {
        self.0.judged.score
    }
    async fn max_score(&self) -> i32 {
        i32::try_from(self.0.max).unwrap_or(i32::MAX)
    }
    async fn fits(&self) -> bool {
        self.0.judged.conflicts.is_empty()
    }
    async fn conflicts(&self) -> &[String] {
        &self.0.judged.conflicts
    }
    async fn factors(&self) -> &[FactorScore] {
        &self.0.judged.factors
    }
}

#[derive(InputObject, Default)]
#[graphql(name = "EmploymentMatchFilter", visible = "crate::employment_visible")]
pub struct MatchFilter {
    /// Only workplaces in this Region, District or Mahalla.
    pub territory_id: Option<ID>,
    /// ISCO code prefix.
    pub occupation: Option<String>,
    /// At least this monthly wage (by the vacancy's upper bound), so'm.
    pub min_wage_uzs: Option<i32>,
    /// Also list vacancies the sentence rules out (after every fitting one, flagged).
    #[graphql(default)]
    pub include_conflicting: bool,
    /// Search the whole country. Without it (and without `territoryId`) the search
    /// stays within the person's region.
    #[graphql(default)]
    pub anywhere: bool,
}

impl MatchFilter {
    /// The search as the service takes it.
    pub async fn resolve(self, ctx: &Context<'_>) -> ApiResult<VacancySearch> {
        Ok(VacancySearch {
            place: match &self.territory_id {
                Some(id) => Some(place_of(&state(ctx)?.db, id, "filter.territoryId").await?),
                None => None,
            },
            occupation: occupation_prefix(self.occupation, "filter.occupation")?,
            min_wage_uzs: self.min_wage_uzs.map(i64::from),
            include_conflicting: self.include_conflicting,
            anywhere: self.anywhere,
        })
    }
}
