//! GraphQL types and operations of early-warning alerts and their rule settings.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition};

use super::entity::{ActingRole, AlertAudience, AlertSeverity, AlertStatus, alert};
use super::service::{self, AlertFilter, EffectiveRule, RuleSettingChange};
use crate::access::{CaseAccess, CaseField, require_field};
use crate::case::graphql::{Case, case_of};
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{Children, level_variant, one, variant_level};
use crate::pagination::Conn;
use crate::plan::entity::GoalDomain;
use crate::risk::instrument::RiskFactor;
use crate::user::graphql::User;

/// The request's loader of a case's alerts (created on first use).
pub struct AlertLoaders {
    pub by_case: Children<alert::Entity>,
}

impl AlertLoaders {
    fn new(db: &sea_orm::DatabaseConnection) -> Self {
        Self {
            by_case: Children::new(
                db,
                alert::Column::CaseId,
                alert::Column::Id,
                |m: &alert::Model| m.case_id,
                |m: &alert::Model| m.id,
                audience_shown,
            ),
        }
    }
}

/// The alerts a reader sees by their access to the case (the page key's variant).
fn audience_shown(variant: u8) -> Condition {
    Condition::all().add(alert::Column::Audience.is_in(AlertAudience::shown_at(variant_level(variant))))
}

fn alert_loaders(ctx: &Context<'_>) -> Result<Arc<AlertLoaders>> {
    Ok(loaders(ctx)?.extension(AlertLoaders::new))
}

async fn user(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(one(&loaders(ctx)?.users, id).await?.map(User))
}

/// A suggested plan goal for a high need the plan does not cover yet.
#[derive(SimpleObject)]
pub struct PlanSuggestion {
    /// The dynamic need that scored high.
    pub need: Option<RiskFactor>,
    pub score: Option<i32>,
    /// The plan domain of the goal to add.
    pub goal_domain: Option<GoalDomain>,
    /// The referral kind an enabled module offers for it (e.g. `employment.job_search`).
    pub referral_kind: Option<String>,
}

fn parse_enum<T: async_graphql::InputType>(v: &serde_json::Value) -> Option<T> {
    let name = v.as_str()?;
    T::parse(Some(async_graphql::Value::Enum(async_graphql::Name::new(name)))).ok()
}

/// An early warning raised by a rule: who must act, why, and where it stands.
pub struct Alert(pub alert::Model);

#[Object]
impl Alert {
    pub async fn id(&self) -> ID {
        ids::encode("Alert", self.0.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    /// The rule that raised it, e.g. `missed_appointments`.
    async fn rule(&self) -> &str {
        &self.0.rule
    }
    async fn severity(&self) -> AlertSeverity {
        self.0.severity
    }
    async fn status(&self) -> AlertStatus {
        self.0.status
    }
    /// Why the rule fired, in words.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who must act.
    async fn acting_role(&self) -> ActingRole {
        self.0.acting_role
    }
    /// The case's officer or inspector who must act, when assigned.
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.assignee_id).await
    }
    /// A suggested plan goal and referral kind, for a high need without a goal.
    async fn suggestion(&self) -> Option<PlanSuggestion> {
        let s = self.0.suggestion.as_ref()?;
        Some(PlanSuggestion {
            need: parse_enum(&s["need"]),
            score: s["score"].as_i64().and_then(|n| i32::try_from(n).ok()),
            goal_domain: parse_enum(&s["goalDomain"]),
            referral_kind: s["referralKind"].as_str().map(str::to_owned),
        })
    }
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    async fn acknowledged_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.acknowledged_by).await
    }
    async fn acknowledge_note(&self) -> Option<&str> {
        self.0.acknowledge_note.as_deref()
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    async fn resolved_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.resolved_by).await
    }
    async fn resolution_note(&self) -> Option<&str> {
        self.0.resolution_note.as_deref()
    }
}

/// A case's alerts, newest first (officers and inspectors).
pub async fn list_case_alerts(
    ctx: &Context<'_>,
    case_id: i64,
    access: CaseAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<Alert>> {
    require_field(access, CaseField::Alerts)?;
    let page = page(ctx, first, after)?;
    Ok(alert_loaders(ctx)?
        .by_case
        .connection(case_id, level_variant(access), page, |m| m.id, Alert)
        .await?)
}

/// Fetch one alert the caller may see.
pub async fn fetch_alert(ctx: &Context<'_>, id: i64) -> Result<Option<Alert>> {
    match service::get(&state(ctx)?.db, principal(ctx)?, id).await {
        Ok(row) => Ok(Some(Alert(row))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// An early-warning rule as it applies to an organisation.
#[derive(SimpleObject)]
pub struct AlertRule {
    /// Stable id, e.g. `missed_appointments`.
    pub rule: String,
    pub description: String,
    /// The event type it is evaluated on; none for time-based rules (swept periodically).
    pub on_event: Option<String>,
    pub enabled: bool,
    pub threshold: Option<i32>,
    pub window_days: Option<i32>,
    /// Whether the organisation changed the defaults.
    pub customised: bool,
}

impl From<EffectiveRule> for AlertRule {
    fn from(r: EffectiveRule) -> Self {
        Self {
            rule: r.rule.to_owned(),
            description: r.description.to_owned(),
            on_event: r.on_event.map(str::to_owned),
            enabled: r.enabled,
            threshold: r.threshold,
            window_days: r.window_days,
            customised: r.customised,
        }
    }
}

#[derive(InputObject, Default)]
pub struct AlertFilterInput {
    pub case_id: Option<ID>,
    pub statuses: Option<Vec<AlertStatus>>,
    pub severities: Option<Vec<AlertSeverity>>,
    /// Rule ids, e.g. `missed_appointments`.
    pub rules: Option<Vec<String>>,
    /// Only alerts assigned to the caller.
    #[graphql(default = false)]
    pub assigned_to_me: bool,
}

#[derive(Default)]
pub struct AlertQuery;

#[Object]
impl AlertQuery {
    /// Early-warning alerts of the cases the caller supervises, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AlertFilterInput>,
    ) -> Result<Conn<Alert>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let rules = f.rules.unwrap_or_default();
        if rules.len() > 50 || rules.iter().any(|r| r.len() > 64) {
            return Err(ApiError::bad_input("filter.rules", "at most 50 rules of 64 characters").into());
        }
        let filter = AlertFilter {
            case_id: ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")?,
            statuses: f.statuses.unwrap_or_default(),
            severities: f.severities.unwrap_or_default(),
            rules,
            assigned_to_me: f.assigned_to_me,
        };
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(rows.into_connection(|m| m.id, Alert))
    }

    /// The early-warning rules with an organisation's settings (default: the caller's).
    async fn alert_rules(&self, ctx: &Context<'_>, organisation_id: Option<ID>) -> Result<Vec<AlertRule>> {
        let p = principal(ctx)?;
        let org = ids::decode_opt(organisation_id.as_ref(), "Organisation", "organisationId")?
            .unwrap_or(p.organisation_id);
        let st = state(ctx)?;
        let rules = service::rules_for(&st.db, &st.modules, p, org).await?;
        Ok(rules.into_iter().map(Into::into).collect())
    }
}

/// An organisation's setting of one rule.
#[derive(InputObject)]
pub struct ConfigureAlertRuleInput {
    /// Default: the caller's organisation.
    pub organisation_id: Option<ID>,
    pub rule: String,
    pub enabled: bool,
    /// e.g. the number of missed appointments (1–50); null keeps the rule's default.
    pub threshold: Option<i32>,
    /// The window in days (1–365); null keeps the rule's default.
    pub window_days: Option<i32>,
}

#[derive(Default)]
pub struct AlertMutation;

#[Object]
impl AlertMutation {
    /// Acknowledge an open alert (an officer or inspector of the case), optionally with a note.
    async fn acknowledge_alert(&self, ctx: &Context<'_>, id: ID, note: Option<String>) -> Result<Alert> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Alert", "id")?;
        let row =
            service::advance(&state(ctx)?.db, p, id, AlertStatus::Acknowledged, note.as_deref()).await?;
        Ok(Alert(row))
    }

    /// Resolve an alert with a note saying what was done (required).
    async fn resolve_alert(&self, ctx: &Context<'_>, id: ID, note: String) -> Result<Alert> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Alert", "id")?;
        let row = service::advance(&state(ctx)?.db, p, id, AlertStatus::Resolved, Some(&note)).await?;
        Ok(Alert(row))
    }

    /// Switch a rule on or off and set its threshold and window for an organisation (its admin).
    async fn configure_alert_rule(
        &self,
        ctx: &Context<'_>,
        input: ConfigureAlertRuleInput,
    ) -> Result<AlertRule> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let org = ids::decode_opt(
            input.organisation_id.as_ref(),
            "Organisation",
            "input.organisationId",
        )?
        .unwrap_or(p.organisation_id);
        let rule = input.rule.clone();
        service::configure_rule(
            &st.db,
            &st.modules,
            p,
            org,
            RuleSettingChange {
                rule: input.rule,
                enabled: input.enabled,
                threshold: input.threshold,
                window_days: input.window_days,
            },
        )
        .await?;
        let rules = service::rules_for(&st.db, &st.modules, p, org).await?;
        rules
            .into_iter()
            .find(|r| r.rule == rule)
            .map(Into::into)
            .ok_or_else(|| ApiError::NotFound("AlertRule").into())
    }
}
