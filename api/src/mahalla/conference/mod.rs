//! Joint case conferences: the prevention inspector or probation officer convenes the
//! agencies and the seven on one or several cases of a mahalla; after the meeting the
//! attendance, the minutes and the decisions are recorded in one transaction, each
//! decision becoming an owned task for a member of the seven and/or a plan action.
//! Minutes are read by the participants, each entry only up to their visibility level.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use super::entity::{ConferenceStatus, conference, conference_case, member, minute, participant};
use super::roster::{active_member, holds_on};
use crate::access::mahalla::{MahallaRight, readable, require};
use crate::access::{CaseAccess, case_access};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::{Principal, RequestMeta};
use crate::auth::service::{Via, load_principal};
use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::validate;

mod record;
pub use record::{DecisionAction, DecisionTask, NewDecision, NewMinute, Outcome, record};

/// Most cases on one conference.
pub const MAX_CASES: usize = 10;
/// Most invited users and members.
pub const MAX_PARTICIPANTS: usize = 40;
/// Most minutes entries and decisions recorded at once.
pub const MAX_RECORDED: usize = 50;

/// A conference to convene.
pub struct NewConference {
    pub mahalla_id: i64,
    pub case_ids: Vec<i64>,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub place: Option<String>,
    pub agenda: String,
    /// Agency staff to invite (each must be able to see every case on the agenda).
    pub user_ids: Vec<i64>,
    /// Members of the seven to invite.
    pub member_ids: Vec<i64>,
    /// Invite every member who holds a seat today.
    pub invite_seven: bool,
}

fn dedup(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The cases of a conference-to-be: every one of the mahalla, open, and supervised by
/// the caller.
async fn agenda_cases<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    mahalla_id: i64,
    ids: &[i64],
) -> ApiResult<Vec<case::Model>> {
    if ids.is_empty() || ids.len() > MAX_CASES {
        return Err(ApiError::bad_input(
            "input.caseIds",
            format!("name between 1 and {MAX_CASES} cases"),
        ));
    }
    let rows = case::Entity::find()
        .filter(case::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    for id in ids {
        let Some(c) = rows.iter().find(|c| c.id == *id) else {
            return Err(ApiError::bad_input("input.caseIds", format!("no case {id}")));
        };
        match case_access(p, c) {
            Some(level) if level >= CaseAccess::Supervise => {}
            _ => {
                return Err(ApiError::bad_input(
                    "input.caseIds",
                    "every case must be one you supervise",
                ));
            }
        }
        if c.mahalla_id != mahalla_id {
            return Err(ApiError::bad_input(
                "input.caseIds",
                "every case must be of the conference's mahalla",
            ));
        }
        if is_closed(c.status) {
            return Err(ApiError::Conflict("a case on the agenda is closed".into()));
        }
    }
    Ok(rows)
}

/// Convene a conference.
pub async fn schedule(
    db: &DatabaseConnection,
    p: &Principal,
    new: NewConference,
) -> ApiResult<conference::Model> {
    let title = validate::required("input.title", &new.title, validate::SHORT_TEXT)?;
    let agenda = validate::required("input.agenda", &new.agenda, validate::LONG_TEXT)?;
    let place = validate::optional("input.place", new.place.as_deref(), validate::SHORT_TEXT)?;
    if new.scheduled_at < now() - Duration::days(30) || new.scheduled_at > now() + Duration::days(366) {
        return Err(ApiError::bad_input(
            "input.scheduledAt",
            "must be within the last month or the next year",
        ));
    }
    let case_ids = dedup(new.case_ids);
    let user_ids = dedup(new.user_ids.into_iter().filter(|u| *u != p.user_id).collect());
    let m = require(db, p, new.mahalla_id, MahallaRight::Read).await?;
    let cases = agenda_cases(db, p, m.id, &case_ids).await?;
    // Invited staff must be able to see every case discussed: minutes are theirs to read.
    for uid in &user_ids {
        let ok = match load_principal(db, *uid, Via::LocalTask, RequestMeta::default()).await {
            Ok(other) => cases.iter().all(|c| case_access(&other, c).is_some()),
            Err(_) => false,
        };
        if !ok {
            return Err(ApiError::bad_input(
                "input.invitedUserIds",
                format!("user {uid} cannot see every case on the agenda"),
            ));
        }
    }
    let txn = write_txn(db).await?;
    let mut member_ids = dedup(new.member_ids);
    for mid in &member_ids {
        active_member(&txn, "input.invitedMemberIds", *mid, m.id).await?;
    }
    if new.invite_seven {
        let today = now().date_naive();
        let seated = member::Entity::find()
            .filter(member::Column::MahallaId.eq(m.id))
            .filter(member::Column::EndsOn.is_null())
            .all(&txn)
            .await?;
        member_ids.extend(seated.iter().filter(|s| holds_on(s, today)).map(|s| s.id));
        member_ids = dedup(member_ids);
    }
    if user_ids.len() + member_ids.len() + 1 > MAX_PARTICIPANTS {
        return Err(ApiError::bad_input(
            "input.invitedUserIds",
            format!("at most {MAX_PARTICIPANTS} participants"),
        ));
    }
    let at = now();
    let row = conference::ActiveModel {
        mahalla_id: Set(m.id),
        district_id: Set(m.district_id),
        region_id: Set(m.region_id),
        title: Set(title),
        scheduled_at: Set(new.scheduled_at),
        place: Set(place),
        agenda: Set(agenda),
        status: Set(ConferenceStatus::Scheduled),
        convened_by: Set(p.user_id),
        held_at: Set(None),
        recorded_by: Set(None),
        cancel_reason: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    conference_case::Entity::insert_many(cases.iter().map(|c| conference_case::ActiveModel {
        conference_id: Set(row.id),
        case_id: Set(c.id),
    }))
    .exec_without_returning(&txn)
    .await?;
    let people = std::iter::once(p.user_id)
        .chain(user_ids.iter().copied())
        .map(|u| (Some(u), None))
        .chain(member_ids.iter().map(|m| (None, Some(*m))));
    participant::Entity::insert_many(people.map(|(user_id, member_id)| participant::ActiveModel {
        conference_id: Set(row.id),
        user_id: Set(user_id),
        member_id: Set(member_id),
        attended: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(&txn)
    .await?;
    for c in &cases {
        audit::record(
            &txn,
            p,
            Entry::new("case_conference.schedule")
                .target("CaseConference", row.id)
                .case(c.id),
        )
        .await?;
        events::emit(
            &txn,
            Some(p),
            NewEvent::new("mahalla.conference_scheduled", "CaseConference", row.id)
                .case(c.id)
                .organisation(c.organisation_id)
                .payload(json!({"scheduledAt": row.scheduled_at, "mahallaId": m.id})),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// Whether the caller was invited (as staff, or as a member of the seven with a login).
pub async fn is_participant<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    conference_id: i64,
) -> ApiResult<bool> {
    let rows = participant::Entity::find()
        .filter(participant::Column::ConferenceId.eq(conference_id))
        .all(db)
        .await?;
    if rows.iter().any(|r| r.user_id == Some(p.user_id)) {
        return Ok(true);
    }
    let member_ids: Vec<i64> = rows.iter().filter_map(|r| r.member_id).collect();
    if member_ids.is_empty() {
        return Ok(false);
    }
    Ok(member::Entity::find()
        .filter(member::Column::Id.is_in(member_ids))
        .filter(member::Column::UserId.eq(p.user_id))
        .one(db)
        .await?
        .is_some())
}

/// Load a conference the caller may read.
pub async fn get<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<conference::Model> {
    let row = conference::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("CaseConference"))?;
    let in_mahalla = require(db, p, row.mahalla_id, MahallaRight::Read).await.is_ok();
    if !in_mahalla && !is_participant(db, p, row.id).await? {
        return Err(ApiError::NotFound("CaseConference"));
    }
    Ok(row)
}

/// The cases on a conference's agenda.
pub async fn cases_of<C: ConnectionTrait>(db: &C, conference_id: i64) -> ApiResult<Vec<case::Model>> {
    let ids: Vec<i64> = conference_case::Entity::find()
        .filter(conference_case::Column::ConferenceId.eq(conference_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.case_id)
        .collect();
    Ok(case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?)
}

/// Conferences of a mahalla (or of every mahalla the caller may read), newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    mahalla_id: Option<i64>,
    page: Page,
) -> ApiResult<Paged<conference::Model>> {
    let mut q = conference::Entity::find().filter(readable(
        p,
        conference::Column::RegionId,
        conference::Column::DistrictId,
        conference::Column::MahallaId,
    ));
    if let Some(m) = mahalla_id {
        q = q.filter(conference::Column::MahallaId.eq(m));
    }
    paginate(db, q, conference::Column::Id, page, Order::Descending).await
}

/// The lowest access the caller has over `cases` (none if any is invisible).
pub(super) fn lowest_access(p: &Principal, cases: &[case::Model]) -> Option<CaseAccess> {
    cases.iter().map(|c| case_access(p, c)).min().flatten()
}

/// Call a scheduled conference off.
pub async fn cancel(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    reason: &str,
) -> ApiResult<conference::Model> {
    let reason = validate::required("input.reason", reason, validate::SHORT_TEXT)?;
    let txn = write_txn(db).await?;
    let conf = get(&txn, p, id).await?;
    let cases = cases_of(&txn, conf.id).await?;
    if conf.convened_by != p.user_id && lowest_access(p, &cases).is_none_or(|l| l < CaseAccess::Supervise) {
        return Err(ApiError::forbidden());
    }
    if conf.status != ConferenceStatus::Scheduled {
        return Err(ApiError::InvalidTransition {
            from: enum_name(conf.status),
            to: enum_name(ConferenceStatus::Cancelled),
        });
    }
    let mut active: conference::ActiveModel = conf.into();
    active.status = Set(ConferenceStatus::Cancelled);
    active.cancel_reason = Set(Some(reason));
    active.updated_at = Set(now());
    let row = active.update(&txn).await?;
    for c in &cases {
        audit::record(
            &txn,
            p,
            Entry::new("case_conference.cancel")
                .target("CaseConference", row.id)
                .case(c.id),
        )
        .await?;
        events::emit(
            &txn,
            Some(p),
            NewEvent::new("mahalla.conference_cancelled", "CaseConference", row.id)
                .case(c.id)
                .organisation(c.organisation_id),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The entries of one conference's minutes (`rows`) that a participant may read, given
/// the cases on its agenda (`cases`): each entry up to the caller's own visibility level
/// on its case (on every case, for entries about the meeting as a whole). None when the
/// caller has no access to the agenda at all (nothing is read, nothing to audit).
pub fn readable_minutes(
    p: &Principal,
    cases: &[case::Model],
    rows: Vec<minute::Model>,
) -> Option<Vec<minute::Model>> {
    let lowest = lowest_access(p, cases)?;
    let level_on = |case_id: Option<i64>| match case_id {
        None => Some(lowest),
        Some(id) => cases.iter().find(|c| c.id == id).and_then(|c| case_access(p, c)),
    };
    Some(
        rows.into_iter()
            .filter(|r| level_on(r.case_id).is_some_and(|l| r.visibility <= l.max_note_visibility()))
            .collect(),
    )
}

/// Record that `p` read `entries` entries of a conference's minutes.
pub async fn audit_minutes_read(
    db: &DatabaseConnection,
    p: &Principal,
    conference_id: i64,
    entries: usize,
) -> ApiResult<()> {
    audit::record(
        db,
        p,
        Entry::new("case_conference.minutes_read")
            .target("CaseConference", conference_id)
            .detail(json!({"entries": entries})),
    )
    .await?;
    Ok(())
}
