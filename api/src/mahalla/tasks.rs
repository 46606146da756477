//! Tasks the supervising agencies give members of the seven on a case ("the women's
//! activist visits the family"). The probation officer or prevention inspector of the
//! case assigns and cancels; the member whose task it is records what was done; a task
//! past its due date raises `mahalla.task_overdue` once.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::entity::{TaskStatus, member, task};
use super::roster::active_member;
use crate::access::{CaseAccess, cases_with_access, of_cases};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::case::service::get_for;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::sync::{records, version};
use crate::validate;

/// A task to give a member of the seven.
pub struct NewTask {
    pub case_id: i64,
    pub member_id: i64,
    pub title: String,
    pub details: Option<String>,
    pub due_on: NaiveDate,
}

/// Insert a task inside the caller's transaction: the case must be open and supervised
/// by the caller (at least `Supervise`), the member must hold a seat of the case's
/// mahalla today. `field` prefixes the names of offending input fields.
pub async fn insert(
    txn: &DatabaseTransaction,
    p: &Principal,
    new: NewTask,
    conference_id: Option<i64>,
    field: &str,
) -> ApiResult<task::Model> {
    let title = validate::required(&format!("{field}.title"), &new.title, validate::SHORT_TEXT)?;
    let details = validate::optional(
        &format!("{field}.details"),
        new.details.as_deref(),
        validate::LONG_TEXT,
    )?;
    let (c, _) = get_for(txn, p, new.case_id, CaseAccess::Supervise).await?;
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    if new.due_on < now().date_naive() {
        return Err(ApiError::bad_input(
            format!("{field}.dueOn"),
            "must not be in the past",
        ));
    }
    let m = active_member(txn, &format!("{field}.memberId"), new.member_id, c.mahalla_id).await?;
    let at = now();
    let row = task::ActiveModel {
        case_id: Set(c.id),
        mahalla_id: Set(c.mahalla_id),
        member_id: Set(m.id),
        title: Set(title),
        details: Set(details),
        due_on: Set(new.due_on),
        status: Set(TaskStatus::Open),
        outcome: Set(None),
        completed_at: Set(None),
        completed_by: Set(None),
        cancel_reason: Set(None),
        assigned_by: Set(p.user_id),
        conference_id: Set(conference_id),
        overdue_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("mahalla_task.assign")
            .target("MahallaTask", row.id)
            .case(c.id)
            .detail(json!({"memberId": m.id})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("mahalla.task_assigned", "MahallaTask", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"memberId": m.id, "dueOn": row.due_on})),
    )
    .await?;
    Ok(row)
}

/// Give a member of the seven a task on a case.
pub async fn assign(db: &DatabaseConnection, p: &Principal, new: NewTask) -> ApiResult<task::Model> {
    let txn = write_txn(db).await?;
    let row = insert(&txn, p, new, None, "input").await?;
    txn.commit().await?;
    Ok(row)
}

/// The task, for a change by its assignee or its case's supervisors.
async fn get_for_change<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    to: TaskStatus,
    expected_version: Option<i32>,
) -> ApiResult<(task::Model, member::Model)> {
    let row = task::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("MahallaTask"))?;
    let m = member::Entity::find_by_id(row.member_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("MahallaTask"))?;
    let mine = m.user_id == Some(p.user_id);
    let supervises = get_for(db, p, row.case_id, CaseAccess::Supervise).await.is_ok();
    if !mine && !supervises {
        return Err(ApiError::NotFound("MahallaTask"));
    }
    if row.status != TaskStatus::Open {
        return Err(ApiError::TransitionRefused {
            from: crate::enums::enum_name(row.status),
            to: crate::enums::enum_name(to),
            current: records::task(&row),
        });
    }
    version::expect(expected_version, row.version, || records::task(&row))?;
    Ok((row, m))
}

/// Claim the task's next version (CONFLICT when another change got there first).
async fn claim<C: ConnectionTrait>(db: &C, row: &task::Model) -> ApiResult<i32> {
    version::claim::<task::Entity, _>(
        db,
        task::Column::Id,
        task::Column::Version,
        row.id,
        row.version,
        || records::task(row),
    )
    .await
}

/// The member records what was done; only the member whose task it is may.
pub async fn complete(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    outcome: &str,
    expected_version: Option<i32>,
) -> ApiResult<task::Model> {
    let txn = write_txn(db).await?;
    let row = complete_in(&txn, p, id, outcome, expected_version).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`complete`] inside the caller's transaction (a synced change).
pub async fn complete_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    outcome: &str,
    expected_version: Option<i32>,
) -> ApiResult<task::Model> {
    let outcome = validate::required("input.outcome", outcome, validate::LONG_TEXT)?;
    let (row, m) = get_for_change(txn, p, id, TaskStatus::Done, expected_version).await?;
    if m.user_id != Some(p.user_id) {
        return Err(ApiError::Forbidden(
            "only the member the task is given to records it as done".into(),
        ));
    }
    let at = now();
    let case_id = row.case_id;
    let next = claim(txn, &row).await?;
    let mut active: task::ActiveModel = row.into();
    active.status = Set(TaskStatus::Done);
    active.outcome = Set(Some(outcome));
    active.completed_at = Set(Some(at));
    active.completed_by = Set(Some(p.user_id));
    active.updated_at = Set(at);
    active.version = Set(next);
    let row = active.update(txn).await?;
    finish(
        txn,
        p,
        &row,
        case_id,
        "mahalla_task.complete",
        events::event_type("mahalla.task_completed"),
    )
    .await?;
    Ok(row)
}

/// The officer or inspector of the case withdraws a task (the member may not).
pub async fn cancel(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    reason: &str,
    expected_version: Option<i32>,
) -> ApiResult<task::Model> {
    let reason = validate::required("input.reason", reason, validate::SHORT_TEXT)?;
    let txn = write_txn(db).await?;
    let (row, _) = get_for_change(&txn, p, id, TaskStatus::Cancelled, expected_version).await?;
    get_for(&txn, p, row.case_id, CaseAccess::Supervise)
        .await
        .map_err(|_| ApiError::Forbidden("only the case's officer or inspector cancels a task".into()))?;
    let case_id = row.case_id;
    let next = claim(&txn, &row).await?;
    let mut active: task::ActiveModel = row.into();
    active.version = Set(next);
    active.status = Set(TaskStatus::Cancelled);
    active.cancel_reason = Set(Some(reason));
    active.updated_at = Set(now());
    let row = active.update(&txn).await?;
    finish(
        &txn,
        p,
        &row,
        case_id,
        "mahalla_task.cancel",
        events::event_type("mahalla.task_cancelled"),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn finish(
    txn: &DatabaseTransaction,
    p: &Principal,
    row: &task::Model,
    case_id: i64,
    action: &'static str,
    event: &'static str,
) -> ApiResult<()> {
    audit::record(
        txn,
        p,
        Entry::new(action).target("MahallaTask", row.id).case(case_id),
    )
    .await?;
    let org = case::Entity::find_by_id(case_id)
        .one(txn)
        .await?
        .map(|c| c.organisation_id);
    let mut e = NewEvent::new(event, "MahallaTask", row.id)
        .case(case_id)
        .payload(json!({"memberId": row.member_id}));
    if let Some(org) = org {
        e = e.organisation(org);
    }
    events::emit(txn, Some(p), e).await?;
    Ok(())
}

/// Which tasks to list.
#[derive(Default)]
pub struct TaskFilter {
    pub case_id: Option<i64>,
    pub member_id: Option<i64>,
    pub mahalla_id: Option<i64>,
    pub statuses: Vec<TaskStatus>,
    /// Open and past their due date.
    pub overdue_only: bool,
    /// Only the caller's own tasks (as a member of the seven).
    pub mine_only: bool,
}

/// The SQL condition selecting the tasks the caller may see: their own (as a member
/// of the seven), and every task on the cases they supervise. A member never sees
/// another member's tasks.
pub fn visible(p: &Principal) -> Condition {
    Condition::any().add(own(p)).add(of_cases(
        task::Column::CaseId,
        cases_with_access(p, CaseAccess::Supervise),
    ))
}

/// The caller's own tasks: those of the seats they hold or held.
fn own(p: &Principal) -> SimpleExpr {
    task::Column::MemberId.in_subquery(
        Query::select()
            .column(member::Column::Id)
            .from(member::Entity)
            .and_where(Expr::col(member::Column::UserId).eq(p.user_id))
            .to_owned(),
    )
}

/// Whether the caller may see one task (the same rule as [`visible`]).
pub async fn can_see<C: ConnectionTrait>(db: &C, p: &Principal, t: &task::Model) -> ApiResult<bool> {
    let mine = member::Entity::find_by_id(t.member_id)
        .one(db)
        .await?
        .is_some_and(|m| m.user_id == Some(p.user_id));
    Ok(mine || get_for(db, p, t.case_id, CaseAccess::Supervise).await.is_ok())
}

/// Tasks the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: TaskFilter,
    page: Page,
) -> ApiResult<Paged<task::Model>> {
    let mut q = task::Entity::find().filter(visible(p));
    if let Some(c) = f.case_id {
        q = q.filter(task::Column::CaseId.eq(c));
    }
    if let Some(m) = f.member_id {
        q = q.filter(task::Column::MemberId.eq(m));
    }
    if let Some(m) = f.mahalla_id {
        q = q.filter(task::Column::MahallaId.eq(m));
    }
    if !f.statuses.is_empty() {
        q = q.filter(task::Column::Status.is_in(f.statuses));
    }
    if f.overdue_only {
        q = q
            .filter(task::Column::Status.eq(TaskStatus::Open))
            .filter(task::Column::DueOn.lt(now().date_naive()));
    }
    if f.mine_only {
        q = q.filter(own(p));
    }
    paginate(db, q, task::Column::Id, page, Order::Descending).await
}

/// Most overdue tasks flagged per transaction.
const OVERDUE_BATCH: u64 = 200;

/// Flag the open tasks due before `today` that are not flagged yet, each with one
/// `mahalla.task_overdue` event (written with the flag, so a task is reported once even
/// when several replicas sweep at the same time). Returns how many were flagged.
pub async fn mark_overdue(db: &DatabaseConnection, today: NaiveDate) -> ApiResult<usize> {
    let mut flagged = 0;
    loop {
        let txn = write_txn(db).await?;
        let due = task::Entity::find()
            .filter(task::Column::Status.eq(TaskStatus::Open))
            .filter(task::Column::OverdueAt.is_null())
            .filter(task::Column::DueOn.lt(today))
            .order_by_asc(task::Column::Id)
            .limit(OVERDUE_BATCH)
            .all(&txn)
            .await?;
        if due.is_empty() {
            txn.commit().await?;
            return Ok(flagged);
        }
        let at = now();
        for t in &due {
            // Compare-and-set: another sweeper may have flagged it since we read it.
            let res = task::Entity::update_many()
                .col_expr(task::Column::OverdueAt, Expr::value(at))
                .filter(task::Column::Id.eq(t.id))
                .filter(task::Column::OverdueAt.is_null())
                .exec(&txn)
                .await?;
            if res.rows_affected == 0 {
                continue;
            }
            let org = case::Entity::find_by_id(t.case_id)
                .one(&txn)
                .await?
                .map(|c| c.organisation_id);
            let mut e = NewEvent::new("mahalla.task_overdue", "MahallaTask", t.id)
                .case(t.case_id)
                .payload(json!({"memberId": t.member_id, "dueOn": t.due_on}));
            if let Some(org) = org {
                e = e.organisation(org);
            }
            events::emit(&txn, None, e).await?;
            flagged += 1;
        }
        txn.commit().await?;
        if (due.len() as u64) < OVERDUE_BATCH {
            return Ok(flagged);
        }
    }
}

/// Sweep for overdue tasks every `interval`, for ever.
pub async fn run_overdue_sweep(db: DatabaseConnection, interval: std::time::Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match mark_overdue(&db, now().date_naive()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tasks = n, "overdue mahalla tasks flagged"),
            Err(e) => tracing::warn!(error = ?e, "overdue task sweep failed; retrying"),
        }
    }
}
