//! Joint case conferences: the prevention inspector or probation officer convenes the
//! agencies and the seven on one or several cases of a mahalla; after the meeting the
//! attendance, the minutes and the decisions are recorded in one transaction, each
//! decision becoming an owned task for a member of the seven and/or a plan action.
//! Minutes are read by the participants, each entry only up to their visibility level.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use super::entity::{ConferenceStatus, conference, conference_case, member, minute, participant};
use crate::access::mahalla::{MahallaRight, readable, require};
use crate::access::{CaseAccess, case_access};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::validate;

mod convene;
mod record;
pub use convene::{NewConference, schedule};
pub use record::{DecisionAction, DecisionTask, NewDecision, NewMinute, Outcome, record};

/// Most cases on one conference.
pub const MAX_CASES: usize = 10;
/// Most invited users and members.
pub const MAX_PARTICIPANTS: usize = 40;
/// Most minutes entries and decisions recorded at once.
pub const MAX_RECORDED: usize = 50;

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
