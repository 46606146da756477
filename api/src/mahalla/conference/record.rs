//! Recording a held conference: attendance, minutes and decisions in one transaction,
//! each decision becoming an owned task for a member of the seven and/or a plan action.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::mahalla::entity::{ConferenceStatus, conference, decision, minute, participant};
use crate::mahalla::tasks::{self, NewTask};
use crate::plan::service::{ActionAuthority, NewAction, insert_action};
use crate::supervision::entity::NoteVisibility;
use crate::validate;

use super::{MAX_RECORDED, cases_of, get, lowest_access};

/// A minutes entry to record.
pub struct NewMinute {
    /// The case the entry is about; none for the meeting as a whole.
    pub case_id: Option<i64>,
    pub visibility: NoteVisibility,
    pub body: String,
}

/// A decision to record.
pub struct NewDecision {
    pub case_id: i64,
    pub body: String,
    pub task: Option<DecisionTask>,
    pub plan_action: Option<DecisionAction>,
}

/// The task a decision gives a member of the seven.
pub struct DecisionTask {
    pub member_id: i64,
    pub title: String,
    pub due_on: chrono::NaiveDate,
}

/// The plan action a decision adds.
pub struct DecisionAction {
    pub goal_id: i64,
    pub owner_organisation_id: i64,
    pub due_date: Option<chrono::NaiveDate>,
}

/// What happened at a conference.
pub struct Outcome {
    /// Participant ids and whether they attended; participants not named did not.
    pub attended: Vec<i64>,
    pub minutes: Vec<NewMinute>,
    pub decisions: Vec<NewDecision>,
}

/// Record attendance, minutes and decisions; all of it, or nothing.
pub async fn record(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    out: Outcome,
) -> ApiResult<conference::Model> {
    if out.minutes.len() > MAX_RECORDED || out.decisions.len() > MAX_RECORDED {
        return Err(ApiError::bad_input(
            "input.decisions",
            format!("at most {MAX_RECORDED} minutes entries and {MAX_RECORDED} decisions"),
        ));
    }
    let txn = write_txn(db).await?;
    let conf = get(&txn, p, id).await?;
    let cases = cases_of(&txn, conf.id).await?;
    let my_level = check_recordable(p, &conf, &cases)?;
    let parts = participant::Entity::find()
        .filter(participant::Column::ConferenceId.eq(conf.id))
        .all(&txn)
        .await?;
    let attended = mark_attendance(&txn, &parts, &out.attended).await?;
    let rec = Recording {
        txn: &txn,
        p,
        conference_id: conf.id,
        cases: cases.iter().map(|c| (c.id, c)).collect(),
        at: now(),
    };
    for (i, entry) in out.minutes.into_iter().enumerate() {
        rec.write_minute(i, entry, my_level).await?;
    }
    // The plan is the lead officer's: a conference may add to it when that officer was
    // there (or records the decision themselves).
    let lead_attended = |c: &case::Model| {
        c.officer_id.is_some_and(|officer| {
            parts
                .iter()
                .any(|x| x.user_id == Some(officer) && attended.contains(&x.id))
        })
    };
    for (i, d) in out.decisions.into_iter().enumerate() {
        rec.write_decision(i, d, &lead_attended).await?;
    }
    let row = mark_held(&txn, p, conf, &cases, attended.len(), rec.at).await?;
    txn.commit().await?;
    Ok(row)
}

/// The caller's lowest access over the conference's cases, if they may record it: an
/// officer or inspector supervising every case, of a scheduled conference whose time
/// has come.
fn check_recordable(p: &Principal, conf: &conference::Model, cases: &[case::Model]) -> ApiResult<CaseAccess> {
    let Some(my_level) = lowest_access(p, cases).filter(|l| *l >= CaseAccess::Supervise) else {
        return Err(ApiError::Forbidden(
            "only an officer or inspector supervising every case records the conference".into(),
        ));
    };
    if conf.status != ConferenceStatus::Scheduled {
        return Err(ApiError::InvalidTransition {
            from: enum_name(conf.status),
            to: enum_name(ConferenceStatus::Held),
        });
    }
    if conf.scheduled_at > now() + Duration::minutes(5) {
        return Err(ApiError::Conflict(
            "the conference has not taken place yet".into(),
        ));
    }
    Ok(my_level)
}

/// Mark who of `parts` attended (those named in `attended`, all of them participants);
/// returns the attendees.
async fn mark_attendance(
    txn: &DatabaseTransaction,
    parts: &[participant::Model],
    attended: &[i64],
) -> ApiResult<BTreeSet<i64>> {
    let attended: BTreeSet<i64> = attended.iter().copied().collect();
    if let Some(bad) = attended.iter().find(|a| !parts.iter().any(|x| x.id == **a)) {
        return Err(ApiError::bad_input(
            "input.attendedParticipantIds",
            format!("{bad} is not a participant"),
        ));
    }
    for part in parts {
        participant::Entity::update_many()
            .col_expr(
                participant::Column::Attended,
                sea_orm::sea_query::Expr::value(attended.contains(&part.id)),
            )
            .filter(participant::Column::Id.eq(part.id))
            .exec(txn)
            .await?;
    }
    Ok(attended)
}

/// One recording under way: its transaction, recorder, conference and cases.
struct Recording<'a> {
    txn: &'a DatabaseTransaction,
    p: &'a Principal,
    conference_id: i64,
    cases: HashMap<i64, &'a case::Model>,
    at: DateTime<Utc>,
}

impl Recording<'_> {
    /// Write the `i`-th minutes entry, about a case of the conference (or the meeting),
    /// at a visibility the recorder may read.
    async fn write_minute(&self, i: usize, entry: NewMinute, my_level: CaseAccess) -> ApiResult<()> {
        let field = format!("input.minutes.{i}");
        let body = validate::required(&format!("{field}.body"), &entry.body, validate::LONG_TEXT)?;
        if let Some(cid) = entry.case_id
            && !self.cases.contains_key(&cid)
        {
            return Err(ApiError::bad_input(
                format!("{field}.caseId"),
                "not a case of this conference",
            ));
        }
        if entry.visibility > my_level.max_note_visibility() {
            return Err(ApiError::bad_input(
                format!("{field}.visibility"),
                "above what you may read yourself",
            ));
        }
        minute::ActiveModel {
            conference_id: Set(self.conference_id),
            case_id: Set(entry.case_id),
            visibility: Set(entry.visibility),
            body: Set(body),
            written_by: Set(self.p.user_id),
            created_at: Set(self.at),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(())
    }

    /// Write the `i`-th decision with the task and/or plan action it creates.
    async fn write_decision(
        &self,
        i: usize,
        d: NewDecision,
        lead_attended: &impl Fn(&case::Model) -> bool,
    ) -> ApiResult<()> {
        let field = format!("input.decisions.{i}");
        let body = validate::required(&format!("{field}.body"), &d.body, validate::LONG_TEXT)?;
        let Some(c) = self.cases.get(&d.case_id) else {
            return Err(ApiError::bad_input(
                format!("{field}.caseId"),
                "not a case of this conference",
            ));
        };
        if d.task.is_none() && d.plan_action.is_none() {
            return Err(ApiError::bad_input(
                field,
                "a decision becomes a task, a plan action, or both: give an owner",
            ));
        }
        let task_id = match d.task {
            Some(t) => {
                let new = NewTask {
                    case_id: c.id,
                    member_id: t.member_id,
                    title: t.title,
                    details: Some(body.clone()),
                    due_on: t.due_on,
                };
                let task = tasks::insert(
                    self.txn,
                    self.p,
                    new,
                    Some(self.conference_id),
                    &format!("{field}.task"),
                )
                .await?;
                Some(task.id)
            }
            None => None,
        };
        let plan_action_id = match d.plan_action {
            Some(a) => Some(add_plan_action(self.txn, self.p, c, &body, a, lead_attended(c), &field).await?),
            None => None,
        };
        decision::ActiveModel {
            conference_id: Set(self.conference_id),
            case_id: Set(c.id),
            body: Set(body),
            task_id: Set(task_id),
            plan_action_id: Set(plan_action_id),
            created_at: Set(self.at),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(())
    }
}

/// Mark the conference held, with an audit record and an event per case.
async fn mark_held(
    txn: &DatabaseTransaction,
    p: &Principal,
    conf: conference::Model,
    cases: &[case::Model],
    attendees: usize,
    at: DateTime<Utc>,
) -> ApiResult<conference::Model> {
    let mut active: conference::ActiveModel = conf.into();
    active.status = Set(ConferenceStatus::Held);
    active.held_at = Set(Some(at));
    active.recorded_by = Set(Some(p.user_id));
    active.updated_at = Set(at);
    let row = active.update(txn).await?;
    for c in cases {
        audit::record(
            txn,
            p,
            Entry::new("case_conference.record")
                .target("CaseConference", row.id)
                .case(c.id),
        )
        .await?;
        events::emit(
            txn,
            Some(p),
            NewEvent::new("mahalla.conference_held", "CaseConference", row.id)
                .case(c.id)
                .organisation(c.organisation_id)
                .payload(json!({"attended": attendees})),
        )
        .await?;
    }
    Ok(row)
}

async fn add_plan_action(
    txn: &DatabaseTransaction,
    p: &Principal,
    c: &case::Model,
    body: &str,
    a: DecisionAction,
    lead_attended: bool,
    field: &str,
) -> ApiResult<i64> {
    let goal = crate::plan::entity::goal::Entity::find_by_id(a.goal_id)
        .one(txn)
        .await?;
    let plan_case = match goal {
        Some(g) => crate::plan::entity::plan::Entity::find_by_id(g.plan_id)
            .one(txn)
            .await?
            .map(|pl| pl.case_id),
        None => None,
    };
    if plan_case != Some(c.id) {
        return Err(ApiError::bad_input(
            format!("{field}.planAction.goalId"),
            "not a goal of this decision's case",
        ));
    }
    let authority = if lead_attended {
        ActionAuthority::ConferenceWithLeadOfficer
    } else {
        ActionAuthority::CaseAccess
    };
    let new = NewAction {
        goal_id: a.goal_id,
        description: body.to_owned(),
        owner_organisation_id: a.owner_organisation_id,
        due_date: a.due_date,
    };
    insert_action(txn, p, new, authority, &format!("{field}.planAction"))
        .await
        .map(|r| r.id)
        .map_err(|e| match e {
            ApiError::Forbidden(_) => ApiError::Forbidden(
                "a plan action needs the case's lead officer: at the conference, or recording it".into(),
            ),
            other => other,
        })
}
