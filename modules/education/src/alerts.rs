//! The early-warning rule over the provider's absence reports.

use hamkor_api::alert::entity::{ActingRole, AlertSeverity};
use hamkor_api::alert::rules::{CaseField, EventRule, Fired, Firing, RuleInput};
use hamkor_api::module::BoxFuture;

/// The module's rules, for [`Module::alert_rules`](hamkor_api::module::Module::alert_rules).
pub fn rules() -> Vec<EventRule> {
    vec![EventRule {
        id: "education_absence",
        event_type: "education.absence_alert",
        reveals: CaseField::Referrals,
        description: "the education provider reports repeated absence",
        default_threshold: None,
        default_window_days: None,
        evaluate: education_absence,
    }]
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
