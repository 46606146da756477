//! Suggestions from the casework: when a risk assessment puts a case at HIGH or
//! VERY_HIGH with a high need, and the case's officer or inspector holds no valid
//! certificate in a topic that need calls for, suggest the training to them (an alert
//! on the case, assigned to them, with the topics in its suggestion).

use hamkor_api::alert::entity::{ActingRole, AlertSeverity};
use hamkor_api::alert::rules::{CaseField, EventRule, Fired, Firing, RuleInput};
use hamkor_api::case::entity::RiskLevel;
use hamkor_api::db::now;
use hamkor_api::module::BoxFuture;
use hamkor_api::module::kit::enums::enum_name;
use hamkor_api::risk::entity as assessment;
use hamkor_api::risk::instrument::{self, RiskFactor};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::entity::{TrainingTopic, certificate};

/// The module's rules, for [`Module::alert_rules`](hamkor_api::module::Module::alert_rules).
pub fn rules() -> Vec<EventRule> {
    vec![EventRule {
        id: "training_suggestion",
        event_type: "risk.assessed",
        reveals: CaseField::Alerts,
        description: "a high-risk case with a need scored `threshold` or more (default 2) whose officer or inspector holds no valid course in a topic the need calls for",
        default_threshold: Some(instrument::HIGH_NEED),
        default_window_days: None,
        evaluate: training_suggestion,
    }]
}

/// The topics that prepare staff for a need.
pub fn topics_for(need: RiskFactor) -> &'static [TrainingTopic] {
    use TrainingTopic::*;
    match need {
        RiskFactor::SubstanceUse => &[MotivationalInterviewing, PsychologicalCounselling],
        RiskFactor::MentalHealth => &[PsychologicalCounselling],
        RiskFactor::Attitudes => &[MotivationalInterviewing],
        RiskFactor::FamilySupport => &[Mediation],
        RiskFactor::Employment | RiskFactor::Housing | RiskFactor::Peers => &[SocialReintegration],
        _ => &[],
    }
}

fn training_suggestion<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let Some(a) = assessment::Entity::find_by_id(i.event.aggregate_id)
            .one(i.db)
            .await?
        else {
            return Ok(vec![]);
        };
        if !matches!(a.level, RiskLevel::High | RiskLevel::VeryHigh) {
            return Ok(vec![]);
        }
        let high = i.threshold.unwrap_or(instrument::HIGH_NEED);
        let mut topics: Vec<TrainingTopic> = Vec::new();
        let mut first_need = None;
        for (need, score) in RiskFactor::NEEDS.iter().zip(a.answers().needs) {
            if score >= high && !topics_for(*need).is_empty() {
                first_need.get_or_insert((*need, score));
                for t in topics_for(*need) {
                    if !topics.contains(t) {
                        topics.push(*t);
                    }
                }
            }
        }
        if topics.is_empty() {
            return Ok(vec![]);
        }
        let today = now().date_naive();
        let mut out = Vec::new();
        for (acting, user) in [
            (ActingRole::ProbationOfficer, i.case.officer_id),
            (ActingRole::PreventionInspector, i.case.inspector_id),
        ] {
            let Some(user) = user else {
                continue;
            };
            let valid = certificate::Entity::find()
                .filter(certificate::Column::UserId.eq(user))
                .filter(certificate::Column::Topic.is_in(topics.clone()))
                .filter(
                    Condition::any()
                        .add(certificate::Column::ExpiresOn.is_null())
                        .add(certificate::Column::ExpiresOn.gte(today)),
                )
                .count(i.db)
                .await?;
            if valid > 0 {
                continue;
            }
            let names: Vec<String> = topics.iter().map(|t| enum_name(*t)).collect();
            let mut f = Firing::new(
                format!("training_suggestion:{}:{}:{user}", i.case.id, a.id),
                AlertSeverity::Low,
                format!("a high-risk case needs training in {}", names.join(" or ")),
                acting,
            )
            .about(a.id);
            // The need in the core's suggestion fields; the topics for clients that read
            // the raw suggestion (and in the reason).
            f.suggestion = Some(json!({
                "need": first_need.map(|(n, _)| hamkor_api::enums::enum_name(n)),
                "score": first_need.map(|(_, s)| s),
                "trainingTopics": names,
                "userId": user,
            }));
            out.push(f);
        }
        Ok(out)
    })
}
