//! Early-warning rules over the module's incidents: every incident alerts the case's
//! probation officer; a curfew breach or a tamper also sends the prevention inspector
//! (a check at home).

use hamkor_api::alert::entity::{ActingRole, AlertSeverity};
use hamkor_api::alert::rules::{CaseField, EventRule, Fired, Firing, RuleInput};
use hamkor_api::module::BoxFuture;
use serde_json::Value as Json;

/// The module's rules, for [`Module::alert_rules`](hamkor_api::module::Module::alert_rules).
pub fn rules() -> Vec<EventRule> {
    vec![
        EventRule {
            id: "monitoring_incident",
            event_type: "electronic_monitoring.incident_opened",
            reveals: CaseField::Monitoring,
            description: "electronic monitoring opened an incident: the officer decides whether it is a violation",
            default_threshold: None,
            default_window_days: None,
            evaluate: for_officer,
        },
        EventRule {
            id: "monitoring_incident_check",
            event_type: "electronic_monitoring.incident_opened",
            reveals: CaseField::Monitoring,
            description: "a curfew breach or tamper seen by electronic monitoring: the inspector checks at home",
            default_threshold: None,
            default_window_days: None,
            evaluate: for_inspector,
        },
    ]
}

fn facts(i: &RuleInput<'_>) -> (i64, String, AlertSeverity) {
    let p = &i.event.payload;
    let id = p
        .get("incidentId")
        .and_then(Json::as_i64)
        .unwrap_or(i.event.aggregate_id);
    let kind = p
        .get("kind")
        .and_then(Json::as_str)
        .unwrap_or("INCIDENT")
        .to_owned();
    let severity = match p.get("severity").and_then(Json::as_str) {
        Some("HIGH") => AlertSeverity::High,
        Some("LOW") => AlertSeverity::Low,
        _ => AlertSeverity::Medium,
    };
    (id, kind, severity)
}

fn reason(kind: &str) -> String {
    let what = match kind {
        "CURFEW" => "away from home during the curfew",
        "LEFT_AREA" => "outside the area the person must stay within",
        "ENTERED_FORBIDDEN_AREA" => "inside a zone the person must stay out of",
        "TAMPER" => "the tag was tampered with",
        "SIGNAL_LOSS" => "the tag's signal was lost",
        "LOW_BATTERY" => "the tag's battery is low",
        _ => "a device fault",
    };
    format!("electronic monitoring: {what}")
}

fn for_officer<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let (id, kind, severity) = facts(i);
        Ok(vec![
            Firing::new(
                format!("monitoring_incident:{}:{id}", i.case.id),
                severity,
                reason(&kind),
                ActingRole::ProbationOfficer,
            )
            .about(id),
        ])
    })
}

fn for_inspector<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let (id, kind, severity) = facts(i);
        if !matches!(kind.as_str(), "CURFEW" | "TAMPER") {
            return Ok(vec![]);
        }
        Ok(vec![
            Firing::new(
                format!("monitoring_incident_check:{}:{id}", i.case.id),
                severity,
                reason(&kind),
                ActingRole::PreventionInspector,
            )
            .about(id),
        ])
    })
}
