//! GraphQL types and operations of rehabilitation plans.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::EntityTrait;

use super::entity::{ActionStatus, GoalDomain, GoalStatus, PlanStatus, action, goal, plan};
use super::service::{self, ActionPatch};
use crate::access::{CaseAccess, case_access};
use crate::case::graphql::Case;
use crate::error::ApiError;
use crate::graphql::context::{loaders, principal, state};
use crate::ids;
use crate::loaders::{children, one};
use crate::organisation::graphql::Organisation;
use crate::user::graphql::User;
use crate::validate;

/// The individual rehabilitation plan of a case.
pub struct RehabilitationPlan {
    pub model: plan::Model,
    pub access: CaseAccess,
    pub case_organisation_id: i64,
}

#[Object]
impl RehabilitationPlan {
    pub async fn id(&self) -> ID {
        ids::encode("RehabilitationPlan", self.model.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        Ok(one(&loaders(ctx)?.cases, self.model.case_id)
            .await?
            .map(|model| Case {
                model,
                access: self.access,
            }))
    }
    async fn status(&self) -> PlanStatus {
        self.model.status
    }
    async fn summary(&self) -> Option<&str> {
        self.model.summary.as_deref()
    }
    /// Goals, in the order they were set.
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<PlanGoal>> {
        let rows = children(&loaders(ctx)?.goals_by_plan, self.model.id).await?;
        Ok(rows.into_iter().map(PlanGoal).collect())
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.model.created_by).await?.map(User))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.model.activated_at
    }
}

/// A goal of the plan in one domain of life.
pub struct PlanGoal(pub goal::Model);

#[Object]
impl PlanGoal {
    pub async fn id(&self) -> ID {
        ids::encode("PlanGoal", self.0.id)
    }
    async fn domain(&self) -> GoalDomain {
        self.0.domain
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> GoalStatus {
        self.0.status
    }
    async fn target_date(&self) -> Option<NaiveDate> {
        self.0.target_date
    }
    /// Actions towards the goal, in the order they were added.
    async fn actions(&self, ctx: &Context<'_>) -> Result<Vec<PlanAction>> {
        let rows = children(&loaders(ctx)?.actions_by_goal, self.0.id).await?;
        Ok(rows.into_iter().map(PlanAction).collect())
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A step towards a goal, owned by one organisation.
pub struct PlanAction(pub action::Model);

#[Object]
impl PlanAction {
    pub async fn id(&self) -> ID {
        ids::encode("PlanAction", self.0.id)
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The organisation responsible for the action.
    async fn owner_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.owner_organisation_id)
            .await?
            .map(Organisation))
    }
    async fn due_date(&self) -> Option<NaiveDate> {
        self.0.due_date
    }
    async fn status(&self) -> ActionStatus {
        self.0.status
    }
    /// Past its due date and not finished.
    async fn overdue(&self) -> bool {
        matches!(self.0.status, ActionStatus::Planned | ActionStatus::InProgress)
            && self.0.due_date.is_some_and(|d| d < crate::db::now().date_naive())
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    async fn completed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.completed_by else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
}

/// Fetch a plan of a case the caller may see.
pub async fn fetch_plan(ctx: &Context<'_>, id: i64) -> Result<Option<RehabilitationPlan>> {
    let p = principal(ctx)?;
    let l = loaders(ctx)?;
    let Some(model) = one(&l.plans, id).await? else {
        return Ok(None);
    };
    let Some(c) = one(&l.cases, model.case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &c).map(|access| RehabilitationPlan {
        model,
        access,
        case_organisation_id: c.organisation_id,
    }))
}

/// Fetch a goal of a case the caller may see.
pub async fn fetch_goal(ctx: &Context<'_>, id: i64) -> Result<Option<PlanGoal>> {
    let p = principal(ctx)?;
    let l = loaders(ctx)?;
    let Some(g) = one(&l.goals, id).await? else {
        return Ok(None);
    };
    let Some(c) = one(&l.cases, g.case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &c).map(|_| PlanGoal(g)))
}

/// Fetch an action of a case the caller may see.
pub async fn fetch_action(ctx: &Context<'_>, id: i64) -> Result<Option<PlanAction>> {
    let p = principal(ctx)?;
    let Some(a) = action::Entity::find_by_id(id)
        .one(&state(ctx)?.db)
        .await
        .map_err(ApiError::from)?
    else {
        return Ok(None);
    };
    let Some(c) = one(&loaders(ctx)?.cases, a.case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &c).map(|_| PlanAction(a)))
}

#[derive(InputObject)]
pub struct AddPlanGoalInput {
    pub plan_id: ID,
    pub domain: GoalDomain,
    pub description: String,
    pub target_date: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct UpdatePlanGoalInput {
    pub status: Option<GoalStatus>,
    pub description: Option<String>,
    pub target_date: MaybeUndefined<NaiveDate>,
}

#[derive(InputObject)]
pub struct AddPlanActionInput {
    pub goal_id: ID,
    pub description: String,
    /// The organisation responsible for the action.
    pub owner_organisation_id: ID,
    pub due_date: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct UpdatePlanActionInput {
    pub status: Option<ActionStatus>,
    pub description: Option<String>,
    pub due_date: MaybeUndefined<NaiveDate>,
}

fn undefined_or<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(x) => Some(Some(x)),
    }
}

async fn wrap_plan(ctx: &Context<'_>, model: plan::Model) -> Result<RehabilitationPlan> {
    let p = principal(ctx)?;
    let c = one(&loaders(ctx)?.cases, model.case_id)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    Ok(RehabilitationPlan {
        access: case_access(p, &c).unwrap_or(CaseAccess::Community),
        case_organisation_id: c.organisation_id,
        model,
    })
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Draw up the rehabilitation plan of a case (lead probation officer). It starts DRAFT.
    async fn create_rehabilitation_plan(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        summary: Option<String>,
    ) -> Result<RehabilitationPlan> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let row = service::create_plan(&state(ctx)?.db, p, case_id, summary.as_deref()).await?;
        wrap_plan(ctx, row).await
    }

    /// Move the plan DRAFT → ACTIVE → CLOSED, or change its summary.
    async fn update_rehabilitation_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: Option<PlanStatus>,
        #[graphql(desc = "Omit to keep, null to clear.")] summary: MaybeUndefined<String>,
    ) -> Result<RehabilitationPlan> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "RehabilitationPlan", "id")?;
        let row = service::update_plan(&state(ctx)?.db, p, id, status, undefined_or(summary)).await?;
        wrap_plan(ctx, row).await
    }

    /// Add a goal to a plan.
    async fn add_plan_goal(&self, ctx: &Context<'_>, input: AddPlanGoalInput) -> Result<PlanGoal> {
        let p = principal(ctx)?;
        let plan_id = ids::decode_as(&input.plan_id, "RehabilitationPlan", "input.planId")?;
        let row = service::add_goal(
            &state(ctx)?.db,
            p,
            plan_id,
            input.domain,
            &input.description,
            input.target_date,
        )
        .await?;
        Ok(PlanGoal(row))
    }

    /// Change a goal's status, description or target date.
    async fn update_plan_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePlanGoalInput,
    ) -> Result<PlanGoal> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "PlanGoal", "id")?;
        let row = service::update_goal(
            &state(ctx)?.db,
            p,
            id,
            input.status,
            input.description.as_deref(),
            undefined_or(input.target_date),
        )
        .await?;
        Ok(PlanGoal(row))
    }

    /// Add an action under a goal, owned by an organisation.
    async fn add_plan_action(&self, ctx: &Context<'_>, input: AddPlanActionInput) -> Result<PlanAction> {
        let p = principal(ctx)?;
        let goal_id = ids::decode_as(&input.goal_id, "PlanGoal", "input.goalId")?;
        let owner = ids::decode_as(
            &input.owner_organisation_id,
            "Organisation",
            "input.ownerOrganisationId",
        )?;
        let description = validate::required("input.description", &input.description, 2_000)?;
        let row =
            service::add_action(&state(ctx)?.db, p, goal_id, &description, owner, input.due_date).await?;
        Ok(PlanAction(row))
    }

    /// Update an action: the lead officer changes anything; the owning organisation moves
    /// its status (PLANNED → IN_PROGRESS → DONE, or CANCELLED).
    async fn update_plan_action(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePlanActionInput,
    ) -> Result<PlanAction> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "PlanAction", "id")?;
        let patch = ActionPatch {
            status: input.status,
            description: input.description,
            due_date: undefined_or(input.due_date),
        };
        let row = service::update_action(&state(ctx)?.db, p, id, patch).await?;
        Ok(PlanAction(row))
    }
}
