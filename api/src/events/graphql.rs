//! Domain events for clients: `events(after:)` to catch up, and live subscriptions.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use super::entity::{self as domain_event, Model};
use crate::access::{CaseAccess, cases_with_access, visible_cases};
use crate::auth::principal::Principal;
use crate::case::entity::case;
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

fn handles_referrals(p: &Principal) -> bool {
    p.has_any_role(&[Role::PartnerStaff, Role::OrgAdmin])
}

/// The SQL condition selecting the events `p` may see: events of cases they may see,
/// referral events addressed to their organisation (partner staff), events about their
/// organisation itself (its admins), and platform events (platform admins).
pub fn visible_events(p: &Principal) -> Condition {
    let cases = |cond: Condition| {
        domain_event::Column::CaseId.in_subquery(
            Query::select()
                .column(case::Column::Id)
                .from(case::Entity)
                .cond_where(cond)
                .to_owned(),
        )
    };
    // Referrals are the agencies' work: their events need Supervise access to the case.
    let mut any = Condition::any()
        .add(
            Condition::all()
                .add(domain_event::Column::AggregateType.ne(REFERRAL))
                .add(cases(visible_cases(p))),
        )
        .add(
            Condition::all()
                .add(domain_event::Column::AggregateType.eq(REFERRAL))
                .add(cases(cases_with_access(p, CaseAccess::Supervise))),
        );
    if handles_referrals(p) {
        any = any.add(
            Condition::all()
                .add(domain_event::Column::AggregateType.eq(REFERRAL))
                .add(domain_event::Column::OrganisationId.eq(p.organisation_id)),
        );
    }
    if p.has_role(Role::OrgAdmin) {
        any = any.add(
            Condition::all()
                .add(domain_event::Column::CaseId.is_null())
                .add(domain_event::Column::OrganisationId.eq(p.organisation_id)),
        );
    }
    if p.is_platform_admin() {
        any = any.add(domain_event::Column::CaseId.is_null());
    }
    any
}

/// Whether a referral event concerns `p`'s organisation: addressed to it (a partner's
/// staff see referrals once sent, never drafts) or about a referral it made.
pub fn is_referral_event_for(p: &Principal, e: &Model) -> bool {
    if e.aggregate_type != REFERRAL {
        return false;
    }
    let from = e
        .payload
        .get("fromOrganisationId")
        .and_then(serde_json::Value::as_i64);
    (e.organisation_id == Some(p.organisation_id) && handles_referrals(p)) || from == Some(p.organisation_id)
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

/// Live events. Each stream carries the events committed after it started; catch up on
/// missed ones with `events(after:)`.
#[derive(Default)]
pub struct EventSubscription;

#[Subscription]
impl EventSubscription {
    /// Events of one case, as they are committed. The partner of an accepted referral
    /// sees the case's referral events addressed to it. Ends when the caller loses
    /// access to the case.
    async fn case_events(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
    ) -> Result<impl Stream<Item = DomainEvent> + use<>> {
        let p = principal(ctx)?.clone();
        let st = state(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let db = st.db.clone();
        let (as_partner, sees_referrals) = match crate::case::service::get(&db, &p, case_id).await {
            Ok((_, access)) => (false, access >= CaseAccess::Supervise),
            Err(ApiError::NotFound(_)) => {
                if crate::referral::service::partner_reaches_case(&db, &p, case_id).await? {
                    (true, true)
                } else {
                    return Err(ApiError::NotFound("Case").into());
                }
            }
            Err(e) => return Err(e.into()),
        };
        let rx = st.feed.subscribe();
        let events = tokio_stream::wrappers::BroadcastStream::new(rx)
            // A subscriber that fell behind the feed ends; it catches up with `events(after:)`.
            .take_while(|r| std::future::ready(r.is_ok()))
            .filter_map(|r| std::future::ready(r.ok()))
            .filter(move |e| {
                std::future::ready(
                    e.case_id == Some(case_id) && (sees_referrals || e.aggregate_type != REFERRAL),
                )
            });
        let stream = events
            .then(move |e| {
                let db = db.clone();
                let p = p.clone();
                async move {
                    // Access is checked again for every event: a withdrawn consent or a
                    // reassigned case ends the stream.
                    let allowed = if as_partner {
                        is_referral_event_for(&p, &e)
                            && crate::referral::service::partner_reaches_case(&db, &p, case_id)
                                .await
                                .unwrap_or(false)
                    } else {
                        crate::case::service::get(&db, &p, case_id).await.is_ok()
                    };
                    (allowed, e)
                }
            })
            .take_while(|(allowed, _)| std::future::ready(*allowed))
            .map(|(_, e)| DomainEvent(e));
        Ok(stream)
    }

    /// Referral events of the caller's organisation (referrals it sent or received), as
    /// they are committed.
    async fn referral_events(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = DomainEvent> + use<>> {
        let p = principal(ctx)?.clone();
        let rx = state(ctx)?.feed.subscribe();
        Ok(tokio_stream::wrappers::BroadcastStream::new(rx)
            .take_while(|r| std::future::ready(r.is_ok()))
            .filter_map(|r| std::future::ready(r.ok()))
            .filter(move |e| std::future::ready(is_referral_event_for(&p, e)))
            .map(DomainEvent))
    }
}
