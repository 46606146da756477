//! Which domain events go to which organisation's webhooks, and what they carry.
//!
//! A webhook goes to the organisation a referral event is addressed to: the same rule
//! that lets that organisation's partner staff see the event
//! ([`crate::events::graphql::is_referral_event_for`]), for the event types whose declared
//! audience includes the partner ([`crate::access::events`]). Drafts are addressed to no one,
//! so a partner hears of a referral once it is sent. The body carries global ids and
//! enumerations only: the receiver reads the rest through the API, with its own rights.
//!
//! A module's events of the administration audience (not about a case: a training
//! certificate, say) go to the organisation the event names, whose admins follow them;
//! their body names the event and the record it is about.

use serde_json::{Value, json};

use crate::access::events::{Reveals, core_audience};
use crate::events::entity::Model as DomainEvent;
use crate::ids;
use crate::module::Registry;

/// The webhook event types an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 7] = [
    "referral.sent",
    "referral.accepted",
    "referral.declined",
    "referral.in_progress",
    "referral.completed",
    "referral.cancelled",
    "referral.updated",
];

/// Every event type an endpoint may subscribe to: the referral events, and each
/// compiled-in module's events of the administration audience.
pub fn event_types(modules: &Registry) -> Vec<&'static str> {
    let mut types = EVENT_TYPES.to_vec();
    for m in modules.all() {
        for a in m.event_audiences() {
            if a.reveals == Reveals::Administration && core_audience(a.event_type).is_none() {
                types.push(a.event_type);
            }
        }
    }
    types
}

/// The webhook event type of `e` and the organisation it is for, when it goes to one.
/// An event of no core type, about no case, goes to the organisation it names: only an
/// endpoint subscribed to its type receives it, and only a module's administration
/// types may be subscribed to ([`event_types`]).
pub fn route(e: &DomainEvent) -> Option<(String, i64)> {
    if core_audience(&e.event_type).is_none() && e.case_id.is_none() && e.aggregate_type != "Referral" {
        return e.organisation_id.map(|org| (e.event_type.clone(), org));
    }
    let to_partner = crate::access::events::core_audience(&e.event_type).is_some_and(|a| a.to_partner);
    if e.aggregate_type != "Referral" || !to_partner {
        return None;
    }
    let organisation = e.organisation_id?;
    let kind = match e.event_type.as_str() {
        "referral.status_changed" => {
            let status = e.payload.get("status")?.as_str()?;
            format!("referral.{}", status.to_ascii_lowercase())
        }
        other => other.to_owned(),
    };
    EVENT_TYPES
        .contains(&kind.as_str())
        .then_some((kind, organisation))
}

fn global(type_name: &str, v: Option<&Value>) -> Value {
    match v.and_then(Value::as_i64) {
        Some(id) => json!(ids::encode(type_name, id).to_string()),
        None => Value::Null,
    }
}

/// The JSON body of the webhook of `e` (Standard Webhooks' `type`, `timestamp`, `data`).
pub fn body(e: &DomainEvent, event_type: &str) -> Vec<u8> {
    let p = &e.payload;
    let data = if e.aggregate_type == "Referral" {
        referral_data(e, p)
    } else {
        json!({
            "eventId": ids::encode("DomainEvent", e.id).to_string(),
            "subjectId": ids::encode(&e.aggregate_type, e.aggregate_id).to_string(),
            "organisationId": global("Organisation", e.organisation_id.map(Value::from).as_ref()),
        })
    };
    json!({
        "type": event_type,
        "timestamp": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": data,
    })
    .to_string()
    .into_bytes()
}

fn referral_data(e: &DomainEvent, p: &Value) -> Value {
    json!({
        "eventId": ids::encode("DomainEvent", e.id).to_string(),
        "referralId": global("Referral", p.get("referralId")),
        "status": p.get("status"),
        "previousStatus": p.get("from"),
        "kind": p.get("kind"),
        "module": p.get("module"),
        "fromOrganisationId": global("Organisation", p.get("fromOrganisationId")),
        "toOrganisationId": global("Organisation", p.get("toOrganisationId")),
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn event(event_type: &str, organisation: Option<i64>, status: &str) -> DomainEvent {
        DomainEvent {
            id: 7,
            occurred_at: Utc::now(),
            event_type: event_type.into(),
            aggregate_type: "Referral".into(),
            aggregate_id: 3,
            case_id: Some(1),
            organisation_id: organisation,
            actor_user_id: None,
            payload: json!({"referralId": 3, "status": status, "from": "DRAFT", "toOrganisationId": 5}),
            traceparent: None,
        }
    }

    #[test]
    fn a_sent_referral_goes_to_its_partner_as_referral_sent() {
        let e = event("referral.status_changed", Some(5), "SENT");
        assert_eq!(route(&e), Some(("referral.sent".to_owned(), 5)));
    }

    #[test]
    fn events_addressed_to_no_organisation_go_nowhere() {
        assert_eq!(route(&event("referral.created", None, "DRAFT")), None);
    }

    #[test]
    fn the_body_carries_global_ids_only() {
        let e = event("referral.status_changed", Some(5), "SENT");
        let v: Value = serde_json::from_slice(&body(&e, "referral.sent")).expect("json");
        assert_eq!(v["type"], "referral.sent");
        assert_eq!(
            v["data"]["referralId"],
            json!(ids::encode("Referral", 3).to_string())
        );
        assert_eq!(v["data"]["status"], "SENT");
    }
}
