//! Domain events for clients: `events(after:)` to catch up, and live subscriptions.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures::Stream;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::broadcast;

use super::entity::{self as domain_event, Model};
use crate::access::{CaseAccess, cases_with_access, of_cases, visible_cases};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::pagination::{Conn, Order, Page, Paged, encode_cursor, paginate};
use crate::user::entity::Role;
use crate::user::graphql::User;

/// Something that happened, as written in the outbox in the same transaction as the
/// change. Payloads hold ids and enumerations only: read the records through the API.
#[derive(Clone)]
pub struct DomainEvent(pub Arc<Model>);

#[Object]
impl DomainEvent {
    pub async fn id(&self) -> ID {
        ids::encode("DomainEvent", self.0.id)
    }
    /// Pass as `events(after:)` to catch up from this event.
    async fn cursor(&self) -> String {
        encode_cursor(self.0.id)
    }
    /// What happened, e.g. `referral.status_changed`, `case.created`, `module.enabled`.
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The type of the record it is about (`Referral`, `Case`, …).
    async fn aggregate_type(&self) -> &str {
        &self.0.aggregate_type
    }
    /// Global id of the record it is about.
    async fn aggregate_id(&self) -> ID {
        ids::encode(&self.0.aggregate_type, self.0.aggregate_id)
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.case_id.map(|id| ids::encode("Case", id))
    }
    async fn organisation_id(&self) -> Option<ID> {
        self.0.organisation_id.map(|id| ids::encode("Organisation", id))
    }
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.actor_user_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn payload(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.payload.clone())
    }
}

const REFERRAL: &str = "Referral";
/// Aggregates whose case events only the supervising agencies see.
const SUPERVISED: [&str; 3] = [REFERRAL, "RiskAssessment", "Alert"];

fn handles_referrals(p: &Principal) -> bool {
    p.has_any_role(&[Role::PartnerStaff, Role::OrgAdmin])
}

/// The SQL condition selecting the events `p` may see: events of cases they may see,
/// referral events addressed to their organisation (partner staff), events about their
/// organisation itself (its admins), and platform events (platform admins).
pub fn visible_events(p: &Principal) -> Condition {
    let cases = |cond: Condition| of_cases(domain_event::Column::CaseId, cond);
    // Referrals, risk assessments and alerts are the agencies' work: their events need
    // Supervise access to the case.
    let mut any = Condition::any()
        .add(
            Condition::all()
                .add(domain_event::Column::AggregateType.is_not_in(SUPERVISED))
                .add(cases(visible_cases(p))),
        )
        .add(
            Condition::all()
                .add(domain_event::Column::AggregateType.is_in(SUPERVISED))
                .add(cases(cases_with_access(p, CaseAccess::Supervise))),
        );
    if handles_referrals(p) {
        any = any.add(
            Condition::all()
                .add(domain_event::Column::AggregateType.eq(REFERRAL))
                .add(domain_event::Column::OrganisationId.eq(p.organisation_id)),
        );
    }
    // Administrators follow their platform or organisation, not people: events about a
    // person (consents) are for those who supervise them, through `consents`.
    let administrative = || {
        Condition::all()
            .add(domain_event::Column::CaseId.is_null())
            .add(domain_event::Column::AggregateType.is_not_in(PERSONAL))
    };
    if p.has_role(Role::OrgAdmin) {
        any = any.add(administrative().add(domain_event::Column::OrganisationId.eq(p.organisation_id)));
    }
    if p.is_platform_admin() {
        any = any.add(administrative());
    }
    any
}

/// Aggregates whose events are about a person rather than a case or an organisation.
const PERSONAL: [&str; 2] = ["Consent", "Person"];

/// Whether a referral event is addressed to `p`'s organisation and `p` handles its
/// referrals (a partner's staff see referrals once sent, never drafts).
pub fn is_referral_event_for(p: &Principal, e: &Model) -> bool {
    e.aggregate_type == REFERRAL && e.organisation_id == Some(p.organisation_id) && handles_referrals(p)
}

/// Events the caller may see, oldest first, after a cursor.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: Option<i64>,
    types: Vec<String>,
    page: Page,
) -> ApiResult<Paged<Model>> {
    let mut cond = Condition::all().add(visible_events(p));
    if let Some(id) = case_id {
        cond = cond.add(domain_event::Column::CaseId.eq(id));
    }
    if !types.is_empty() {
        cond = cond.add(domain_event::Column::EventType.is_in(types));
    }
    paginate(
        db,
        domain_event::Entity::find().filter(cond),
        domain_event::Column::Id,
        page,
        Order::Ascending,
    )
    .await
}

/// Fetch one event the caller may see.
pub async fn fetch_event(ctx: &Context<'_>, id: i64) -> Result<Option<DomainEvent>> {
    let p = principal(ctx)?;
    let row = domain_event::Entity::find_by_id(id)
        .filter(visible_events(p))
        .one(&state(ctx)?.db)
        .await
        .map_err(ApiError::from)?;
    Ok(row.map(|m| DomainEvent(Arc::new(m))))
}

#[derive(InputObject, Default)]
pub struct DomainEventFilterInput {
    pub case_id: Option<ID>,
    /// Only these event types.
    pub types: Option<Vec<String>>,
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Domain events the caller may see, oldest first: pass the last `cursor` you saw as
    /// `after` to catch up (after a reconnect, say).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<DomainEventFilterInput>,
    ) -> Result<Conn<DomainEvent>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let types = f.types.unwrap_or_default();
        if types.len() > 50 || types.iter().any(|t| t.len() > 64) {
            return Err(ApiError::bad_input("filter.types", "at most 50 types of 64 characters").into());
        }
        let case_id = ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")?;
        let rows = list(&state(ctx)?.db, p, case_id, types, page).await?;
        Ok(rows.into_connection(|m| m.id, |m| DomainEvent(Arc::new(m))))
    }
}

/// The next committed event, or `None` when the feed lagged (the subscriber resumes
/// with `events(after:)`) or closed.
async fn next_event(rx: &mut broadcast::Receiver<Arc<Model>>) -> Option<Arc<Model>> {
    rx.recv().await.ok()
}

/// Whether `p` supervises case `case_id` (the referrer side of [`visible_events`]).
async fn supervises_case(db: &DatabaseConnection, p: &Principal, case_id: Option<i64>) -> bool {
    let Some(id) = case_id else {
        return false;
    };
    matches!(
        crate::case::service::get(db, p, id).await,
        Ok((_, access)) if access >= CaseAccess::Supervise
    )
}

/// Live events. Each stream carries the events committed after it started; catch up on
/// missed ones with `events(after:)`.
#[derive(Default)]
pub struct EventSubscription;

#[Subscription]
impl EventSubscription {
    /// Events of one case, as they are committed. The partner of an accepted referral
    /// sees the case's referral events addressed to it. Access is checked again for every
    /// event: the stream ends when the caller loses access to the case (the event that
    /// ended a partner's access is still delivered).
    async fn case_events(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
    ) -> Result<impl Stream<Item = DomainEvent> + use<>> {
        let p = principal(ctx)?.clone();
        let st = state(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let db = st.db.clone();
        let as_partner = match crate::case::service::get(&db, &p, case_id).await {
            Ok(_) => false,
            Err(ApiError::NotFound(_)) => {
                if crate::access::partner_reaches_case(&db, &p, case_id).await? {
                    true
                } else {
                    return Err(ApiError::NotFound("Case").into());
                }
            }
            Err(e) => return Err(e.into()),
        };
        let rx = st.feed.subscribe();
        Ok(futures::stream::unfold((rx, false), move |(mut rx, ended)| {
            let (db, p) = (db.clone(), p.clone());
            async move {
                if ended {
                    return None;
                }
                loop {
                    let e = next_event(&mut rx).await?;
                    if e.case_id != Some(case_id) {
                        continue;
                    }
                    if as_partner {
                        if !is_referral_event_for(&p, &e) {
                            continue;
                        }
                        let still = crate::access::partner_reaches_case(&db, &p, case_id)
                            .await
                            .unwrap_or(false);
                        return Some((DomainEvent(e), (rx, !still)));
                    }
                    match crate::case::service::get(&db, &p, case_id).await {
                        Ok((_, access))
                            if SUPERVISED.contains(&e.aggregate_type.as_str())
                                && access < CaseAccess::Supervise
                                && !is_referral_event_for(&p, &e) => {}
                        Ok(_) => return Some((DomainEvent(e), (rx, false))),
                        Err(_) => return None,
                    }
                }
            }
        }))
    }

    /// Referral events, as they are committed: those addressed to the caller's
    /// organisation (its partner staff and admins), and those of cases the caller
    /// supervises (probation officers, prevention inspectors): the same events as
    /// `events` returns.
    async fn referral_events(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = DomainEvent> + use<>> {
        let p = principal(ctx)?.clone();
        let st = state(ctx)?;
        let db = st.db.clone();
        let rx = st.feed.subscribe();
        let supervisor = p.has_any_role(&[Role::ProbationOfficer, Role::PreventionInspector]);
        Ok(futures::stream::unfold(rx, move |mut rx| {
            let (db, p) = (db.clone(), p.clone());
            async move {
                loop {
                    let e = next_event(&mut rx).await?;
                    if e.aggregate_type != REFERRAL {
                        continue;
                    }
                    if is_referral_event_for(&p, &e)
                        || (supervisor && supervises_case(&db, &p, e.case_id).await)
                    {
                        return Some((DomainEvent(e), rx));
                    }
                }
            }
        }))
    }
}
