//! Reading alerts, acknowledging and resolving them, and the organisations' rule
//! settings. Alerts are the supervising agencies' work: officers and inspectors of the
//! case see them (Supervise access), mahalla members do not.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use super::engine::AGGREGATE;
use super::entity::{AlertAudience, AlertSeverity, AlertStatus, alert, rule_setting};
use super::rules::{SWEEP_RULES, all_ids, event_rules};
use crate::access::{CaseAccess, CaseField, cases_with_access, of_cases};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::service::get_for;
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::module::Registry;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::user::entity::Role;
use crate::validate;

/// Which alerts to list.
#[derive(Debug, Default)]
pub struct AlertFilter {
    pub case_id: Option<i64>,
    pub statuses: Vec<AlertStatus>,
    pub severities: Vec<AlertSeverity>,
    pub rules: Vec<String>,
    /// Only alerts the caller must act on.
    pub assigned_to_me: bool,
}

/// The SQL condition selecting the alerts `p` may see: those of the cases where `p`
/// has the access each alert's audience needs.
pub fn visible_alerts(p: &Principal) -> Condition {
    let mut any = Condition::any();
    for audience in [AlertAudience::Supervise, AlertAudience::Full] {
        let level = audience.access().max(CaseField::Alerts.needs());
        any = any.add(
            Condition::all()
                .add(alert::Column::Audience.eq(audience))
                .add(of_cases(alert::Column::CaseId, cases_with_access(p, level))),
        );
    }
    // Callers add their filters to what this returns: they must narrow it.
    Condition::all().add(any)
}

/// Alerts the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: AlertFilter,
    page: Page,
) -> ApiResult<Paged<alert::Model>> {
    let mut cond = visible_alerts(p);
    if let Some(id) = f.case_id {
        cond = cond.add(alert::Column::CaseId.eq(id));
    }
    if !f.statuses.is_empty() {
        cond = cond.add(alert::Column::Status.is_in(f.statuses));
    }
    if !f.severities.is_empty() {
        cond = cond.add(alert::Column::Severity.is_in(f.severities));
    }
    if !f.rules.is_empty() {
        cond = cond.add(alert::Column::Rule.is_in(f.rules));
    }
    if f.assigned_to_me {
        cond = cond.add(alert::Column::AssigneeId.eq(p.user_id));
    }
    paginate(
        db,
        alert::Entity::find().filter(cond),
        alert::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

/// One alert the caller may see.
pub async fn get(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<alert::Model> {
    alert::Entity::find_by_id(id)
        .filter(visible_alerts(p))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Alert"))
}

fn refuse(from: AlertStatus, to: AlertStatus) -> ApiError {
    ApiError::InvalidTransition {
        from: enum_name(from),
        to: enum_name(to),
    }
}

/// Move an alert on (OPEN → ACKNOWLEDGED, OPEN | ACKNOWLEDGED → RESOLVED) with a note:
/// an officer or inspector of the case.
pub async fn advance(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    to: AlertStatus,
    note: Option<&str>,
) -> ApiResult<alert::Model> {
    let note = match to {
        AlertStatus::Resolved => Some(validate::required("note", note.unwrap_or_default(), 2_000)?),
        _ => validate::optional("note", note, 2_000)?,
    };
    let txn = write_txn(db).await?;
    // An alert the caller does not see is not there for them.
    let current = alert::Entity::find_by_id(id)
        .filter(visible_alerts(p))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Alert"))?;
    get_for(
        &txn,
        p,
        current.case_id,
        current.audience.access().max(CaseAccess::Supervise),
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("Alert"),
        other => other,
    })?;
    let from = current.status;
    let allowed = matches!(
        (from, to),
        (AlertStatus::Open, AlertStatus::Acknowledged)
            | (
                AlertStatus::Open | AlertStatus::Acknowledged,
                AlertStatus::Resolved
            )
    );
    if !allowed {
        return Err(refuse(from, to));
    }
    let at = now();
    let mut row: alert::ActiveModel = current.into();
    row.status = Set(to);
    let (action, event_type) = if to == AlertStatus::Resolved {
        row.resolved_at = Set(Some(at));
        row.resolved_by = Set(Some(p.user_id));
        row.resolution_note = Set(note);
        if from == AlertStatus::Open {
            row.acknowledged_at = Set(Some(at));
            row.acknowledged_by = Set(Some(p.user_id));
        }
        ("alert.resolve", events::event_type("alert.resolved"))
    } else {
        row.acknowledged_at = Set(Some(at));
        row.acknowledged_by = Set(Some(p.user_id));
        row.acknowledge_note = Set(note);
        ("alert.acknowledge", events::event_type("alert.acknowledged"))
    };
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new(action)
            .target(AGGREGATE, row.id)
            .case(row.case_id)
            .detail(json!({"from": from.to_value(), "to": to.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new(event_type, AGGREGATE, row.id)
            .case(row.case_id)
            .organisation(row.organisation_id)
            .payload(json!({"rule": row.rule, "status": to.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A rule as it applies to one organisation.
#[derive(Debug, Clone)]
pub struct EffectiveRule {
    pub rule: &'static str,
    pub description: &'static str,
    /// Evaluated as events arrive (else by the periodic sweep).
    pub on_event: Option<&'static str>,
    pub enabled: bool,
    pub threshold: Option<i32>,
    pub window_days: Option<i32>,
    /// Whether the organisation changed the defaults.
    pub customised: bool,
}

fn may_configure(p: &Principal, organisation_id: i64) -> ApiResult<()> {
    if p.is_platform_admin() || (p.organisation_id == organisation_id && p.has_role(Role::OrgAdmin)) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Every rule with the organisation's settings (its own staff and admins, platform admins).
pub async fn rules_for(
    db: &DatabaseConnection,
    modules: &Registry,
    p: &Principal,
    organisation_id: i64,
) -> ApiResult<Vec<EffectiveRule>> {
    if p.organisation_id != organisation_id && !p.is_platform_admin() {
        return Err(ApiError::forbidden());
    }
    let saved = rule_setting::Entity::find()
        .filter(rule_setting::Column::OrganisationId.eq(organisation_id))
        .all(db)
        .await?;
    let find = |id: &str| saved.iter().find(|s| s.rule == id);
    let mut out = Vec::new();
    for r in event_rules(modules) {
        let s = find(r.id);
        out.push(EffectiveRule {
            rule: r.id,
            description: r.description,
            on_event: Some(r.event_type),
            enabled: s.is_none_or(|s| s.enabled),
            threshold: s.and_then(|s| s.threshold).or(r.default_threshold),
            window_days: s.and_then(|s| s.window_days).or(r.default_window_days),
            customised: s.is_some(),
        });
    }
    for r in SWEEP_RULES {
        let s = find(r.id);
        out.push(EffectiveRule {
            rule: r.id,
            description: r.description,
            on_event: None,
            enabled: s.is_none_or(|s| s.enabled),
            threshold: None,
            window_days: None,
            customised: s.is_some(),
        });
    }
    Ok(out)
}

/// A change of one rule's settings for an organisation.
#[derive(Debug)]
pub struct RuleSettingChange {
    pub rule: String,
    pub enabled: bool,
    pub threshold: Option<i32>,
    pub window_days: Option<i32>,
}

/// Set an organisation's threshold, window or switch for one rule (its admin).
pub async fn configure_rule(
    db: &DatabaseConnection,
    modules: &Registry,
    p: &Principal,
    organisation_id: i64,
    change: RuleSettingChange,
) -> ApiResult<()> {
    may_configure(p, organisation_id)?;
    let Some(rule) = all_ids(modules).into_iter().find(|id| *id == change.rule) else {
        return Err(ApiError::bad_input("input.rule", "no such rule"));
    };
    if change.threshold.is_some_and(|t| !(1..=50).contains(&t)) {
        return Err(ApiError::bad_input("input.threshold", "must be between 1 and 50"));
    }
    if change.window_days.is_some_and(|d| !(1..=365).contains(&d)) {
        return Err(ApiError::bad_input(
            "input.windowDays",
            "must be between 1 and 365",
        ));
    }
    let txn = write_txn(db).await?;
    rule_setting::Entity::insert(rule_setting::ActiveModel {
        organisation_id: Set(organisation_id),
        rule: Set(rule.to_owned()),
        enabled: Set(change.enabled),
        threshold: Set(change.threshold),
        window_days: Set(change.window_days),
        updated_by: Set(p.user_id),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([rule_setting::Column::OrganisationId, rule_setting::Column::Rule])
            .update_columns([
                rule_setting::Column::Enabled,
                rule_setting::Column::Threshold,
                rule_setting::Column::WindowDays,
                rule_setting::Column::UpdatedBy,
                rule_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let detail = json!({
        "rule": rule,
        "enabled": change.enabled,
        "threshold": change.threshold,
        "windowDays": change.window_days,
    });
    audit::record(
        &txn,
        p,
        Entry::new("alert.rule.configure")
            .target("Organisation", organisation_id)
            .detail(detail.clone()),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("alert.rule_configured", "Organisation", organisation_id)
            .organisation(organisation_id)
            .payload(detail),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
