//! The transactional outbox: every state change writes its domain event in the same
//! transaction, so an event exists if and only if its change was committed.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde_json::Value as Json;

use super::entity as domain_event;
use crate::auth::principal::Principal;

/// A domain event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    event_type: &'static str,
    aggregate: (&'static str, i64),
    case_id: Option<i64>,
    organisation_id: Option<i64>,
    payload: Json,
}

impl NewEvent {
    /// An event of `event_type` (e.g. `case.status_changed`) about one aggregate.
    pub fn new(event_type: &'static str, aggregate_type: &'static str, aggregate_id: i64) -> Self {
        Self {
            event_type,
            aggregate: (aggregate_type, aggregate_id),
            case_id: None,
            organisation_id: None,
            payload: Json::Object(Default::default()),
        }
    }

    pub fn case(mut self, case_id: i64) -> Self {
        self.case_id = Some(case_id);
        self
    }

    pub fn organisation(mut self, organisation_id: i64) -> Self {
        self.organisation_id = Some(organisation_id);
        self
    }

    /// Ids and enumerations: subscribers re-read what they may see through the API.
    pub fn payload(mut self, payload: Json) -> Self {
        self.payload = payload;
        self
    }
}

/// An event type named where it is passed on to [`NewEvent::new`] by a helper: the
/// event-audience test finds every emitted type as a literal in `NewEvent::new("…")` or
/// `event_type("…")`, so each one must have a declared audience
/// ([`crate::access::events`]).
pub const fn event_type(name: &'static str) -> &'static str {
    name
}

/// A change that came from a field device names it in the payload (`deviceId`).
fn with_device(mut payload: Json, actor: Option<&Principal>) -> Json {
    if let (Some(device), Json::Object(map)) = (actor.and_then(|p| p.meta.device.as_ref()), &mut payload) {
        map.insert("deviceId".into(), Json::String(device.clone()));
    }
    payload
}

/// Append an event (call inside the transaction of the change).
pub async fn emit<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Principal>,
    event: NewEvent,
) -> Result<(), DbErr> {
    let row = domain_event::ActiveModel {
        occurred_at: Set(crate::db::now()),
        event_type: Set(event.event_type.to_owned()),
        aggregate_type: Set(event.aggregate.0.to_owned()),
        aggregate_id: Set(event.aggregate.1),
        case_id: Set(event.case_id),
        organisation_id: Set(event.organisation_id),
        actor_user_id: Set(actor.map(|p| p.user_id)),
        payload: Set(with_device(event.payload, actor)),
        traceparent: Set(crate::telemetry::current_traceparent()),
        ..Default::default()
    };
    domain_event::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
