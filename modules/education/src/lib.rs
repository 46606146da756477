//! The education module: providers publish programmes and their intakes; a case is
//! referred (referral kind `education`), applies for an intake, is enrolled or
//! waitlisted (seats taken atomically), attends, and completes with a result and a
//! certificate that lands on the rehabilitation-plan goal the referral serves.
//!
//! Who does what:
//! - provider staff (`PARTNER_STAFF`, `ORG_ADMIN` of an organisation with the module
//!   enabled) publish programmes and intakes and work the enrolments of the referrals
//!   their organisation received;
//! - the agencies supervising a case (Supervise access) find programmes that fit the
//!   case's conditions, refer, and follow enrolment and attendance;
//! - anyone whose organisation enabled the module reads the catalogue and its HSDS
//!   directory export.

pub mod alerts;
pub mod entity;
pub mod fit;
pub mod graphql;
pub mod loaders;
pub mod migration;
pub mod service;
pub mod sync;

use std::sync::Arc;

use async_graphql::Context;
use hamkor_api::access::CaseField;
use hamkor_api::access::events::EventAudience;
use hamkor_api::alert::rules::EventRule;
use hamkor_api::module::schema::AddExternalIds;
use hamkor_api::module::{ConfigError, Module, Permission, ReferralKind, is_enabled, parse_config};
use hamkor_api::risk::instrument::RiskFactor;
use hamkor_api::sync::source::SyncSource;
use hamkor_api::user::entity::Role;
use sea_orm_migration::MigrationTrait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use graphql::{EducationMutationRoot, EducationQueryRoot};

/// The module id: GraphQL namespace `education`, referral kind `education`.
pub const ID: &str = "education";

/// Whether the caller's organisation has the module enabled (hides its schema otherwise).
pub fn education_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// The education module.
pub struct Education;

/// An organisation's configuration of the module.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EducationConfig {
    /// Consecutive absences (excused ones aside) after which the probation officer is
    /// alerted.
    #[serde(default = "default_absence_alert_after")]
    pub absence_alert_after: u32,
}

fn default_absence_alert_after() -> u32 {
    3
}

impl Default for EducationConfig {
    fn default() -> Self {
        Self {
            absence_alert_after: default_absence_alert_after(),
        }
    }
}

impl EducationConfig {
    /// The stored configuration (already validated), or the defaults.
    pub fn from_json(raw: Option<&Json>) -> Self {
        raw.and_then(|j| serde_json::from_value(j.clone()).ok())
            .unwrap_or_default()
    }
}

/// The module-specific part of an `education` referral.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EducationReferral {
    /// A programme the referrer has in mind (an `EducationProgramme` id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme_id: Option<String>,
    /// The person's highest completed level of education (`SECONDARY`), checked against
    /// a programme's minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_education: Option<String>,
}

impl EducationReferral {
    pub fn from_json(raw: &Json) -> Self {
        serde_json::from_value(raw.clone()).unwrap_or_default()
    }

    pub fn prior_education(&self) -> Option<entity::EducationLevel> {
        self.prior_education
            .as_deref()
            .and_then(entity::EducationLevel::from_name)
    }
}

impl Module for Education {
    /// Work done under a referral: for those who see the case's referrals; directory
    /// changes for the organisation's admins.
    fn event_audiences(&self) -> Vec<EventAudience> {
        vec![
            EventAudience::field("education.enrolment_status_changed", CaseField::Referrals),
            EventAudience::field("education.attendance_recorded", CaseField::Referrals),
            EventAudience::field("education.absence_alert", CaseField::Referrals),
            EventAudience::field("education.attendance_recovered", CaseField::Referrals),
            EventAudience::administration("education.programme_changed"),
            EventAudience::administration("education.intake_changed"),
        ]
    }

    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Education"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn description(&self) -> &'static str {
        "Programmes and intakes of colleges, vocational centres and NGOs; referrals to enrolment, attendance with absence alerts, completion and certificates"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(migration::CreateEducationTables),
            Box::new(AddExternalIds {
                name: "m20261129_000018_education_external_ids",
                tables: &["education_programmes", "education_enrolments"],
            }),
            Box::new(migration::AddAttendanceVersion),
        ]
    }
    fn sync_sources(&self) -> Vec<Arc<dyn SyncSource>> {
        vec![Arc::new(sync::Attendance)]
    }
    fn alert_rules(&self) -> Vec<EventRule> {
        alerts::rules()
    }
    fn counts_referrals(&self) -> bool {
        true
    }
    fn needs_served(&self) -> Vec<RiskFactor> {
        vec![RiskFactor::Education]
    }
    fn referral_kinds(&self) -> Vec<ReferralKind> {
        vec![ReferralKind {
            code: ID,
            name: "Education",
            description: "Refer a person to a course, literacy class, school completion or legal education",
            first_response_hours: 72,
        }]
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![
            Permission {
                code: "education.publish_programmes",
                description: "Publish the organisation's programmes and intakes",
                roles: &[Role::PartnerStaff, Role::OrgAdmin],
            },
            Permission {
                code: "education.work_enrolments",
                description: "Enrol, record attendance and completion for referrals the organisation received",
                roles: &[Role::PartnerStaff, Role::OrgAdmin],
            },
            Permission {
                code: "education.find_programmes",
                description: "Find programmes that fit a supervised case's conditions",
                roles: &[Role::ProbationOfficer, Role::PreventionInspector],
            },
        ]
    }
    fn validate_config(&self, config: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<EducationConfig>(config)?;
        let n = parsed["absence_alert_after"].as_u64().unwrap_or_default();
        if !(1..=30).contains(&n) {
            return Err(ConfigError("absence_alert_after: between 1 and 30".into()));
        }
        Ok(parsed)
    }
    fn default_config(&self) -> Json {
        serde_json::to_value(EducationConfig::default()).unwrap_or_default()
    }
    fn validate_referral_payload(&self, _kind: &str, payload: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<EducationReferral>(payload)?;
        let typed = EducationReferral::from_json(&parsed);
        if let Some(id) = &typed.programme_id
            && hamkor_api::ids::decode(id).is_none_or(|(t, _)| t != "EducationProgramme")
        {
            return Err(ConfigError("programmeId: not an EducationProgramme id".into()));
        }
        if let Some(level) = &typed.prior_education
            && entity::EducationLevel::from_name(level).is_none()
        {
            return Err(ConfigError(format!(
                "priorEducation: one of {}",
                entity::EducationLevel::ALL
                    .map(entity::EducationLevel::name)
                    .join(", ")
            )));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn config_defaults_and_bounds() {
        let m = Education;
        assert_eq!(
            m.validate_config(&json!({})),
            Ok(json!({"absence_alert_after": 3}))
        );
        assert!(m.validate_config(&json!({"absence_alert_after": 0})).is_err());
        assert!(m.validate_config(&json!({"absence_alert_after": 31})).is_err());
        assert!(m.validate_config(&json!({"colour": "red"})).is_err());
    }

    #[test]
    fn referral_payload_is_checked() {
        let m = Education;
        let programme = hamkor_api::ids::encode("EducationProgramme", 7).to_string();
        assert!(m.validate_referral_payload(ID, &json!({})).is_ok());
        assert!(
            m.validate_referral_payload(
                ID,
                &json!({"programmeId": programme, "priorEducation": "SECONDARY"})
            )
            .is_ok()
        );
        let case = hamkor_api::ids::encode("Case", 7).to_string();
        assert!(
            m.validate_referral_payload(ID, &json!({"programmeId": case}))
                .is_err()
        );
        assert!(
            m.validate_referral_payload(ID, &json!({"priorEducation": "PHD"}))
                .is_err()
        );
        assert!(m.validate_referral_payload(ID, &json!({"sessions": 2})).is_err());
    }
}
