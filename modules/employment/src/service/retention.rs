//! The checks at 30, 90 and 180 days after a placement, whether the person is still in
//! work. The person out of work, or still in it at the last check, completes the
//! referral and writes the outcome onto the plan goal it serves.

use chrono::Duration;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::plan::entity::GoalStatus;
use hamkor_api::plan::service::record_referral_outcome;
use hamkor_api::referral::entity::ReferralStatus;
use hamkor_api::referral::lifecycle::Step;
use hamkor_api::referral::service::step_in;
use hamkor_api::validate;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::json;

use super::applications::for_change;
use super::profiles::set_readiness;
use crate::entity::{RetentionOutcome, WorkReadiness, enum_name, retention, vacancy};

/// Days after the start at which a placement is checked.
pub const RETENTION_DAYS: [i32; 3] = [30, 90, 180];

/// Record what a retention check found (the staff working the referral). The person out
/// of work, or still in it at the last check, completes the referral and writes the
/// outcome onto the plan goal it serves.
pub async fn check_retention(
    db: &DatabaseConnection,
    p: &Principal,
    check_id: i64,
    outcome: RetentionOutcome,
    note: Option<&str>,
) -> ApiResult<retention::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    let today = now().date_naive();
    let txn = write_txn(db).await?;
    let check = retention::Entity::find_by_id(check_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RetentionCheck"))?;
    let (a, r) = for_change(&txn, p, check.application_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("RetentionCheck"),
            other => other,
        })?;
    if check.outcome.is_some_and(|o| o != RetentionOutcome::Unreachable) {
        return Err(ApiError::Conflict("this check is already recorded".into()));
    }
    if today + Duration::days(7) < check.due_on {
        return Err(ApiError::Conflict(format!(
            "the check is due on {}; record it from a week before",
            check.due_on
        )));
    }
    if r.status != ReferralStatus::InProgress {
        return Err(ApiError::Conflict(format!(
            "the referral is {}",
            enum_name(r.status)
        )));
    }
    let mut row: retention::ActiveModel = check.clone().into();
    row.outcome = Set(Some(outcome));
    row.checked_on = Set(Some(today));
    row.note = Set(note);
    row.recorded_by = Set(Some(p.user_id));
    let row = row.update(&txn).await?;
    let last = check.day == *RETENTION_DAYS.last().unwrap_or(&180);
    let closing = match outcome {
        RetentionOutcome::NotEmployed => Some(GoalStatus::NotAchieved),
        RetentionOutcome::Employed if last => Some(GoalStatus::Achieved),
        _ => None,
    };
    if outcome == RetentionOutcome::NotEmployed {
        set_readiness(&txn, a.case_id, WorkReadiness::Ready).await?;
    }
    audit::record(
        &txn,
        p,
        Entry::new("employment.retention.check")
            .target("RetentionCheck", row.id)
            .case(row.case_id)
            .detail(json!({"day": row.day, "outcome": enum_name(outcome)})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("employment.retention_checked", "RetentionCheck", row.id)
            .case(row.case_id)
            .organisation(a.organisation_id)
            .payload(json!({
                "applicationId": a.id,
                "referralId": r.id,
                "day": row.day,
                "outcome": enum_name(outcome),
            })),
    )
    .await?;
    if let Some(goal) = closing {
        let r = step_in(&txn, p, r.id, Step::Complete, None).await?;
        let v = vacancy::Entity::find_by_id(a.vacancy_id).one(&txn).await?;
        let title = v.map(|v| v.title).unwrap_or_default();
        let summary = match outcome {
            RetentionOutcome::Employed => format!("{title}: still employed {} days after starting", row.day),
            _ => format!("{title}: out of work at the {}-day check", row.day),
        };
        record_referral_outcome(&txn, p, &r, goal, &summary).await?;
    }
    txn.commit().await?;
    Ok(row)
}
