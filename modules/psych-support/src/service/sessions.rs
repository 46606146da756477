//! Sessions: scheduled for one person or a group, rescheduled with a reason, and the
//! attendance of each person (who sees them: `session_search`).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service as events;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use super::practitioners;
use super::record::{Audience, record_change};
use super::session_search::{SessionView, view};
use super::support::work_in_progress;
use crate::access::is_practitioner_of;
use crate::entity::{
    SessionAttendance, SessionFormat, SessionKind, SessionMode, participant, reschedule, session, support,
};

/// Most people in a group session.
pub const MAX_GROUP: usize = 20;

/// A session to schedule.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub referral_ids: Vec<i64>,
    pub format: SessionFormat,
    pub kind: SessionKind,
    pub mode: SessionMode,
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    /// Default: the caller's own practitioner profile.
    pub practitioner_id: Option<i64>,
}

fn check_place(mode: SessionMode, place: Option<&str>) -> ApiResult<Option<String>> {
    let place = validate::optional("input.place", place, validate::SHORT_TEXT)?;
    if mode == SessionMode::InPerson && place.is_none() {
        return Err(ApiError::bad_input(
            "input.place",
            "an in-person session needs a place",
        ));
    }
    Ok(place)
}

/// Schedule a session for the people of one or more referrals under way.
pub async fn schedule(db: &DatabaseConnection, p: &Principal, new: NewSession) -> ApiResult<SessionView> {
    let distinct: BTreeSet<i64> = new.referral_ids.iter().copied().collect();
    if distinct.len() != new.referral_ids.len() {
        return Err(ApiError::bad_input("input.referralIds", "each person once"));
    }
    match (new.format, distinct.len()) {
        (SessionFormat::Individual, 1) => {}
        (SessionFormat::Individual, _) => {
            return Err(ApiError::bad_input(
                "input.referralIds",
                "an individual session has one person",
            ));
        }
        (SessionFormat::Group, 2..=MAX_GROUP) => {}
        (SessionFormat::Group, _) => {
            return Err(ApiError::bad_input(
                "input.referralIds",
                format!("a group session has 2 to {MAX_GROUP} people"),
            ));
        }
    }
    if !(15..=480).contains(&new.duration_minutes) {
        return Err(ApiError::bad_input(
            "input.durationMinutes",
            "between 15 and 480 minutes",
        ));
    }
    let place = check_place(new.mode, new.place.as_deref())?;
    let txn = write_txn(db).await?;
    let mut supports = Vec::with_capacity(distinct.len());
    for id in &new.referral_ids {
        supports.push(work_in_progress(&txn, p, *id).await?.1);
    }
    let practitioner = match new.practitioner_id {
        Some(id) => practitioners::active_of(&txn, id, p.organisation_id, "input.practitionerId").await?,
        None => practitioners::own(&txn, p)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.practitionerId", "you have no practitioner profile"))?,
    };
    let at = now();
    let s = session::ActiveModel {
        organisation_id: Set(p.organisation_id),
        practitioner_id: Set(practitioner.id),
        format: Set(new.format),
        kind: Set(new.kind),
        mode: Set(new.mode),
        place: Set(place),
        starts_at: Set(new.starts_at),
        duration_minutes: Set(new.duration_minutes),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for sup in &supports {
        participant::ActiveModel {
            session_id: Set(s.id),
            support_id: Set(sup.id),
            referral_id: Set(sup.referral_id),
            case_id: Set(sup.case_id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        record_change(
            &txn,
            p,
            sup,
            (
                "psych_support.session.schedule",
                events::event_type("psych_support.session_scheduled"),
            ),
            ("PsychSession", s.id),
            Audience::ProviderAndCase,
            json!({"sessionId": s.id, "format": s.format, "kind": s.kind, "mode": s.mode}),
        )
        .await?;
    }
    txn.commit().await?;
    view(db, p, s).await
}

/// A session of the caller's organisation, for one of its practitioners to change.
async fn own_session<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<session::Model> {
    let s = session::Entity::find_by_id(id)
        .filter(session::Column::OrganisationId.eq(p.organisation_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("PsychSession"))?;
    if !is_practitioner_of(p, s.organisation_id) {
        return Err(ApiError::Forbidden(
            "only the provider's practitioners do this".into(),
        ));
    }
    Ok(s)
}

async fn participants_of<C: ConnectionTrait>(db: &C, session_id: i64) -> ApiResult<Vec<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::SessionId.eq(session_id))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?)
}

/// Move a session that nobody's attendance was recorded for yet.
pub async fn reschedule(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    starts_at: DateTime<Utc>,
    reason: &str,
    mode: Option<SessionMode>,
    place: Option<&str>,
) -> ApiResult<SessionView> {
    let reason = validate::required("input.reason", reason, 2000)?;
    let txn = write_txn(db).await?;
    let s = own_session(&txn, p, id).await?;
    let mode = mode.unwrap_or(s.mode);
    let place = match place {
        Some(pl) => check_place(mode, Some(pl))?,
        None => check_place(mode, s.place.as_deref())?,
    };
    let people = participants_of(&txn, s.id).await?;
    if people.iter().any(|x| x.attendance.is_some()) {
        return Err(ApiError::Conflict(
            "attendance is already recorded for this session".into(),
        ));
    }
    let at = now();
    reschedule::ActiveModel {
        session_id: Set(s.id),
        from_starts_at: Set(s.starts_at),
        to_starts_at: Set(starts_at),
        reason: Set(reason),
        rescheduled_by: Set(p.user_id),
        at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut row: session::ActiveModel = s.into();
    row.starts_at = Set(starts_at);
    row.mode = Set(mode);
    row.place = Set(place);
    row.updated_at = Set(at);
    let s = row.update(&txn).await?;
    let supports = support::Entity::find()
        .filter(support::Column::Id.is_in(people.iter().map(|x| x.support_id)))
        .all(&txn)
        .await?;
    for sup in &supports {
        record_change(
            &txn,
            p,
            sup,
            (
                "psych_support.session.reschedule",
                events::event_type("psych_support.session_rescheduled"),
            ),
            ("PsychSession", s.id),
            Audience::ProviderAndCase,
            json!({"sessionId": s.id, "mode": s.mode}),
        )
        .await?;
    }
    txn.commit().await?;
    view(db, p, s).await
}

/// Record (or correct) whether one person came to a session.
pub async fn record_attendance(
    db: &DatabaseConnection,
    p: &Principal,
    session_id: i64,
    referral_id: i64,
    attendance: SessionAttendance,
    reason: Option<&str>,
) -> ApiResult<participant::Model> {
    let reason = validate::optional("input.reason", reason, 2000)?;
    if attendance != SessionAttendance::Attended && reason.is_none() {
        return Err(ApiError::bad_input(
            "input.reason",
            "say why the person was late or did not come",
        ));
    }
    let txn = write_txn(db).await?;
    let s = own_session(&txn, p, session_id).await?;
    if s.starts_at > now() {
        return Err(ApiError::Conflict("the session has not started yet".into()));
    }
    let x = participant::Entity::find()
        .filter(participant::Column::SessionId.eq(s.id))
        .filter(participant::Column::ReferralId.eq(referral_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.referralId", "not a participant of this session"))?;
    let (_, sup) = work_in_progress(&txn, p, referral_id).await?;
    let previous = x.attendance;
    let mut row: participant::ActiveModel = x.into();
    row.attendance = Set(Some(attendance));
    row.attendance_reason = Set(reason);
    row.attendance_recorded_at = Set(Some(now()));
    row.attendance_recorded_by = Set(Some(p.user_id));
    let x = row.update(&txn).await?;
    record_change(
        &txn,
        p,
        &sup,
        (
            "psych_support.attendance.record",
            events::event_type("psych_support.attendance_recorded"),
        ),
        ("PsychSession", s.id),
        Audience::ProviderAndCase,
        json!({"sessionId": s.id, "attendance": attendance, "previous": previous}),
    )
    .await?;
    txn.commit().await?;
    Ok(x)
}
