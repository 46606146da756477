//! The early-warning rules: a table of definitions keyed by event type.
//!
//! An [`EventRule`] is evaluated for every committed outbox event of its `event_type`
//! that names a case; a [`SweepRule`] is evaluated periodically for time-based
//! conditions. Each returns [`Firing`]s whose `key` names the rule, the case and the
//! window: the engine inserts an alert only if no alert has that key, so a rule fires
//! once per key however often the event is delivered (delivery is at-least-once).
//!
//! Adding a rule for a module's event is a function and one entry in [`EVENT_RULES`]:
//!
//! ```ignore
//! fn task_overdue(i: &RuleInput<'_>) -> BoxFuture<'_, Fired> {
//!     Box::pin(async move {
//!         Ok(vec![Firing::new(format!("task_overdue:{}", i.event.aggregate_id),
//!             AlertSeverity::Medium, "a mahalla task is overdue", ActingRole::ProbationOfficer)])
//!     })
//! }
//! // in EVENT_RULES:
//! EventRule { id: "task_overdue", event_type: "mahalla.task_overdue",
//!     description: "…", default_threshold: None, default_window_days: None, evaluate: task_overdue },
//! ```

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value as Json, json};

use super::entity::{ActingRole, AlertSeverity};
use crate::case::entity::{CaseStatus, case};
use crate::events::entity::Model as DomainEvent;
use crate::module::{BoxFuture, Registry};
use crate::plan::entity::goal;
use crate::referral::entity::{ReferralStatus, referral};
use crate::risk::entity as assessment;
use crate::risk::instrument::{self, RiskFactor};
use crate::supervision::entity::{AppointmentOutcome, appointment};

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
pub struct EventRule {
    /// Stable id, used in settings and alert keys.
    pub id: &'static str,
    pub event_type: &'static str,
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
    pub description: &'static str,
    pub find: SweepFn,
}

/// Every event rule. Several rules may listen to one event type.
pub const EVENT_RULES: &[EventRule] = &[
    EventRule {
        id: "missed_appointments",
        event_type: "appointment.outcome_recorded",
        description: "`threshold` missed appointments (default 2) within `windowDays` days (default 30)",
        default_threshold: Some(2),
        default_window_days: Some(30),
        evaluate: missed_appointments,
    },
    EventRule {
        id: "violation",
        event_type: "violation.recorded",
        description: "a violation other than a curfew breach; severity follows the violation's",
        default_threshold: None,
        default_window_days: None,
        evaluate: violation,
    },
    EventRule {
        id: "curfew_breach",
        event_type: "violation.recorded",
        description: "a curfew breach: the inspector checks at home",
        default_threshold: None,
        default_window_days: None,
        evaluate: curfew_breach,
    },
    EventRule {
        id: "job_lost",
        event_type: "employment.retention_checked",
        description: "a retention check found the person no longer employed",
        default_threshold: None,
        default_window_days: None,
        evaluate: job_lost,
    },
    EventRule {
        id: "safety_flag",
        event_type: "psych_support.safety_flag_raised",
        description: "the psychological-support provider raised an urgent safety flag",
        default_threshold: None,
        default_window_days: None,
        evaluate: safety_flag,
    },
    EventRule {
        id: "education_absence",
        event_type: "education.absence_alert",
        description: "the education provider reports repeated absence",
        default_threshold: None,
        default_window_days: None,
        evaluate: education_absence,
    },
    EventRule {
        id: "mahalla_task_overdue",
        event_type: "mahalla.task_overdue",
        description: "a task given to a member of the mahalla's seven is past its due date",
        default_threshold: None,
        default_window_days: None,
        evaluate: mahalla_task_overdue,
    },
    EventRule {
        id: "plan_gap",
        event_type: "risk.assessed",
        description: "a dynamic need scored `threshold` or more (default 2) with no plan goal for it",
        default_threshold: Some(instrument::HIGH_NEED),
        default_window_days: None,
        evaluate: plan_gap,
    },
];

/// Every sweep rule.
pub const SWEEP_RULES: &[SweepRule] = &[
    SweepRule {
        id: "reassessment_overdue",
        description: "the assessment in force of an active case is past its reassessment date",
        find: reassessment_overdue,
    },
    SweepRule {
        id: "referral_sla",
        description: "a sent referral has had no answer past its first-response deadline",
        find: referral_sla,
    },
];

/// The ids of every rule, event and sweep.
pub fn all_ids() -> impl Iterator<Item = &'static str> {
    EVENT_RULES
        .iter()
        .map(|r| r.id)
        .chain(SWEEP_RULES.iter().map(|r| r.id))
}

fn payload_str<'a>(e: &'a DomainEvent, key: &str) -> Option<&'a str> {
    e.payload.get(key).and_then(Json::as_str)
}

fn missed_appointments<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "outcome") != Some("MISSED") {
            return Ok(vec![]);
        }
        let threshold = i.threshold.unwrap_or(2).max(1) as usize;
        let days = i.window_days.unwrap_or(30).max(1);
        let Some(missed) = appointment::Entity::find_by_id(i.event.aggregate_id)
            .one(i.db)
            .await?
        else {
            return Ok(vec![]);
        };
        let since = missed.scheduled_at - Duration::days(i64::from(days));
        let window: Vec<(i64,)> = appointment::Entity::find()
            .select_only()
            .column(appointment::Column::Id)
            .filter(appointment::Column::CaseId.eq(i.case.id))
            .filter(appointment::Column::Outcome.eq(AppointmentOutcome::Missed))
            .filter(appointment::Column::ScheduledAt.gte(since))
            .filter(appointment::Column::ScheduledAt.lte(missed.scheduled_at))
            .order_by_asc(appointment::Column::ScheduledAt)
            .order_by_asc(appointment::Column::Id)
            .into_tuple()
            .all(i.db)
            .await?;
        if window.len() < threshold {
            return Ok(vec![]);
        }
        // The window is named by its first missed appointment: later misses inside the
        // same window do not fire again.
        let first = window[0].0;
        Ok(vec![Firing::new(
            format!("missed_appointments:{}:{first}", i.case.id),
            AlertSeverity::High,
            format!("{} missed appointments within {days} days", window.len()),
            ActingRole::ProbationOfficer,
        )])
    })
}

fn violation<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "kind") == Some("CURFEW_BREACH") {
            return Ok(vec![]);
        }
        let severity = match payload_str(i.event, "severity") {
            Some("SERIOUS") => AlertSeverity::Critical,
            Some("MODERATE") => AlertSeverity::High,
            _ => AlertSeverity::Medium,
        };
        let kind = payload_str(i.event, "kind").unwrap_or("OTHER");
        Ok(vec![Firing::new(
            format!("violation:{}:{}", i.case.id, i.event.aggregate_id),
            severity,
            format!("violation recorded: {kind}"),
            ActingRole::ProbationOfficer,
        )])
    })
}

fn curfew_breach<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "kind") != Some("CURFEW_BREACH") {
            return Ok(vec![]);
        }
        Ok(vec![Firing::new(
            format!("curfew_breach:{}:{}", i.case.id, i.event.aggregate_id),
            AlertSeverity::High,
            "curfew breach recorded",
            ActingRole::PreventionInspector,
        )])
    })
}

fn job_lost<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "outcome") != Some("NOT_EMPLOYED") {
            return Ok(vec![]);
        }
        Ok(vec![Firing::new(
            format!("job_lost:{}:{}", i.case.id, i.event.aggregate_id),
            AlertSeverity::Medium,
            "the person is no longer employed",
            ActingRole::ProbationOfficer,
        )])
    })
}

fn safety_flag<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let screening = i.event.payload.get("screeningId").and_then(Json::as_i64);
        Ok(vec![Firing::new(
            format!("safety_flag:{}:{}", i.case.id, screening.unwrap_or(i.event.id)),
            AlertSeverity::Critical,
            "urgent safety flag from psychological support",
            ActingRole::ProbationOfficer,
        )])
    })
}

fn education_absence<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        Ok(vec![Firing::new(
            format!("education_absence:{}:{}", i.case.id, i.event.id),
            AlertSeverity::Medium,
            "repeated absence from an education programme",
            ActingRole::ProbationOfficer,
        )])
    })
}

fn mahalla_task_overdue<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        Ok(vec![Firing::new(
            format!("mahalla_task_overdue:{}", i.event.aggregate_id),
            AlertSeverity::Low,
            "a task of the mahalla's seven is overdue",
            ActingRole::PreventionInspector,
        )])
    })
}

fn plan_gap<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let Some(a) = assessment::Entity::find_by_id(i.event.aggregate_id)
            .one(i.db)
            .await?
        else {
            return Ok(vec![]);
        };
        let high = i.threshold.unwrap_or(instrument::HIGH_NEED);
        let covered: Vec<goal::Model> = goal::Entity::find()
            .filter(goal::Column::CaseId.eq(i.case.id))
            .all(i.db)
            .await?;
        let mut out = Vec::new();
        for (need, score) in RiskFactor::NEEDS.iter().zip(a.answers().needs) {
            let Some(domain) = need.plan_domain() else {
                continue;
            };
            if score < high || covered.iter().any(|g| g.domain == domain) {
                continue;
            }
            let referral_kind = match need.referral_module() {
                Some(m) => offered_kind(i.db, i.modules, m).await?,
                None => None,
            };
            let need_name = crate::enums::enum_name(*need);
            let domain_name = crate::enums::enum_name(domain);
            let mut firing = Firing::new(
                format!("plan_gap:{}:{}:{need_name}", i.case.id, a.id),
                AlertSeverity::Medium,
                format!("{need_name} need scored {score} and the plan has no {domain_name} goal"),
                ActingRole::ProbationOfficer,
            );
            firing.suggestion = Some(json!({
                "need": need_name,
                "score": score,
                "goalDomain": domain_name,
                "referralKind": referral_kind,
            }));
            out.push(firing);
        }
        Ok(out)
    })
}

/// The first referral kind of `module_id`, when it is compiled in, available and
/// enabled by at least one organisation (someone can take the referral).
async fn offered_kind<C: ConnectionTrait>(
    db: &C,
    modules: &Registry,
    module_id: &str,
) -> Result<Option<&'static str>, DbErr> {
    use crate::module::entity::{module, organisation_module};
    let Some(m) = modules.get(module_id) else {
        return Ok(None);
    };
    let Some(kind) = m.referral_kinds().first().map(|k| k.code) else {
        return Ok(None);
    };
    let withdrawn = module::Entity::find_by_id(module_id.to_owned())
        .one(db)
        .await?
        .is_some_and(|r| !r.available);
    if withdrawn {
        return Ok(None);
    }
    let enabled = organisation_module::Entity::find()
        .filter(organisation_module::Column::ModuleId.eq(module_id))
        .filter(organisation_module::Column::Enabled.eq(true))
        .one(db)
        .await?
        .is_some();
    Ok(enabled.then_some(kind))
}

/// Most candidates one sweep rule looks at per sweep (the rest wait for the next one).
const SWEEP_BATCH: u64 = 500;

fn reassessment_overdue(db: &DatabaseTransaction, now: DateTime<Utc>) -> BoxFuture<'_, Swept> {
    Box::pin(async move {
        let today = now.date_naive();
        let rows = assessment::Entity::find()
            .filter(assessment::Column::Superseded.eq(false))
            .filter(assessment::Column::ReassessmentDue.lt(today))
            .filter(
                assessment::Column::CaseId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(case::Column::Id)
                        .from(case::Entity)
                        .and_where(case::Column::Status.eq(CaseStatus::Active))
                        .to_owned(),
                ),
            )
            .filter(not_alerted(
                "reassessment_overdue",
                Expr::col((assessment::Entity, assessment::Column::Id)),
            ))
            .order_by_asc(assessment::Column::ReassessmentDue)
            .limit(SWEEP_BATCH)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                (
                    a.case_id,
                    Firing::new(
                        format!("reassessment_overdue:{}:{}", a.case_id, a.id),
                        AlertSeverity::Medium,
                        format!("risk reassessment was due on {}", a.reassessment_due),
                        ActingRole::ProbationOfficer,
                    )
                    .about(a.id),
                )
            })
            .collect())
    })
}

fn referral_sla(db: &DatabaseTransaction, now: DateTime<Utc>) -> BoxFuture<'_, Swept> {
    Box::pin(async move {
        let rows = referral::Entity::find()
            .filter(referral::Column::Status.eq(ReferralStatus::Sent))
            .filter(referral::Column::FirstResponseDueAt.lt(now))
            .filter(not_alerted(
                "referral_sla",
                Expr::col((referral::Entity, referral::Column::Id)),
            ))
            .order_by_asc(referral::Column::FirstResponseDueAt)
            .limit(SWEEP_BATCH)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.case_id,
                    Firing::new(
                        format!("referral_sla:{}:{}", r.case_id, r.id),
                        AlertSeverity::Medium,
                        "a referral has had no answer past its response deadline",
                        ActingRole::ProbationOfficer,
                    )
                    .about(r.id),
                )
            })
            .collect())
    })
}

/// `NOT EXISTS` an alert of `rule` about the record whose id is `id`: the sweep's
/// candidates shrink as it fires, so a batch never stays stuck on records already alerted.
fn not_alerted(rule: &'static str, id: Expr) -> Expr {
    use super::entity::alert;
    use sea_orm::sea_query::ExprTrait;
    Expr::exists(
        sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .from(alert::Entity)
            .and_where(Expr::col((alert::Entity, alert::Column::Rule)).eq(rule))
            .and_where(Expr::col((alert::Entity, alert::Column::SubjectId)).eq(id))
            .to_owned(),
    )
    .not()
}
