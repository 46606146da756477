//! Psychological support: the psychologists of a partner organisation work referrals of
//! kind `psych_support`: a practitioner is assigned, a support plan drawn up, individual
//! and group sessions held and attended, PHQ-9 and GAD-7 screenings scored, confidential
//! notes kept for the provider alone, and the end of support written back onto the
//! rehabilitation plan.

pub mod access;
pub mod alerts;
pub mod entity;
pub mod graphql;
pub mod migration;
pub mod scoring;
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

pub use graphql::{PsychSupportMutationRoot, PsychSupportQueryRoot};

/// The module id: GraphQL namespace `psychSupport`, permissions, enablement rows.
pub const ID: &str = "psych_support";

/// The referral kind this module handles.
pub const REFERRAL_KIND: &str = ID;

/// Whether the caller's organisation has the module enabled (its schema is hidden otherwise).
pub fn psych_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, ID)
}

/// The psychological-support module.
pub struct PsychSupport;

/// The module-specific part of a `psych_support` referral.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ReferralPayload {
    /// Why the person is referred for psychological support.
    reason: String,
    urgency: entity::Urgency,
}

/// Longest reason for referral.
const MAX_REASON: usize = 2000;

impl Module for PsychSupport {
    /// The band of the last screening before the assessment, 0 (none or minimal) to 4
    /// (severe).
    fn risk_features(&self) -> Vec<ModuleFeature> {
        vec![ModuleFeature {
            name: "screening_band",
            label: "band of the last psychological screening before the assessment",
            sql: |q| {
                format!(
                    "COALESCE((SELECT CASE s.band WHEN 'MILD' THEN 1 WHEN 'MODERATE' THEN 2 \
                     WHEN 'MODERATELY_SEVERE' THEN 3 WHEN 'SEVERE' THEN 4 ELSE 0 END \
                     FROM psych_screenings s WHERE s.case_id = ia.case_id AND {} \
                     ORDER BY s.administered_at DESC, s.id DESC LIMIT 1), 0)",
                    q.before("s.administered_at")
                )
            },
        }]
    }

    /// Work done under a referral: for those who see the case's referrals and the provider it was sent to; directory
    /// changes for the organisation's admins.
    fn event_audiences(&self) -> Vec<EventAudience> {
        vec![
            EventAudience::field("psych_support.session_scheduled", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.session_rescheduled", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.attendance_recorded", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.plan_set", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.practitioner_assigned", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.summary_shared", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.note_added", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.support_closed", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.screening_recorded", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.safety_flag_raised", CaseField::Referrals).partner(),
            EventAudience::field("psych_support.plan_review_suggested", CaseField::Referrals).partner(),
            EventAudience::administration("psych_support.practitioner_saved"),
        ]
    }

    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Psychological support"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn description(&self) -> &'static str {
        "Practitioners, support plans, individual and group sessions, PHQ-9/GAD-7 screenings and confidential notes"
    }
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(migration::CreateTables),
            Box::new(AddExternalIds {
                name: "m20261129_000017_psych_external_ids",
                tables: &["psych_sessions"],
            }),
            Box::new(migration::IndexScreeningsByCase),
        ]
    }
    fn alert_rules(&self) -> Vec<EventRule> {
        alerts::rules()
    }
    fn counts_referrals(&self) -> bool {
        true
    }
    fn needs_served(&self) -> Vec<RiskFactor> {
        vec![
            RiskFactor::MentalHealth,
            RiskFactor::Attitudes,
            RiskFactor::SubstanceUse,
        ]
    }
    fn referral_kinds(&self) -> Vec<ReferralKind> {
        vec![ReferralKind {
            code: REFERRAL_KIND,
            name: "Psychological support",
            description: "Individual or group psychological work, with screenings and a support plan",
            first_response_hours: 72,
        }]
    }
    fn permissions(&self) -> Vec<Permission> {
        vec![
            Permission {
                code: "psych_support.practise",
                description: "Work referrals: sessions, screenings, confidential notes, summaries",
                roles: &[Role::PartnerStaff],
            },
            Permission {
                code: "psych_support.manage",
                description: "Keep practitioner profiles and assign practitioners to referrals",
                roles: &[Role::OrgAdmin],
            },
        ]
    }
    fn validate_referral_payload(&self, _kind: &str, payload: &Json) -> Result<Json, ConfigError> {
        let parsed = parse_config::<ReferralPayload>(payload)?;
        let reason = parsed["reason"].as_str().unwrap_or_default().trim();
        if reason.is_empty() {
            return Err(ConfigError("reason: must not be empty".into()));
        }
        if reason.chars().count() > MAX_REASON {
            return Err(ConfigError(format!("reason: at most {MAX_REASON} characters")));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_referral_payload_needs_a_reason_and_an_urgency() {
        let m = PsychSupport;
        let ok = m.validate_referral_payload(REFERRAL_KIND, &json!({"reason": "grief", "urgency": "SOON"}));
        assert_eq!(ok, Ok(json!({"reason": "grief", "urgency": "SOON"})));
        for bad in [
            json!({"reason": "grief"}),
            json!({"reason": "  ", "urgency": "SOON"}),
            json!({"reason": "grief", "urgency": "TOMORROW"}),
            json!({"reason": "grief", "urgency": "SOON", "notes": "x"}),
        ] {
            assert!(m.validate_referral_payload(REFERRAL_KIND, &bad).is_err(), "{bad}");
        }
    }
}
