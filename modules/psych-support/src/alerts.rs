//! The early-warning rule over the provider's safety flags.

use hamkor_api::alert::entity::{ActingRole, AlertSeverity};
use hamkor_api::alert::rules::{CaseField, EventRule, Fired, Firing, RuleInput};
use hamkor_api::module::BoxFuture;
use serde_json::Value as Json;

/// The module's rules, for [`Module::alert_rules`](hamkor_api::module::Module::alert_rules).
pub fn rules() -> Vec<EventRule> {
    vec![EventRule {
        id: "safety_flag",
        event_type: "psych_support.safety_flag_raised",
        reveals: CaseField::Referrals,
        description: "the psychological-support provider raised an urgent safety flag",
        default_threshold: None,
        default_window_days: None,
        evaluate: safety_flag,
    }]
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
