//! What a partner may know of a referred person.

use async_graphql::{Context, Object, Result};
use chrono::{Datelike, NaiveDate};

use crate::case::graphql::CaseCondition;
use crate::consent::entity::DataScope;
use crate::db::now;
use crate::graphql::context::loaders;
use crate::loaders::{children, one};
use crate::person::entity::Sex;
use crate::territory::graphql::Mahalla;

/// The minimum a partner needs to know of a referred person. Fields outside the
/// consent's data scope are null.
pub struct ReferralSubject {
    pub(super) scope: Vec<DataScope>,
    pub(super) person: crate::person::entity::Model,
    pub(super) case_id: i64,
    pub(super) sentence_end: NaiveDate,
}

impl ReferralSubject {
    fn has(&self, s: DataScope) -> bool {
        self.scope.contains(&s)
    }
}

#[Object]
impl ReferralSubject {
    /// The data the partner may see.
    async fn data_scope(&self) -> &[DataScope] {
        &self.scope
    }
    async fn full_name(&self) -> String {
        self.person.full_name()
    }
    async fn birth_year(&self) -> i32 {
        self.person.birth_date.year()
    }
    async fn sex(&self) -> Option<Sex> {
        self.person.sex
    }
    /// CONTACT scope.
    async fn phone(&self) -> Option<&str> {
        self.has(DataScope::Contact)
            .then_some(self.person.phone.as_deref())
            .flatten()
    }
    /// CONTACT scope: the mahalla of residence.
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        if !self.has(DataScope::Contact) {
            return Ok(None);
        }
        Ok(one(&loaders(ctx)?.mahallas, self.person.mahalla_id)
            .await?
            .map(Mahalla))
    }
    /// SENTENCE_CONDITIONS scope.
    async fn sentence_end(&self) -> Option<NaiveDate> {
        self.has(DataScope::SentenceConditions)
            .then_some(self.sentence_end)
    }
    /// SENTENCE_CONDITIONS scope: the conditions in force today (curfew, travel limits).
    async fn conditions(&self, ctx: &Context<'_>) -> Result<Option<Vec<CaseCondition>>> {
        if !self.has(DataScope::SentenceConditions) {
            return Ok(None);
        }
        let rows = children(&loaders(ctx)?.conditions_by_case, self.case_id).await?;
        let today = now().date_naive();
        Ok(Some(
            rows.into_iter()
                .map(CaseCondition)
                .filter(|c| c.in_force(today))
                .collect(),
        ))
    }
    /// REHABILITATION_PLAN scope: the plan's goals, as described.
    async fn plan_goals(&self, ctx: &Context<'_>) -> Result<Option<Vec<String>>> {
        if !self.has(DataScope::RehabilitationPlan) {
            return Ok(None);
        }
        let l = loaders(ctx)?;
        let mut out = Vec::new();
        for plan in children(&l.plan_by_case, self.case_id).await? {
            for goal in children(&l.goals_by_plan, plan.id).await? {
                out.push(goal.description);
            }
        }
        Ok(Some(out))
    }
}
