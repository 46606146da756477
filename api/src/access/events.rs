//! Who receives which domain event, and which of its payload keys: the field rule of
//! `Case` ([`super::case_fields`]) applied to events.
//!
//! Every event type the platform emits declares its audience here ([`CORE_EVENTS`]) or,
//! for a module's events, through `Module::event_audiences`. An event of a case reveals
//! a part of the case ([`Reveals`]): a reader whose access to the case does not show
//! that part does not receive the event at all, and payload keys that reveal a part
//! above the reader's level are removed. `events`, `event(id)`/`node`, the
//! subscriptions and the webhook fan-out all apply it, lists as a SQL condition
//! ([`audience_condition`]). An event type without a declared audience reaches no one
//! through a case; a test derives the emitted types from the source and fails on one.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use serde_json::Value as Json;

use super::{CaseAccess, CaseField, cases_with_access, of_cases};
use crate::alert::entity::{AlertAudience, alert};
use crate::auth::principal::Principal;
use crate::events::entity as domain_event;
use crate::supervision::entity::{NoteVisibility, note};

/// What an event of a case tells its reader about the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveals {
    /// The case's basic facts, conditions, plan and the mahalla's work on it: everyone
    /// who sees the case.
    Case,
    /// One part of the case that not everyone who sees the case may see.
    Field(CaseField),
    /// A case note: needs the note's visibility (read from `case_notes` by the event's
    /// aggregate id).
    Note,
    /// An early-warning alert: needs the case's alerts and the alert's own audience (read
    /// from `alerts` by the event's aggregate id), since an alert tells what its rule saw.
    Alert,
    /// Not about a case: the organisation's admins (or the platform's) follow it.
    Administration,
}

/// The audience of one event type.
#[derive(Debug, Clone, Copy)]
pub struct EventAudience {
    pub event_type: &'static str,
    pub reveals: Reveals,
    /// Payload keys that reveal more than the event itself: shown only to a reader whose
    /// access shows that part.
    pub restricted_keys: &'static [(&'static str, CaseField)],
    /// Also delivered (and sent by webhook) to the organisation a referral event is
    /// addressed to.
    pub to_partner: bool,
}

impl EventAudience {
    pub const fn case(event_type: &'static str) -> Self {
        Self::new(event_type, Reveals::Case)
    }

    pub const fn field(event_type: &'static str, field: CaseField) -> Self {
        Self::new(event_type, Reveals::Field(field))
    }

    pub const fn alert(event_type: &'static str) -> Self {
        Self::new(event_type, Reveals::Alert)
    }

    pub const fn administration(event_type: &'static str) -> Self {
        Self::new(event_type, Reveals::Administration)
    }

    const fn new(event_type: &'static str, reveals: Reveals) -> Self {
        Self {
            event_type,
            reveals,
            restricted_keys: &[],
            to_partner: false,
        }
    }

    pub const fn restricting(mut self, keys: &'static [(&'static str, CaseField)]) -> Self {
        self.restricted_keys = keys;
        self
    }

    pub const fn partner(mut self) -> Self {
        self.to_partner = true;
        self
    }

    /// The least case access that receives the event (None: not a case audience).
    pub fn needs(&self) -> Option<CaseAccess> {
        match self.reveals {
            Reveals::Case | Reveals::Note => Some(CaseAccess::Community),
            Reveals::Field(f) => Some(f.needs()),
            Reveals::Alert => Some(CaseField::Alerts.needs()),
            Reveals::Administration => None,
        }
    }

    /// Whether a reader with `access` to the case receives the event (for a note, one
    /// of `visibility`; for an alert, one whose audience needs `alert_needs`).
    pub fn shown_at(
        &self,
        access: CaseAccess,
        visibility: Option<NoteVisibility>,
        alert_needs: Option<CaseAccess>,
    ) -> bool {
        if self.needs().is_none_or(|n| access < n) {
            return false;
        }
        match self.reveals {
            Reveals::Note => visibility.is_some_and(|v| v <= access.max_note_visibility()),
            Reveals::Alert => alert_needs.is_some_and(|n| n <= access),
            _ => true,
        }
    }

    /// `payload` without the keys `access` does not show.
    pub fn redact(&self, payload: &Json, access: CaseAccess) -> Json {
        let mut out = payload.clone();
        if let Json::Object(map) = &mut out {
            for (key, field) in self.restricted_keys {
                if !field.shown_at(access) {
                    map.remove(*key);
                }
            }
        }
        out
    }
}

use CaseField as F;
use EventAudience as A;

const RISK: &[(&str, CaseField)] = &[("riskLevel", F::RiskLevel)];
const REFERRAL: &[(&str, CaseField)] = &[("referralId", F::Referrals)];

/// The core's event types and their audiences.
pub const CORE_EVENTS: &[EventAudience] = &[
    A::case("case.opened"),
    A::case("case.updated").restricting(RISK),
    A::field("case.status_changed", F::StatusHistory),
    A::case("case.condition_added"),
    A::case("case.condition_ended"),
    A::new("case.note_added", Reveals::Note),
    A::new("case.note_edited", Reveals::Note),
    A::field("appointment.scheduled", F::Appointments),
    A::field("appointment.outcome_recorded", F::Appointments),
    A::field("appointment.updated", F::Appointments),
    A::field("violation.recorded", F::Violations),
    A::field("violation.responded", F::Violations),
    A::field("risk.assessed", F::RiskAssessments),
    A::field("risk.overridden", F::RiskAssessments),
    A::alert("alert.raised"),
    A::alert("alert.acknowledged"),
    A::alert("alert.resolved"),
    A::field("referral.created", F::Referrals).partner(),
    A::field("referral.status_changed", F::Referrals).partner(),
    A::field("referral.updated", F::Referrals).partner(),
    A::case("plan.created"),
    A::case("plan.updated"),
    A::case("plan.goal_added"),
    A::case("plan.goal_updated").restricting(REFERRAL),
    A::case("plan.action_added"),
    A::case("plan.action_updated"),
    A::case("mahalla.conference_scheduled"),
    A::case("mahalla.conference_held"),
    A::case("mahalla.conference_cancelled"),
    A::case("mahalla.task_assigned"),
    A::case("mahalla.task_completed"),
    A::case("mahalla.task_cancelled"),
    A::case("mahalla.task_overdue"),
    A::administration("mahalla.member_appointed"),
    A::administration("mahalla.member_term_ended"),
    A::administration("mahalla.programme_created"),
    A::administration("mahalla.activity_planned"),
    A::administration("mahalla.activity_recorded"),
    A::administration("alert.rule_configured"),
    A::administration("organisation.created"),
    A::administration("organisation.updated"),
    A::administration("user.created"),
    A::administration("user.updated"),
    A::administration("module.availability_changed"),
    A::administration("module.enabled"),
    A::administration("module.disabled"),
    A::administration("module.configured"),
    A::administration("webhook_endpoint.created"),
    A::administration("webhook_endpoint.updated"),
    A::administration("webhook_endpoint.deleted"),
    A::administration("webhook_endpoint.disabled"),
    A::administration("territory.region_created"),
    A::administration("territory.district_created"),
    A::administration("territory.mahalla_created"),
    A::administration("territory.mahalla_updated"),
    A::administration("person.registered"),
    A::administration("person.updated"),
    A::administration("consent.recorded"),
    A::administration("consent.withdrawn"),
];

/// The audience of a core event type.
pub fn core_audience(event_type: &str) -> Option<&'static EventAudience> {
    CORE_EVENTS.iter().find(|a| a.event_type == event_type)
}

/// Every declared audience: the core's and the compiled-in modules'.
#[derive(Debug, Clone, Default)]
pub struct Audiences(HashMap<&'static str, EventAudience>);

impl Audiences {
    pub fn new(modules: impl IntoIterator<Item = EventAudience>) -> Self {
        Self(
            CORE_EVENTS
                .iter()
                .copied()
                .chain(modules)
                .map(|a| (a.event_type, a))
                .collect(),
        )
    }

    pub fn get(&self, event_type: &str) -> Option<&EventAudience> {
        self.0.get(event_type)
    }

    pub fn all(&self) -> impl Iterator<Item = &EventAudience> {
        self.0.values()
    }

    fn types(&self, keep: impl Fn(&EventAudience) -> bool) -> Vec<&'static str> {
        let mut v: Vec<_> = self
            .0
            .values()
            .filter(|a| keep(a))
            .map(|a| a.event_type)
            .collect();
        v.sort_unstable();
        v
    }

    /// Event types addressed to a referral's partner organisation.
    pub fn partner_types(&self) -> Vec<&'static str> {
        self.types(|a| a.to_partner)
    }

    /// Event types about administration rather than a case.
    pub fn administrative_types(&self) -> Vec<&'static str> {
        self.types(|a| a.reveals == Reveals::Administration)
    }
}

/// The SQL condition selecting the case events `p` receives: for each access level,
/// the event types that level receives on the cases where `p` has that level (notes
/// by their visibility).
pub fn audience_condition(p: &Principal, audiences: &Audiences) -> Condition {
    let mut any = Condition::any().add(super::never());
    for level in [CaseAccess::Community, CaseAccess::Supervise, CaseAccess::Full] {
        let cases = || of_cases(domain_event::Column::CaseId, cases_with_access(p, level));
        let plain = audiences
            .types(|a| !matches!(a.reveals, Reveals::Note | Reveals::Alert) && a.needs() == Some(level));
        if !plain.is_empty() {
            any = any.add(
                Condition::all()
                    .add(domain_event::Column::EventType.is_in(plain))
                    .add(cases()),
            );
        }
    }
    let alerts = audiences.types(|a| a.reveals == Reveals::Alert);
    for level in [CaseAccess::Supervise, CaseAccess::Full] {
        let shown = AlertAudience::shown_at(level);
        if alerts.is_empty() || shown.is_empty() {
            continue;
        }
        let readable = Query::select()
            .column(alert::Column::Id)
            .from(alert::Entity)
            .and_where(alert::Column::Audience.is_in(shown))
            .to_owned();
        any = any.add(
            Condition::all()
                .add(domain_event::Column::EventType.is_in(alerts.clone()))
                .add(of_cases(
                    domain_event::Column::CaseId,
                    cases_with_access(p, level),
                ))
                .add(domain_event::Column::AggregateId.in_subquery(readable)),
        );
    }
    for level in [CaseAccess::Community, CaseAccess::Supervise, CaseAccess::Full] {
        let notes = audiences.types(|a| a.reveals == Reveals::Note);
        if notes.is_empty() {
            break;
        }
        let readable = Query::select()
            .column(note::Column::Id)
            .from(note::Entity)
            .and_where(note::Column::Visibility.is_in(level.readable_note_visibilities()))
            .to_owned();
        any = any.add(
            Condition::all()
                .add(domain_event::Column::EventType.is_in(notes))
                .add(of_cases(
                    domain_event::Column::CaseId,
                    cases_with_access(p, level),
                ))
                .add(domain_event::Column::AggregateId.in_subquery(readable)),
        );
    }
    any
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_mahalla_member_receives_no_violation_appointment_or_status_event() {
        for t in [
            "violation.recorded",
            "appointment.outcome_recorded",
            "case.status_changed",
            "risk.assessed",
            "referral.status_changed",
        ] {
            let a = core_audience(t).expect("declared");
            assert!(!a.shown_at(CaseAccess::Community, None, None), "{t}");
            assert!(a.shown_at(CaseAccess::Supervise, None, None), "{t}");
        }
    }

    #[test]
    fn the_risk_level_is_removed_from_case_updates_below_supervise() {
        let a = core_audience("case.updated").expect("declared");
        let payload = json!({"riskLevel": "HIGH", "officerId": 3});
        assert_eq!(a.redact(&payload, CaseAccess::Community), json!({"officerId": 3}));
        assert_eq!(a.redact(&payload, CaseAccess::Supervise), payload);
    }

    #[test]
    fn every_core_event_type_is_declared_once() {
        let mut seen = std::collections::HashSet::new();
        for a in CORE_EVENTS {
            assert!(seen.insert(a.event_type), "{} twice", a.event_type);
        }
    }
}
