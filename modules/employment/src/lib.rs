//! The employment module: employment centres and NGOs register employers and publish
//! vacancies; a case gets a job-seeker profile; `matches` ranks open vacancies for the
//! person with an explanation per factor, never offering a shift that breaks the curfew
//! or a workplace outside the allowed areas as a fit; a referral of kind `employment`
//! carries applications to hiring, a placement and retention checks at 30, 90 and 180
//! days; `outcomes` counts referred, matched, hired and still employed at 90 days.
//!
//! Who does what:
//! - partner staff (`PARTNER_STAFF`, `ORG_ADMIN` of an organisation with the module
//!   enabled) register employers, publish vacancies, work the employment referrals
//!   their organisation received (applications, placements, checks);
//! - the agencies supervising a case (Supervise access) and the partner working its
//!   employment referral edit the job-seeker profile and match it;
//! - anyone whose organisation enabled the module sees the vacancies.

pub mod alerts;
pub mod entity;
pub mod graphql;
pub mod loaders;
pub mod matching;
pub mod migration;
pub mod seed;
pub mod service;

use async_graphql::Context;
use hamkor_api::access::CaseField;
use hamkor_api::access::events::EventAudience;
use hamkor_api::alert::rules::EventRule;
use hamkor_api::module::schema::AddExternalIds;
use hamkor_api::module::{
    ConfigError, Module, ModuleFeature, Permission, ReferralKind, is_enabled, parse_config,
};
use hamkor_api::risk::instrument::RiskFactor;
use hamkor_api::user::entity::Role;
use sea_orm_migration::MigrationTrait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use graphql::{EmploymentMutationRoot, EmploymentQueryRoot};
pub use matching::Weights;

/// The module id: GraphQL namespace `employment`, referral kind `employment`.
pub const ID: &str = "employment";

/// Whether the caller's organisation has the module enabled (hides its schema otherwise).
pub fn employment_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// The employment module.
pub struct Employment;

/// An organisation's configuration of the module.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmploymentConfig {
    /// The weight of each matching factor.
    #[serde(default)]
    pub weights: Weights,
}

impl EmploymentConfig {
    /// The stored configuration (already validated), or the defaults.
    pub fn from_json(raw: Option<&Json>) -> Self {
        raw.and_then(|j| serde_json::from_value(j.clone()).ok())
            .unwrap_or_default()
    }
}

impl Module for Employment {
    /// In work at the assessment: hired with a start before it, and no retention check
    /// before it found the person out of that job.
    fn risk_features(&self) -> Vec<ModuleFeature> {
        vec![ModuleFeature {
            name: "employed",
            label: "in work (through an employment referral) at the assessment",
            sql: |q| {
                format!(
                    "CASE WHEN EXISTS (SELECT 1 FROM employment_applications a WHERE a.case_id = ia.case_id \
                     AND a.status = 'HIRED' AND a.start_date IS NOT NULL AND {} \
                     AND NOT EXISTS (SELECT 1 FROM employment_retention_checks r WHERE r.application_id = a.id \
                     AND r.outcome = 'NOT_EMPLOYED' AND {})) THEN 1 ELSE 0 END",
                    q.before("a.start_date"),
                    q.before("r.checked_on")
                )
            },
        }]
    }

    /// Work done under a referral: for those who see the case's referrals; directory
    /// changes for the organisation's admins.
    fn event_audiences(&self) -> Vec<EventAudience> {
        vec![
            EventAudience::field("employment.profile_updated", CaseField::Referrals),
            EventAudience::field("employment.retention_checked", CaseField::Referrals),
            EventAudience::field("employment.application_status_changed", CaseField::Referrals),
            EventAudience::administration("employment.vacancy_changed"),
            EventAudience::administration("employment.employer_changed"),
        ]
    }

    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Employment"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn description(&self) -> &'static str {
        "Employers and vacancies, job-seeker profiles, explainable matching that respects the sentence, applications, placements and retention checks"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(migration::CreateEmploymentTables),
            Box::new(AddExternalIds {
                name: "m20261129_000016_employment_external_ids",
                tables: &["employment_vacancies", "employment_applications"],
            }),
        ]
    }
    fn alert_rules(&self) -> Vec<EventRule> {
        alerts::rules()
    }
    fn counts_referrals(&self) -> bool {
        true
    }
    fn needs_served(&self) -> Vec<RiskFactor> {
        vec![RiskFactor::Employment]
    }
    fn referral_kinds(&self) -> Vec<ReferralKind> {
        vec![ReferralKind {
            code: ID,
            name: "Employment",
            description: "Refer a person to an employment centre or NGO to find and keep work",
            first_response_hours: 72,
        }]
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![
            Permission {
                code: "employment.publish_vacancies",
                description: "Register employers and publish their vacancies",
                roles: &[Role::PartnerStaff, Role::OrgAdmin],
            },
            Permission {
                code: "employment.work_referrals",
                description: "Apply for vacancies, record placements and retention checks for referrals the organisation received",
                roles: &[Role::PartnerStaff, Role::OrgAdmin],
            },
            Permission {
                code: "employment.match",
                description: "Keep a supervised person's job-seeker profile and match it with vacancies",
                roles: &[
                    Role::ProbationOfficer,
                    Role::PreventionInspector,
                    Role::PartnerStaff,
                ],
            },
        ]
    }
    fn validate_config(&self, config: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<EmploymentConfig>(config)?;
        let typed = EmploymentConfig::from_json(Some(&parsed));
        let w = typed.weights;
        for (name, v) in [
            ("skills", w.skills),
            ("occupation", w.occupation),
            ("education", w.education),
            ("shift", w.shift),
            ("area", w.area),
            ("openness", w.openness),
            ("distance", w.distance),
        ] {
            if v > 100 {
                return Err(ConfigError(format!("weights.{name}: at most 100")));
            }
        }
        if w.total() == 0 {
            return Err(ConfigError("weights: at least one must be above 0".into()));
        }
        Ok(parsed)
    }
    fn default_config(&self) -> Json {
        serde_json::to_value(EmploymentConfig::default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn weights_default_and_are_bounded() {
        let m = Employment;
        let d = m.validate_config(&json!({})).expect("defaults");
        assert_eq!(d["weights"]["skills"], 35);
        assert_eq!(Weights::default().total(), 100);
        let custom = m
            .validate_config(&json!({"weights": {"skills": 60}}))
            .expect("partial weights");
        assert_eq!(custom["weights"]["skills"], 60);
        assert_eq!(custom["weights"]["distance"], 10);
        assert!(m.validate_config(&json!({"weights": {"skills": 101}})).is_err());
        assert!(m.validate_config(&json!({"weights": {"speed": 1}})).is_err());
        let zero = json!({"weights": {"skills": 0, "occupation": 0, "education": 0, "shift": 0, "area": 0, "openness": 0, "distance": 0}});
        assert!(m.validate_config(&zero).is_err());
    }
}
