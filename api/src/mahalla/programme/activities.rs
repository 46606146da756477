//! Activities of a programme: planned inside its period with the cases they involve,
//! then recorded as done (with date, result and participants) or called off.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::access::mahalla::{MahallaRight, readable};
use crate::access::visible_cases;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::mahalla::entity::{ActivityKind, ActivityStatus, activity, activity_case, programme};
use crate::mahalla::roster::active_member;
use crate::sync::{records, version};
use crate::validate;

use super::{MAX_ACTIVITY_CASES, get};

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
    /// The version the change started from: CONFLICT (with the activity as it is) when
    /// it moved on since.
    pub expected_version: Option<i32>,
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
    if report.status == ActivityStatus::Planned {
        return Err(ApiError::InvalidTransition {
            from: enum_name(row.status),
            to: enum_name(report.status),
        });
    }
    if row.status != ActivityStatus::Planned {
        // Recorded or called off meanwhile: the activity as it is now.
        return Err(ApiError::TransitionRefused {
            from: enum_name(row.status),
            to: enum_name(report.status),
            current: records::activity(&row),
        });
    }
    version::expect(report.expected_version, row.version, || records::activity(&row))?;
    let next = version::claim::<activity::Entity, _>(
        &txn,
        activity::Column::Id,
        activity::Column::Version,
        row.id,
        row.version,
        || records::activity(&row),
    )
    .await?;
    let mut active: activity::ActiveModel = row.into();
    active.version = Set(next);
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

/// The activities (with `status`, when given) of the programmes the caller may read: a
/// programme's activities list is this, under its programme, in the order they were
/// planned (by id).
pub fn readable_activities(p: &Principal, status: Option<ActivityStatus>) -> Condition {
    let programmes = Query::select()
        .column(programme::Column::Id)
        .from(programme::Entity)
        .cond_where(readable(
            p,
            programme::Column::RegionId,
            programme::Column::DistrictId,
            programme::Column::MahallaId,
        ))
        .to_owned();
    let mut cond = Condition::all().add(activity::Column::ProgrammeId.in_subquery(programmes));
    if let Some(s) = status {
        cond = cond.add(activity::Column::Status.eq(s));
    }
    cond
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
