//! Domain events for clients: `events(after:)` to catch up, and live subscriptions.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use super::entity::{self as domain_event, Model};
use crate::access::events::{Audiences, Reveals, audience_condition};
use crate::access::{CaseAccess, case_access};
use crate::alert::entity::alert;
use crate::audit::reads::ReadKind;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{loaders, page, principal, state};
use crate::graphql::read_audit::audit_read;
use crate::ids;
use crate::loaders::one;
use crate::module::Registry;
use crate::pagination::{Conn, Order, Page, Paged, encode_cursor, paginate};
use crate::supervision::entity::note;
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
    /// Ids and enumerations; keys that reveal a part of the case the caller may not see
    /// are left out.
    async fn payload(&self, ctx: &Context<'_>) -> Result<async_graphql::Json<serde_json::Value>> {
        let p = principal(ctx)?;
        let auds = audiences(&state(ctx)?.modules);
        let Some(a) = auds.get(&self.0.event_type) else {
            return Ok(async_graphql::Json(serde_json::json!({})));
        };
        let access = match self.0.case_id {
            Some(id) => one(&loaders(ctx)?.cases, id)
                .await?
                .and_then(|c| case_access(p, &c)),
            None => None,
        };
        let shown = match access {
            Some(level) => a.redact(&self.0.payload, level),
            // Partners of a referral and administrators see what they were sent.
            None => self.0.payload.clone(),
        };
        // A risk level in a payload is a read of the case's risk like `Case.riskLevel`.
        if let Some(case_id) = self.0.case_id
            && reveals_risk(&self.0.event_type, &shown)
        {
            audit_read(ctx, ReadKind::Risk, case_id)?;
        }
        Ok(async_graphql::Json(shown))
    }
}

/// Whether a payload as shown carries a case's risk (`case.updated` with `riskLevel`, the
/// score and level of a risk assessment or override).
fn reveals_risk(event_type: &str, payload: &serde_json::Value) -> bool {
    payload.get("riskLevel").is_some() || event_type.starts_with("risk.")
}

const REFERRAL: &str = "Referral";

fn handles_referrals(p: &Principal) -> bool {
    p.has_any_role(&[Role::PartnerStaff, Role::OrgAdmin])
}

/// The declared audiences of every event type (the core's and the compiled-in modules').
pub fn audiences(modules: &Registry) -> Audiences {
    Audiences::new(modules.all().flat_map(|m| m.event_audiences()))
}

/// The SQL condition selecting the events `p` may see: events of cases they may see at
/// the level each event type needs ([`crate::access::events`]), referral events
/// addressed to their organisation (partner staff), events about their organisation
/// itself (its admins), and platform events (platform admins).
pub fn visible_events(p: &Principal, audiences: &Audiences) -> Condition {
    let mut any = Condition::any().add(audience_condition(p, audiences));
    if handles_referrals(p) {
        any = any.add(
            Condition::all()
                .add(domain_event::Column::AggregateType.eq(REFERRAL))
                .add(domain_event::Column::EventType.is_in(audiences.partner_types()))
                .add(domain_event::Column::OrganisationId.eq(p.organisation_id)),
        );
    }
    // Administrators follow their platform or organisation, not people: events about a
    // person (consents) are for those who supervise them, through `consents`.
    let administrative = || {
        Condition::all()
            .add(domain_event::Column::CaseId.is_null())
            .add(domain_event::Column::EventType.is_in(audiences.administrative_types()))
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
pub fn is_referral_event_for(p: &Principal, e: &Model, audiences: &Audiences) -> bool {
    e.aggregate_type == REFERRAL
        && e.organisation_id == Some(p.organisation_id)
        && handles_referrals(p)
        && audiences.get(&e.event_type).is_some_and(|a| a.to_partner)
}

/// Whether a reader with `access` to the event's case receives it (reading a note's
/// visibility when the event is about a note).
pub async fn case_reader_receives(
    db: &DatabaseConnection,
    audiences: &Audiences,
    e: &Model,
    access: CaseAccess,
) -> bool {
    let Some(a) = audiences.get(&e.event_type) else {
        return false;
    };
    let visibility = if a.reveals == Reveals::Note {
        note::Entity::find_by_id(e.aggregate_id)
            .one(db)
            .await
            .ok()
            .flatten()
            .map(|n| n.visibility)
    } else {
        None
    };
    let alert_needs = if a.reveals == Reveals::Alert {
        alert::Entity::find_by_id(e.aggregate_id)
            .one(db)
            .await
            .ok()
            .flatten()
            .map(|r| r.audience.access())
    } else {
        None
    };
    a.shown_at(access, visibility, alert_needs)
}

/// Events the caller may see, oldest first, after a cursor.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    audiences: &Audiences,
    case_id: Option<i64>,
    types: Vec<String>,
    page: Page,
) -> ApiResult<Paged<Model>> {
    let mut cond = Condition::all().add(visible_events(p, audiences));
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
    let st = state(ctx)?;
    let row = domain_event::Entity::find_by_id(id)
        .filter(visible_events(p, &audiences(&st.modules)))
        .one(&st.db)
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
        let st = state(ctx)?;
        let rows = list(&st.db, p, &audiences(&st.modules), case_id, types, page).await?;
        Ok(rows.into_connection(|m| m.id, |m| DomainEvent(Arc::new(m))))
    }
}
