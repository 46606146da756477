//! The early-warning rules: a table of definitions keyed by event type.
//!
//! An [`EventRule`] is evaluated for every committed outbox event of its `event_type`
//! that names a case; a [`SweepRule`] is evaluated periodically for time-based
//! conditions. Each returns [`Firing`]s whose `key` names the rule, the case and the
//! window: the engine inserts an alert only if no alert has that key, so a rule fires
//! once per key however often the event is delivered (delivery is at-least-once).
//!
//! The core's rules are listed here ([`CORE_EVENT_RULES`], [`SWEEP_RULES`]); a module
//! brings rules over its own events from [`Module::alert_rules`], and the engine
//! evaluates whatever the registry's modules give. A rule is a function and an entry:
//!
//! ```ignore
//! fn task_overdue<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
//!     Box::pin(async move {
//!         Ok(vec![Firing::new(format!("task_overdue:{}", i.event.aggregate_id),
//!             AlertSeverity::Medium, "a mahalla task is overdue", ActingRole::ProbationOfficer)])
//!     })
//! }
//! EventRule { id: "task_overdue", event_type: "mahalla.task_overdue", reveals: CaseField::Alerts,
//!     description: "…", default_threshold: None, default_window_days: None, evaluate: task_overdue },
//! ```
//!
//! [`Module::alert_rules`]: crate::module::Module::alert_rules

mod events;
mod plan_gap;

pub use events::missed_contacts;
pub use plan_gap::suggest_goal;
mod sweep;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::Value as Json;

use super::entity::{ActingRole, AlertSeverity};
pub use crate::access::CaseField;
use crate::case::entity::case;
use crate::events::entity::Model as DomainEvent;
use crate::module::{BoxFuture, Registry};
use crate::risk::instrument;

/// What one rule decided for one event: the alerts to raise (usually none or one).
pub type Fired = Result<Vec<Firing>, DbErr>;

/// An alert a rule asks for.
#[derive(Debug, Clone)]
pub struct Firing {
    /// Unique per rule, case and window (`missed_appointments:12:340`).
    pub key: String,
    pub severity: AlertSeverity,
    pub reason: String,
    pub acting: ActingRole,
    /// The record the alert is about (an appointment, violation, assessment, referral).
    pub subject_id: Option<i64>,
    /// A plan suggestion (need, goal domain, referral kind), when the rule has one.
    pub suggestion: Option<Json>,
}

impl Firing {
    pub fn new(key: String, severity: AlertSeverity, reason: impl Into<String>, acting: ActingRole) -> Self {
        Self {
            key,
            severity,
            reason: reason.into(),
            acting,
            subject_id: None,
            suggestion: None,
        }
    }

    /// The record the alert is about.
    pub fn about(mut self, id: i64) -> Self {
        self.subject_id = Some(id);
        self
    }
}

/// What an event rule sees: the event, its case, and the case organisation's settings.
pub struct RuleInput<'a> {
    /// The transaction the alert will be written in.
    pub db: &'a DatabaseTransaction,
    pub event: &'a DomainEvent,
    pub case: &'a case::Model,
    /// The organisation's threshold, or the rule's default.
    pub threshold: Option<i32>,
    /// The organisation's window in days, or the rule's default.
    pub window_days: Option<i32>,
    pub modules: &'a Registry,
}

/// A rule evaluated as events of one type arrive.
#[derive(Clone, Copy)]
pub struct EventRule {
    /// Stable id, used in settings and alert keys.
    pub id: &'static str,
    pub event_type: &'static str,
    /// The part of the case its alerts tell about: `CaseField::Alerts` for most; a part
    /// fewer may see (`SelfReports`) keeps the alert, its reason and its events to those
    /// who see that part.
    pub reveals: CaseField,
    pub description: &'static str,
    pub default_threshold: Option<i32>,
    pub default_window_days: Option<i32>,
    pub evaluate: for<'a> fn(&'a RuleInput<'a>) -> BoxFuture<'a, Fired>,
}

/// What a sweep rule returns: the alerts to raise, each with its case.
pub type Swept = Result<Vec<(i64, Firing)>, DbErr>;

/// The finder of a sweep rule: candidates as of a given time.
pub type SweepFn = for<'a> fn(&'a DatabaseTransaction, DateTime<Utc>) -> BoxFuture<'a, Swept>;

/// A time-based rule, evaluated by the periodic sweep: it returns `(case id, firing)`.
pub struct SweepRule {
    pub id: &'static str,
    /// As [`EventRule::reveals`].
    pub reveals: CaseField,
    pub description: &'static str,
    pub find: SweepFn,
}

/// The core's event rules; each module brings its own ([`Module::alert_rules`]).
/// Several rules may listen to one event type.
pub const CORE_EVENT_RULES: &[EventRule] = &[
    EventRule {
        id: "missed_appointments",
        event_type: "appointment.outcome_recorded",
        reveals: CaseField::Alerts,
        description: "`threshold` missed appointments (default 2) within `windowDays` days (default 30)",
        default_threshold: Some(2),
        default_window_days: Some(30),
        evaluate: events::missed_appointments,
    },
    EventRule {
        id: "violation",
        event_type: "violation.recorded",
        reveals: CaseField::Alerts,
        description: "a violation other than a curfew breach; severity follows the violation's",
        default_threshold: None,
        default_window_days: None,
        evaluate: events::violation,
    },
    EventRule {
        id: "curfew_breach",
        event_type: "violation.recorded",
        reveals: CaseField::Alerts,
        description: "a curfew breach: the inspector checks at home",
        default_threshold: None,
        default_window_days: None,
        evaluate: events::curfew_breach,
    },
    EventRule {
        id: "mahalla_task_overdue",
        event_type: "mahalla.task_overdue",
        reveals: CaseField::Alerts,
        description: "a task given to a member of the mahalla's seven is past its due date",
        default_threshold: None,
        default_window_days: None,
        evaluate: events::mahalla_task_overdue,
    },
    EventRule {
        id: "plan_gap",
        event_type: "risk.assessed",
        reveals: CaseField::Alerts,
        description: "a dynamic need scored `threshold` or more (default 2) with no plan goal for it",
        default_threshold: Some(instrument::HIGH_NEED),
        default_window_days: None,
        evaluate: plan_gap::plan_gap,
    },
];

/// Every sweep rule.
pub const SWEEP_RULES: &[SweepRule] = &[
    SweepRule {
        id: "reassessment_overdue",
        reveals: CaseField::Alerts,
        description: "the assessment in force of an active case is past its reassessment date",
        find: sweep::reassessment_overdue,
    },
    SweepRule {
        id: "referral_sla",
        reveals: CaseField::Alerts,
        description: "a sent referral has had no answer past its first-response deadline",
        find: sweep::referral_sla,
    },
];

/// Every event rule of this build: the core's, then each module's in registry order.
pub fn event_rules(modules: &Registry) -> Vec<EventRule> {
    let mut rules = CORE_EVENT_RULES.to_vec();
    for m in modules.all() {
        rules.extend(m.alert_rules());
    }
    rules
}

/// The ids of every rule of this build, event and sweep.
pub fn all_ids(modules: &Registry) -> Vec<&'static str> {
    event_rules(modules)
        .iter()
        .map(|r| r.id)
        .chain(SWEEP_RULES.iter().map(|r| r.id))
        .collect()
}

/// A string field of an event's payload.
pub fn payload_str<'a>(e: &'a DomainEvent, key: &str) -> Option<&'a str> {
    e.payload.get(key).and_then(Json::as_str)
}
