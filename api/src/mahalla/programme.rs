//! A mahalla's prevention programme for a period: objectives and activities (family
//! visits, community events, legal-education talks, job fairs, sports and youth work)
//! with dates, place, the responsible member, the cases involved and the result.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;

use super::entity::{ActivityKind, ActivityStatus, activity, activity_case, programme};
use super::roster::active_member;
use crate::access::mahalla::{MahallaRight, readable, require};
use crate::access::visible_cases;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::validate;

/// Longest programme period.
const MAX_PERIOD_DAYS: i64 = 2 * 366;
/// Most cases one activity names.
pub const MAX_ACTIVITY_CASES: usize = 50;

/// A programme to draw up.
pub struct NewProgramme {
    pub mahalla_id: i64,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub objectives: String,
}

/// Draw up a mahalla's programme for a period that overlaps no other of its programmes.
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    new: NewProgramme,
) -> ApiResult<programme::Model> {
    let title = validate::required("input.title", &new.title, validate::SHORT_TEXT)?;
    let objectives = validate::required("input.objectives", &new.objectives, validate::LONG_TEXT)?;
    validate::date_range("input.periodEnd", new.period_start, new.period_end)?;
    if (new.period_end - new.period_start).num_days() > MAX_PERIOD_DAYS {
        return Err(ApiError::bad_input(
            "input.periodEnd",
            "a programme runs for at most two years",
        ));
    }
    let txn = write_txn(db).await?;
    let m = require(&txn, p, new.mahalla_id, MahallaRight::Work).await?;
    let overlapping = programme::Entity::find()
        .filter(programme::Column::MahallaId.eq(m.id))
        .filter(programme::Column::PeriodStart.lte(new.period_end))
        .filter(programme::Column::PeriodEnd.gte(new.period_start))
        .one(&txn)
        .await?;
    if let Some(o) = overlapping {
        return Err(ApiError::Conflict(format!(
            "the mahalla already has a programme from {} to {}",
            o.period_start, o.period_end
        )));
    }
    let at = now();
    let row = programme::ActiveModel {
        mahalla_id: Set(m.id),
        district_id: Set(m.district_id),
        region_id: Set(m.region_id),
        title: Set(title),
        period_start: Set(new.period_start),
        period_end: Set(new.period_end),
        objectives: Set(objectives),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("prevention_programme.create").target("PreventionProgramme", row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("mahalla.programme_created", "PreventionProgramme", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"mahallaId": m.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Load a programme with the caller's right in its mahalla at least `needed`.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    needed: MahallaRight,
) -> ApiResult<programme::Model> {
    let row = programme::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("PreventionProgramme"))?;
    require(db, p, row.mahalla_id, needed)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("PreventionProgramme"),
            other => other,
        })?;
    Ok(row)
}

/// An activity to plan.
pub struct NewActivity {
    pub programme_id: i64,
    pub kind: ActivityKind,
    pub title: String,
    pub planned_on: NaiveDate,
    pub place: Option<String>,
    pub responsible_member_id: Option<i64>,
    pub case_ids: Vec<i64>,
}

/// Plan an activity inside the programme's period. Cases it involves must be of the
/// mahalla and visible to the caller.
pub async fn add_activity(
    db: &DatabaseConnection,
    p: &Principal,
    new: NewActivity,
) -> ApiResult<activity::Model> {
    let title = validate::required("input.title", &new.title, validate::SHORT_TEXT)?;
    let place = validate::optional("input.place", new.place.as_deref(), validate::SHORT_TEXT)?;
    let mut case_ids = new.case_ids;
    case_ids.sort_unstable();
    case_ids.dedup();
    if case_ids.len() > MAX_ACTIVITY_CASES {
        return Err(ApiError::bad_input(
            "input.caseIds",
            format!("an activity names at most {MAX_ACTIVITY_CASES} cases"),
        ));
    }
    let txn = write_txn(db).await?;
    let prog = get(&txn, p, new.programme_id, MahallaRight::Work).await?;
    if new.planned_on < prog.period_start || new.planned_on > prog.period_end {
        return Err(ApiError::bad_input(
            "input.plannedOn",
            "must fall within the programme's period",
        ));
    }
    if let Some(mid) = new.responsible_member_id {
        active_member(&txn, "input.responsibleMemberId", mid, prog.mahalla_id).await?;
    }
    if !case_ids.is_empty() {
        let found = case::Entity::find()
            .filter(case::Column::Id.is_in(case_ids.clone()))
            .filter(case::Column::MahallaId.eq(prog.mahalla_id))
            .filter(visible_cases(p))
            .all(&txn)
            .await?;
        if found.len() != case_ids.len() {
            return Err(ApiError::bad_input(
                "input.caseIds",
                "every case must be a case of this mahalla you can see",
            ));
        }
    }
    let at = now();
    let row = activity::ActiveModel {
        programme_id: Set(prog.id),
        kind: Set(new.kind),
        title: Set(title),
        planned_on: Set(new.planned_on),
        place: Set(place),
        responsible_member_id: Set(new.responsible_member_id),
        status: Set(ActivityStatus::Planned),
        done_on: Set(None),
        result: Set(None),
        participants: Set(None),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !case_ids.is_empty() {
        activity_case::Entity::insert_many(case_ids.iter().map(|c| activity_case::ActiveModel {
            activity_id: Set(row.id),
            case_id: Set(*c),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    audit::record(
        &txn,
        p,
        Entry::new("programme_activity.create")
            .target("ProgrammeActivity", row.id)
            .detail(json!({"programmeId": prog.id, "cases": case_ids.len()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("mahalla.activity_planned", "ProgrammeActivity", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"programmeId": prog.id, "kind": enum_name(row.kind)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// What was done at an activity, or that it was called off.
pub struct ActivityReport {
    pub status: ActivityStatus,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub participants: Option<i32>,
}

/// Record a planned activity as DONE (with its date and result) or CANCELLED.
pub async fn record_activity(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    report: ActivityReport,
) -> ApiResult<activity::Model> {
    let result = validate::optional("input.result", report.result.as_deref(), validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let row = activity::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("ProgrammeActivity"))?;
    let prog = get(&txn, p, row.programme_id, MahallaRight::Work)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("ProgrammeActivity"),
            other => other,
        })?;
    if row.status != ActivityStatus::Planned || report.status == ActivityStatus::Planned {
        return Err(ApiError::InvalidTransition {
            from: enum_name(row.status),
            to: enum_name(report.status),
        });
    }
    let mut active: activity::ActiveModel = row.into();
    if report.status == ActivityStatus::Done {
        let Some(done_on) = report.done_on else {
            return Err(ApiError::bad_input("input.doneOn", "say when it was done"));
        };
        if done_on > now().date_naive() || done_on < prog.period_start {
            return Err(ApiError::bad_input(
                "input.doneOn",
                "must be within the programme's period and not in the future",
            ));
        }
        if result.is_none() {
            return Err(ApiError::bad_input("input.result", "say what came of it"));
        }
        if report.participants.is_some_and(|n| !(0..=100_000).contains(&n)) {
            return Err(ApiError::bad_input(
                "input.participants",
                "must be between 0 and 100000",
            ));
        }
        active.done_on = Set(Some(done_on));
        active.participants = Set(report.participants);
    }
    active.status = Set(report.status);
    active.result = Set(result);
    active.updated_at = Set(now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("programme_activity.record")
            .target("ProgrammeActivity", row.id)
            .detail(json!({"status": enum_name(row.status)})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("mahalla.activity_recorded", "ProgrammeActivity", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"programmeId": prog.id, "status": enum_name(row.status)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Programmes of a mahalla (or of every mahalla the caller may read), newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    mahalla_id: Option<i64>,
    page: Page,
) -> ApiResult<Paged<programme::Model>> {
    let mut q = programme::Entity::find().filter(readable(
        p,
        programme::Column::RegionId,
        programme::Column::DistrictId,
        programme::Column::MahallaId,
    ));
    if let Some(m) = mahalla_id {
        q = q.filter(programme::Column::MahallaId.eq(m));
    }
    paginate(db, q, programme::Column::Id, page, Order::Descending).await
}

/// Activities of a programme in the order they were planned (by id).
pub async fn activities(
    db: &DatabaseConnection,
    p: &Principal,
    programme_id: i64,
    status: Option<ActivityStatus>,
    page: Page,
) -> ApiResult<Paged<activity::Model>> {
    get(db, p, programme_id, MahallaRight::Read).await?;
    let mut q = activity::Entity::find().filter(activity::Column::ProgrammeId.eq(programme_id));
    if let Some(s) = status {
        q = q.filter(activity::Column::Status.eq(s));
    }
    paginate(db, q, activity::Column::Id, page, Order::Ascending).await
}

/// Cases an activity involves that the caller may see.
pub async fn activity_cases(
    db: &DatabaseConnection,
    p: &Principal,
    activity_id: i64,
) -> ApiResult<Vec<case::Model>> {
    Ok(case::Entity::find()
        .filter(
            case::Column::Id.in_subquery(
                Query::select()
                    .column(activity_case::Column::CaseId)
                    .from(activity_case::Entity)
                    .and_where(Expr::col(activity_case::Column::ActivityId).eq(activity_id))
                    .to_owned(),
            ),
        )
        .filter(visible_cases(p))
        .all(db)
        .await?)
}

/// Counts of one kind of activity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindProgress {
    pub kind: Option<ActivityKind>,
    pub planned: i64,
    pub done: i64,
    pub cancelled: i64,
    /// Still planned with their date passed.
    pub overdue: i64,
}

/// A programme at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: KindProgress,
    pub by_kind: Vec<KindProgress>,
    /// Distinct cases named by activities done.
    pub cases_reached: i64,
    /// Participants counted at activities done.
    pub participants: i64,
}

/// Progress of programmes on `today`, counted in the database: three grouped queries
/// for any number of programmes (the programme loader batches a page of them).
pub async fn progress_of<C: ConnectionTrait>(
    db: &C,
    programme_ids: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, Progress>, sea_orm::DbErr> {
    use activity::Column as A;
    let ids = programme_ids.iter().copied();
    let counts: Vec<(i64, ActivityKind, ActivityStatus, i64, Option<i64>)> = activity::Entity::find()
        .select_only()
        .column(A::ProgrammeId)
        .column(A::Kind)
        .column(A::Status)
        .column_as(Expr::col(A::Id).count(), "n")
        .column_as(Expr::col(A::Participants).sum(), "people")
        .filter(A::ProgrammeId.is_in(ids.clone()))
        .group_by(A::ProgrammeId)
        .group_by(A::Kind)
        .group_by(A::Status)
        .into_tuple()
        .all(db)
        .await?;
    let overdue: Vec<(i64, ActivityKind, i64)> = activity::Entity::find()
        .select_only()
        .column(A::ProgrammeId)
        .column(A::Kind)
        .column_as(Expr::col(A::Id).count(), "n")
        .filter(A::ProgrammeId.is_in(ids.clone()))
        .filter(A::Status.eq(ActivityStatus::Planned))
        .filter(A::PlannedOn.lt(today))
        .group_by(A::ProgrammeId)
        .group_by(A::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let reached: Vec<(i64, i64)> = activity_case::Entity::find()
        .select_only()
        .column_as(Expr::col((activity::Entity, A::ProgrammeId)), "programme_id")
        .column_as(
            Expr::col((activity_case::Entity, activity_case::Column::CaseId)).count_distinct(),
            "n",
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            activity_case::Entity::belongs_to(activity::Entity)
                .from(activity_case::Column::ActivityId)
                .to(A::Id)
                .into(),
        )
        .filter(Expr::col((activity::Entity, A::ProgrammeId)).is_in(ids))
        .filter(Expr::col((activity::Entity, A::Status)).eq(ActivityStatus::Done))
        .group_by(Expr::col((activity::Entity, A::ProgrammeId)))
        .into_tuple()
        .all(db)
        .await?;

    let mut out: HashMap<i64, Progress> = programme_ids
        .iter()
        .map(|id| (*id, Progress::default()))
        .collect();
    let kind_of = |p: &mut Progress, kind: ActivityKind| -> usize {
        match p.by_kind.iter().position(|k| k.kind == Some(kind)) {
            Some(i) => i,
            None => {
                p.by_kind.push(KindProgress {
                    kind: Some(kind),
                    ..Default::default()
                });
                p.by_kind.len() - 1
            }
        }
    };
    for (programme, kind, status, n, people) in counts {
        let p = out.entry(programme).or_default();
        let i = kind_of(p, kind);
        let (k, t) = (&mut p.by_kind[i], &mut p.total);
        match status {
            ActivityStatus::Planned => {
                k.planned += n;
                t.planned += n;
            }
            ActivityStatus::Done => {
                k.done += n;
                t.done += n;
                p.participants += people.unwrap_or(0);
            }
            ActivityStatus::Cancelled => {
                k.cancelled += n;
                t.cancelled += n;
            }
        }
    }
    for (programme, kind, n) in overdue {
        let p = out.entry(programme).or_default();
        let i = kind_of(p, kind);
        p.by_kind[i].overdue += n;
        p.total.overdue += n;
    }
    for (programme, n) in reached {
        out.entry(programme).or_default().cases_reached = n;
    }
    for p in out.values_mut() {
        p.by_kind.sort_by_key(|k| k.kind.map(|kind| kind as u8));
    }
    Ok(out)
}
