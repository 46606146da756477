//! Tasks for the seven on a case.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::conference::CaseConference;
use super::mahalla_loaders;
use super::roster::MahallaMember;
use crate::case::graphql::{Case, case_of};
use crate::db::now;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::mahalla::entity::{TaskStatus, task};
use crate::mahalla::tasks::{self as service, NewTask, TaskFilter};
use crate::pagination::Conn;
use crate::user::graphql::User;

/// A task given to a member of the seven on a case.
pub struct MahallaTask(pub task::Model);

#[Object]
impl MahallaTask {
    pub async fn id(&self) -> ID {
        ids::encode("MahallaTask", self.0.id)
    }
    /// Incremented by every change; pass it as `expectedVersion` to change the record
    /// only if nobody else did meanwhile.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The case (absent if the caller may not see it).
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    /// The member of the seven the task is given to.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<MahallaMember>> {
        Ok(one(&mahalla_loaders(ctx)?.members, self.0.member_id)
            .await?
            .map(MahallaMember))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn details(&self) -> Option<&str> {
        self.0.details.as_deref()
    }
    async fn due_on(&self) -> NaiveDate {
        self.0.due_on
    }
    async fn status(&self) -> TaskStatus {
        self.0.status
    }
    /// Open and past its due date.
    async fn overdue(&self) -> bool {
        self.0.status == TaskStatus::Open && self.0.due_on < now().date_naive()
    }
    /// What the member did.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    async fn assigned_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.assigned_by).await?.map(User))
    }
    async fn assigned_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The conference whose decision gave the task, if any.
    async fn conference(&self, ctx: &Context<'_>) -> Result<Option<CaseConference>> {
        let Some(id) = self.0.conference_id else {
            return Ok(None);
        };
        super::conference::fetch_conference(ctx, id).await
    }
}

/// Fetch a task for `node(id)`.
pub async fn fetch_task(ctx: &Context<'_>, id: i64) -> Result<Option<MahallaTask>> {
    let p = principal(ctx)?;
    let Some(row) = one(&mahalla_loaders(ctx)?.tasks, id).await? else {
        return Ok(None);
    };
    if service::can_see(&state(ctx)?.db, p, &row).await? {
        Ok(Some(MahallaTask(row)))
    } else {
        Ok(None)
    }
}

/// Which tasks to list.
#[derive(InputObject, Default)]
pub struct MahallaTaskFilterInput {
    pub case_id: Option<ID>,
    pub member_id: Option<ID>,
    pub mahalla_id: Option<ID>,
    /// Any of these statuses.
    pub statuses: Option<Vec<TaskStatus>>,
    /// Open and past their due date.
    pub overdue_only: Option<bool>,
}

#[derive(Default)]
pub struct TaskQuery;

#[Object]
impl TaskQuery {
    /// Tasks of the seven the caller may see: a member sees their own; the officer and
    /// inspector of a case see its tasks. Newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn mahalla_tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<MahallaTaskFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<MahallaTask>> {
        let p = principal(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = TaskFilter {
            case_id: ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")?,
            member_id: ids::decode_opt(f.member_id.as_ref(), "MahallaMember", "filter.memberId")?,
            mahalla_id: ids::decode_opt(f.mahalla_id.as_ref(), "Mahalla", "filter.mahallaId")?,
            statuses: f.statuses.unwrap_or_default(),
            overdue_only: f.overdue_only.unwrap_or(false),
            mine_only: false,
        };
        let page = page(ctx, first, after)?;
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, MahallaTask))
    }

    /// The caller's own tasks as a member of the seven, across the cases of their
    /// mahalla. Newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn my_mahalla_tasks(
        &self,
        ctx: &Context<'_>,
        statuses: Option<Vec<TaskStatus>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<MahallaTask>> {
        let p = principal(ctx)?;
        let filter = TaskFilter {
            statuses: statuses.unwrap_or_default(),
            mine_only: true,
            ..Default::default()
        };
        let page = page(ctx, first, after)?;
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, MahallaTask))
    }
}

#[derive(InputObject)]
pub struct AssignMahallaTaskInput {
    pub case_id: ID,
    /// A member holding a seat of the case's mahalla.
    pub member_id: ID,
    pub title: String,
    pub details: Option<String>,
    pub due_on: NaiveDate,
}

#[derive(InputObject)]
pub struct CompleteMahallaTaskInput {
    pub id: ID,
    /// What was done.
    pub outcome: String,
    /// Refuse (CONFLICT, with the task as it is now) if the task is no longer at this version.
    pub expected_version: Option<i32>,
}

#[derive(InputObject)]
pub struct CancelMahallaTaskInput {
    pub id: ID,
    pub reason: String,
    /// Refuse (CONFLICT, with the task as it is now) if the task is no longer at this version.
    pub expected_version: Option<i32>,
}

#[derive(Default)]
pub struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Give a member of the seven a task on a case (its probation officer or prevention
    /// inspector).
    async fn assign_mahalla_task(
        &self,
        ctx: &Context<'_>,
        input: AssignMahallaTaskInput,
    ) -> Result<MahallaTask> {
        let p = principal(ctx)?;
        let new = NewTask {
            case_id: ids::decode_as(&input.case_id, "Case", "input.caseId")?,
            member_id: ids::decode_as(&input.member_id, "MahallaMember", "input.memberId")?,
            title: input.title,
            details: input.details,
            due_on: input.due_on,
        };
        Ok(MahallaTask(service::assign(&state(ctx)?.db, p, new).await?))
    }

    /// Record a task as done (only the member it is given to).
    async fn complete_mahalla_task(
        &self,
        ctx: &Context<'_>,
        input: CompleteMahallaTaskInput,
    ) -> Result<MahallaTask> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "MahallaTask", "input.id")?;
        Ok(MahallaTask(
            service::complete(&state(ctx)?.db, p, id, &input.outcome, input.expected_version).await?,
        ))
    }

    /// Withdraw a task (the case's officer or inspector).
    async fn cancel_mahalla_task(
        &self,
        ctx: &Context<'_>,
        input: CancelMahallaTaskInput,
    ) -> Result<MahallaTask> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "MahallaTask", "input.id")?;
        Ok(MahallaTask(
            service::cancel(&state(ctx)?.db, p, id, &input.reason, input.expected_version).await?,
        ))
    }
}
