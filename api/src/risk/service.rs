//! Assessing a case's risk, overriding the level, and reading the history.
//!
//! An assessment and the case's `risk_level` change in one transaction, with the audit
//! record and the `risk.assessed` event, so the case lists' risk filter always agrees
//! with the newest assessment.

use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::entity as assessment;
use super::instrument::{self, Answers, MAX_FACTOR};
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::{RiskLevel, case};
use crate::case::lifecycle::is_closed;
use crate::case::service::get_for;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::validate;

/// The aggregate type of assessment events.
pub const AGGREGATE: &str = "RiskAssessment";

/// Check the answers' ranges, naming the offending input field.
pub fn check_answers(a: &Answers) -> ApiResult<()> {
    if !(7..=100).contains(&a.age_at_first_offence) {
        return Err(ApiError::bad_input(
            "input.ageAtFirstOffence",
            "must be between 7 and 100",
        ));
    }
    if !(0..=99).contains(&a.prior_convictions) {
        return Err(ApiError::bad_input(
            "input.priorConvictions",
            "must be between 0 and 99",
        ));
    }
    for (factor, need) in instrument::RiskFactor::NEEDS.iter().zip(a.needs) {
        if !(0..=MAX_FACTOR).contains(&need) {
            let name = crate::enums::enum_name(*factor);
            return Err(ApiError::bad_input(
                format!("input.needs.{}", need_field(&name)),
                "must be between 0 and 3",
            ));
        }
    }
    Ok(())
}

/// `FAMILY_SUPPORT` → `familySupport`.
fn need_field(enum_name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for ch in enum_name.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.push(ch);
            upper = false;
        } else {
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

/// The assessment in force on a case (the newest), if any.
pub async fn current<C: ConnectionTrait>(db: &C, case_id: i64) -> ApiResult<Option<assessment::Model>> {
    Ok(assessment::Entity::find()
        .filter(assessment::Column::CaseId.eq(case_id))
        .filter(assessment::Column::Superseded.eq(false))
        .order_by_desc(assessment::Column::Id)
        .one(db)
        .await?)
}

async fn set_case_level<C: ConnectionTrait>(db: &C, c: case::Model, level: RiskLevel) -> ApiResult<()> {
    let mut row: case::ActiveModel = c.into();
    row.risk_level = Set(Some(level));
    row.updated_at = Set(now());
    row.update(db).await?;
    Ok(())
}

/// Score and record an assessment of an open case (its probation officer); it becomes
/// the case's level and replaces the previous assessment in force.
pub async fn assess(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    answers: Answers,
) -> ApiResult<assessment::Model> {
    check_answers(&answers)?;
    let scored = instrument::score(&answers);
    let (static_score, dynamic_score) = instrument::totals(&scored);
    let total = static_score + dynamic_score;
    let level = instrument::level_of(total);
    let at = now();
    let txn = write_txn(db).await?;
    let (c, _) = get_for(&txn, p, case_id, CaseAccess::Full).await?;
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let previous = current(&txn, c.id).await?;
    if let Some(prev) = &previous {
        let mut row: assessment::ActiveModel = prev.clone().into();
        row.superseded = Set(true);
        row.update(&txn).await?;
    }
    let n = answers.needs;
    let row = assessment::ActiveModel {
        case_id: Set(c.id),
        instrument_version: Set(instrument::VERSION.to_owned()),
        age_at_first_offence: Set(answers.age_at_first_offence),
        prior_convictions: Set(answers.prior_convictions),
        offence_type: Set(answers.offence_type),
        need_employment: Set(n[0]),
        need_education: Set(n[1]),
        need_housing: Set(n[2]),
        need_family_support: Set(n[3]),
        need_peers: Set(n[4]),
        need_substance_use: Set(n[5]),
        need_attitudes: Set(n[6]),
        need_mental_health: Set(n[7]),
        static_score: Set(static_score),
        dynamic_score: Set(dynamic_score),
        total: Set(total),
        computed_level: Set(level),
        level: Set(level),
        override_reason: Set(None),
        overridden_by: Set(None),
        overridden_at: Set(None),
        reassessment_due: Set(instrument::reassessment_due(at.date_naive(), level)),
        previous_id: Set(previous.as_ref().map(|r| r.id)),
        superseded: Set(false),
        assessed_by: Set(p.user_id),
        assessed_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let organisation_id = c.organisation_id;
    set_case_level(&txn, c, level).await?;
    audit::record(
        &txn,
        p,
        Entry::new("risk.assess")
            .target(AGGREGATE, row.id)
            .case(case_id)
            .detail(json!({"total": total, "level": level.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("risk.assessed", AGGREGATE, row.id)
            .case(case_id)
            .organisation(organisation_id)
            .payload(json!({
                "total": total,
                "level": level.to_value(),
                "previousLevel": previous.as_ref().map(|r| r.level.to_value()),
            })),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Override the level of the assessment in force (its case's probation officer), with a
/// mandatory reason; the computed level and the factors stay on record.
pub async fn override_level(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    level: RiskLevel,
    reason: &str,
) -> ApiResult<assessment::Model> {
    let reason = validate::required("reason", reason, 2_000)?;
    let txn = write_txn(db).await?;
    let current_row = assessment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RiskAssessment"))?;
    let (c, _) = get_for(&txn, p, current_row.case_id, CaseAccess::Full)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("RiskAssessment"),
            other => other,
        })?;
    if current_row.superseded {
        return Err(ApiError::Conflict(
            "only the assessment in force can be overridden".into(),
        ));
    }
    if is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let from = current_row.level;
    let mut row: assessment::ActiveModel = current_row.into();
    row.level = Set(level);
    row.override_reason = Set(Some(reason));
    row.overridden_by = Set(Some(p.user_id));
    row.overridden_at = Set(Some(now()));
    let row = row.update(&txn).await?;
    let organisation_id = c.organisation_id;
    set_case_level(&txn, c, level).await?;
    audit::record(
        &txn,
        p,
        Entry::new("risk.override")
            .target(AGGREGATE, row.id)
            .case(row.case_id)
            .detail(json!({"from": from.to_value(), "to": level.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("risk.overridden", AGGREGATE, row.id)
            .case(row.case_id)
            .organisation(organisation_id)
            .payload(json!({
                "level": level.to_value(),
                "computedLevel": row.computed_level.to_value(),
            })),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Audit a read of assessments (their factors are sensitive), before they are returned.
pub async fn audit_read(db: &DatabaseConnection, p: &Principal, case_id: i64, ids: &[i64]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    audit::record(
        db,
        p,
        Entry::new("risk.assessment.read")
            .case(case_id)
            .detail(json!({"ids": ids})),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn need_fields_are_camel_case() {
        assert_eq!(super::need_field("FAMILY_SUPPORT"), "familySupport");
        assert_eq!(super::need_field("PEERS"), "peers");
    }
}
