//! The early-warning rule over the module's retention checks.

use hamkor_api::alert::entity::{ActingRole, AlertSeverity};
use hamkor_api::alert::rules::{CaseField, EventRule, Fired, Firing, RuleInput, payload_str};
use hamkor_api::module::BoxFuture;

/// The module's rules, for [`Module::alert_rules`](hamkor_api::module::Module::alert_rules).
pub fn rules() -> Vec<EventRule> {
    vec![EventRule {
        id: "job_lost",
        event_type: "employment.retention_checked",
        reveals: CaseField::Referrals,
        description: "a retention check found the person no longer employed",
        default_threshold: None,
        default_window_days: None,
        evaluate: job_lost,
    }]
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
