//! Which sessions a caller sees, and each as the API shows it: the agencies supervising
//! a case see the sessions and the attendance of their own cases' people only.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use hamkor_api::access::{CaseAccess, PARTNER_ROLES, cases_with_access, of_cases};
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::kit::external_id;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::practitioners::{PractitionerView, views_by_id};
use super::with_rows;
use crate::access::is_member_of;
use crate::entity::{participant, reschedule, session};

/// A session with what the caller may see of its participants, its reschedules and its
/// practitioner.
pub struct SessionView {
    pub model: session::Model,
    pub participants: Vec<participant::Model>,
    pub reschedules: Vec<reschedule::Model>,
    pub practitioner: Option<PractitionerView>,
}

/// Sessions with what `p` may see of their participants, their reschedules and
/// practitioners (four queries in all).
pub async fn views<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    rows: Vec<session::Model>,
) -> ApiResult<Vec<SessionView>> {
    let mut details = details_of(db, p, &rows).await?;
    let people = views_by_id(db, rows.iter().map(|r| r.practitioner_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|model| {
            let (participants, reschedules) = details.remove(&model.id).unwrap_or_default();
            SessionView {
                practitioner: people.get(&model.practitioner_id).cloned(),
                model,
                participants,
                reschedules,
            }
        })
        .collect())
}

/// One session as `p` may see it.
pub async fn view<C: ConnectionTrait>(db: &C, p: &Principal, row: session::Model) -> ApiResult<SessionView> {
    views(db, p, vec![row])
        .await?
        .pop()
        .ok_or(ApiError::NotFound("PsychSession"))
}

/// Filters of the session list.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub referral_id: Option<i64>,
    pub practitioner_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// `session_id IN (participants of cases the caller supervises [and of one referral])`.
fn with_participants(cond: Condition) -> sea_orm::sea_query::SimpleExpr {
    session::Column::Id.in_subquery(
        Query::select()
            .column(participant::Column::SessionId)
            .from(participant::Entity)
            .cond_where(cond)
            .to_owned(),
    )
}

/// The participants of a session `p` may see: all of them for the provider's members,
/// those of cases they supervise for the agencies.
pub fn visible_participants(p: &Principal, organisation_id: i64) -> Condition {
    if is_member_of(p, organisation_id) {
        Condition::all()
    } else {
        Condition::all().add(of_cases(
            participant::Column::CaseId,
            cases_with_access(p, CaseAccess::Supervise),
        ))
    }
}

/// The SQL condition selecting the sessions `p` may see: the provider's own, and those
/// with a participant whose case `p` supervises.
pub fn visible_sessions(p: &Principal) -> Condition {
    let mut any = Condition::any().add(with_participants(Condition::all().add(of_cases(
        participant::Column::CaseId,
        cases_with_access(p, CaseAccess::Supervise),
    ))));
    if p.has_any_role(PARTNER_ROLES) {
        any = any.add(session::Column::OrganisationId.eq(p.organisation_id));
    }
    any
}

/// Sessions the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: SessionFilter,
    page: Page,
) -> ApiResult<Paged<SessionView>> {
    let mut cond = Condition::all().add(visible_sessions(p));
    if let Some(id) = f.referral_id {
        cond = cond.add(with_participants(
            Condition::all().add(participant::Column::ReferralId.eq(id)),
        ));
    }
    if let Some(id) = f.practitioner_id {
        cond = cond.add(session::Column::PractitionerId.eq(id));
    }
    if let Some(from) = f.from {
        cond = cond.add(session::Column::StartsAt.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(session::Column::StartsAt.lt(to));
    }
    let paged = paginate(
        db,
        session::Entity::find().filter(cond),
        session::Column::Id,
        page,
        Order::Descending,
    )
    .await?;
    let rows = views(db, p, paged.rows.clone()).await?;
    Ok(with_rows(paged, rows))
}

/// One session the caller may see.
pub async fn get(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<Option<SessionView>> {
    let found = session::Entity::find_by_id(id)
        .filter(visible_sessions(p))
        .one(db)
        .await?;
    match found {
        Some(s) => Ok(Some(view(db, p, s).await?)),
        None => Ok(None),
    }
}

/// The session the caller's organisation keeps under its own reference, if the caller
/// may see it.
pub async fn by_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    raw: &str,
) -> ApiResult<Option<SessionView>> {
    match external_id::find::<session::Entity>(db, p, visible_sessions(p), raw).await? {
        Some(s) => Ok(Some(view(db, p, s).await?)),
        None => Ok(None),
    }
}

/// Set (or clear) the provider's own reference of a session: its staff.
pub async fn set_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    raw: Option<&str>,
) -> ApiResult<SessionView> {
    let s = external_id::set::<session::Entity>(db, p, id, raw, visible_sessions(p)).await?;
    view(db, p, s).await
}

/// The participants (visible to `p`) and reschedules of many sessions, in two queries.
async fn details_of<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    sessions: &[session::Model],
) -> ApiResult<HashMap<i64, (Vec<participant::Model>, Vec<reschedule::Model>)>> {
    let mut out: HashMap<i64, (Vec<participant::Model>, Vec<reschedule::Model>)> = HashMap::new();
    if sessions.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let mut any = Condition::any();
    for org in sessions
        .iter()
        .map(|s| s.organisation_id)
        .collect::<BTreeSet<_>>()
    {
        let of_org: Vec<i64> = sessions
            .iter()
            .filter(|s| s.organisation_id == org)
            .map(|s| s.id)
            .collect();
        any = any.add(
            Condition::all()
                .add(participant::Column::SessionId.is_in(of_org))
                .add(visible_participants(p, org)),
        );
    }
    for x in participant::Entity::find()
        .filter(any)
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?
    {
        out.entry(x.session_id).or_default().0.push(x);
    }
    for r in reschedule::Entity::find()
        .filter(reschedule::Column::SessionId.is_in(ids))
        .order_by_asc(reschedule::Column::Id)
        .all(db)
        .await?
    {
        out.entry(r.session_id).or_default().1.push(r);
    }
    Ok(out)
}
