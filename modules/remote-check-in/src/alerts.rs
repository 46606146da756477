//! Early-warning rules over the module's events: a person who says they are
//! struggling, a support need with no plan goal in its domain (the core's plan-gap
//! suggestion), and an expired check-in — counted with missed appointments by the
//! core's `missed_appointments` rule (`Module::missed_contacts`), and raised at once by
//! `check_in_missed`.

use hamkor_api::alert::entity::{ActingRole, AlertSeverity};
use hamkor_api::alert::rules::{
    CaseField, EventRule, Fired, Firing, RuleInput, missed_contacts, payload_str, suggest_goal,
};
use hamkor_api::module::BoxFuture;
use hamkor_api::risk::instrument::RiskFactor;
use serde_json::Value as Json;

use crate::entity::SupportNeed;

/// The risk instrument's need a support need speaks to, if any.
pub fn need_of(n: SupportNeed) -> Option<RiskFactor> {
    match n {
        SupportNeed::Housing => Some(RiskFactor::Housing),
        SupportNeed::WorkOrStudy => Some(RiskFactor::Employment),
        SupportNeed::Health => Some(RiskFactor::MentalHealth),
        SupportNeed::AlcoholOrDrugs => Some(RiskFactor::SubstanceUse),
        SupportNeed::Family => Some(RiskFactor::FamilySupport),
        SupportNeed::Money | SupportNeed::Other => None,
    }
}

fn struggling<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "wellbeing") != Some("STRUGGLING") {
            return Ok(vec![]);
        }
        Ok(vec![
            Firing::new(
                format!("check_in_struggling:{}:{}", i.case.id, i.event.aggregate_id),
                AlertSeverity::High,
                "the person said in a remote check-in that they are struggling",
                ActingRole::ProbationOfficer,
            )
            .about(i.event.aggregate_id),
        ])
    })
}

fn support_gap<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        use sea_orm::Iterable;
        let named: Vec<&str> = i
            .event
            .payload
            .get("supportNeeds")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for n in SupportNeed::iter().filter(|n| named.contains(&crate::entity::enum_name(*n).as_str())) {
            let Some(need) = need_of(n) else {
                continue;
            };
            let key = format!(
                "check_in_support_gap:{}:{}:{}",
                i.case.id,
                i.event.aggregate_id,
                crate::entity::enum_name(n)
            );
            let said = crate::entity::enum_name(n);
            let reason = |domain: &str| {
                format!("the person asked for help with {said} and the plan has no {domain} goal")
            };
            if let Some(f) = suggest_goal(i.db, i.modules, i.case.id, need, key, reason).await? {
                out.push(f.about(i.event.aggregate_id));
            }
        }
        Ok(out)
    })
}

fn missed<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        Ok(vec![
            Firing::new(
                format!("check_in_missed:{}:{}", i.case.id, i.event.aggregate_id),
                AlertSeverity::Medium,
                "a remote check-in was missed and has expired",
                ActingRole::ProbationOfficer,
            )
            .about(i.event.aggregate_id),
        ])
    })
}

fn missed_window<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let opens = i
            .event
            .payload
            .get("opensAt")
            .and_then(Json::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or(i.event.occurred_at);
        missed_contacts(i, opens).await
    })
}

pub fn rules() -> Vec<EventRule> {
    vec![
        EventRule {
            id: "check_in_struggling",
            event_type: "remote_check_in.submitted",
            reveals: CaseField::SelfReports,
            description: "a person says in a remote check-in that they are struggling",
            default_threshold: None,
            default_window_days: None,
            evaluate: struggling,
        },
        EventRule {
            id: "check_in_support_gap",
            event_type: "remote_check_in.submitted",
            reveals: CaseField::SelfReports,
            description: "a support need asked for in a remote check-in has no plan goal in its domain: suggest one",
            default_threshold: None,
            default_window_days: None,
            evaluate: support_gap,
        },
        EventRule {
            id: "check_in_missed",
            event_type: "remote_check_in.expired",
            reveals: CaseField::SelfReports,
            description: "a remote check-in expired unanswered",
            default_threshold: None,
            default_window_days: None,
            evaluate: missed,
        },
        EventRule {
            id: "missed_check_ins",
            event_type: "remote_check_in.expired",
            reveals: CaseField::SelfReports,
            description: "`threshold` missed appointments and expired check-ins together (default 2) within `windowDays` days (default 30)",
            default_threshold: Some(2),
            default_window_days: Some(30),
            evaluate: missed_window,
        },
    ]
}
