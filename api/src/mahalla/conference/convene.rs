//! Convening a conference: the agenda's cases (open, of the mahalla, supervised by the
//! convener), the invited staff (who must see every case) and members of the seven.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::access::mahalla::{MahallaRight, require};
use crate::access::{CaseAccess, case_access};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::{Principal, RequestMeta};
use crate::auth::service::{Via, load_principal};
use crate::case::entity::case;
use crate::case::lifecycle::is_closed;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::mahalla::entity::{ConferenceStatus, conference, conference_case, member, participant};
use crate::mahalla::roster::{active_member, holds_on};
use crate::validate;

use super::{MAX_CASES, MAX_PARTICIPANTS};

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
    check_invited_staff(db, &user_ids, &cases).await?;
    let txn = write_txn(db).await?;
    let member_ids = invited_members(&txn, new.member_ids, new.invite_seven, m.id).await?;
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
    insert_participants(&txn, row.id, p.user_id, &user_ids, &member_ids).await?;
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

/// Invited staff must be able to see every case discussed: minutes are theirs to read.
async fn check_invited_staff(
    db: &DatabaseConnection,
    user_ids: &[i64],
    cases: &[case::Model],
) -> ApiResult<()> {
    for uid in user_ids {
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
    Ok(())
}

/// The members of the seven to invite: those named (each holding a seat in the
/// mahalla), and every member seated today when `invite_seven`.
async fn invited_members(
    txn: &DatabaseTransaction,
    named: Vec<i64>,
    invite_seven: bool,
    mahalla_id: i64,
) -> ApiResult<Vec<i64>> {
    let mut member_ids = dedup(named);
    for mid in &member_ids {
        active_member(txn, "input.invitedMemberIds", *mid, mahalla_id).await?;
    }
    if invite_seven {
        let today = now().date_naive();
        let seated = member::Entity::find()
            .filter(member::Column::MahallaId.eq(mahalla_id))
            .filter(member::Column::EndsOn.is_null())
            .all(txn)
            .await?;
        member_ids.extend(seated.iter().filter(|s| holds_on(s, today)).map(|s| s.id));
        member_ids = dedup(member_ids);
    }
    Ok(member_ids)
}

/// The convener, the invited staff and the invited members, as participants.
async fn insert_participants(
    txn: &DatabaseTransaction,
    conference_id: i64,
    convener: i64,
    user_ids: &[i64],
    member_ids: &[i64],
) -> ApiResult<()> {
    let people = std::iter::once(convener)
        .chain(user_ids.iter().copied())
        .map(|u| (Some(u), None))
        .chain(member_ids.iter().map(|m| (None, Some(*m))));
    participant::Entity::insert_many(people.map(|(user_id, member_id)| participant::ActiveModel {
        conference_id: Set(conference_id),
        user_id: Set(user_id),
        member_id: Set(member_id),
        attended: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}
