//! Changing a case: its facts and team, and its status along the lifecycle.

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::get_for;
use super::open::{Sentence, case_place, require_user_with_role};
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::{CaseStatus, RiskLevel, case, status_change};
use crate::case::lifecycle;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::territory::resolve::Place;
use crate::user::entity::Role;

/// Changes to a case; absent fields stay.
#[derive(Default)]
pub struct CasePatch {
    pub court_name: Option<String>,
    pub court_decision_date: Option<NaiveDate>,
    pub criminal_code_article: Option<Option<String>>,
    pub sentence_start: Option<NaiveDate>,
    pub sentence_end: Option<NaiveDate>,
    pub mahalla_id: Option<i64>,
    pub officer_id: Option<i64>,
    pub inspector_id: Option<Option<i64>>,
    pub risk_level: Option<Option<RiskLevel>>,
}

/// Change a case's facts or team (probation officer with full access).
pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    patch: CasePatch,
) -> ApiResult<case::Model> {
    let (current, _) = get_for(db, p, id, CaseAccess::Full).await?;
    if lifecycle::is_closed(current.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let (sentence, place) = check_patch(db, p, &current, &patch).await?;

    let txn = write_txn(db).await?;
    let case_id = current.id;
    let organisation_id = current.organisation_id;
    let mut row: case::ActiveModel = current.into();
    row.court_name = Set(sentence.court_name);
    row.court_decision_date = Set(sentence.court_decision_date);
    row.criminal_code_article = Set(sentence.criminal_code_article);
    row.sentence_start = Set(sentence.sentence_start);
    row.sentence_end = Set(sentence.sentence_end);
    if let Some((m, place)) = place {
        row.mahalla_id = Set(m);
        row.district_id = Set(place.district_id.unwrap_or_default());
        row.region_id = Set(place.region_id.unwrap_or_default());
    }
    if let Some(officer) = patch.officer_id {
        row.officer_id = Set(Some(officer));
    }
    if let Some(inspector) = patch.inspector_id {
        row.inspector_id = Set(inspector);
    }
    if let Some(level) = patch.risk_level {
        row.risk_level = Set(level);
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("case.update").target("Case", case_id).case(case_id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.updated", "Case", case_id)
            .case(case_id)
            .organisation(organisation_id)
            .payload(json!({
                "riskLevel": row.risk_level.map(|r| r.to_value()),
                "officerId": row.officer_id,
                "inspectorId": row.inspector_id,
                "mahallaId": row.mahalla_id,
            })),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The case's sentence once `patch` applies, checked, and its new mahalla's place if
/// it moves; the new officer and inspector must hold their roles.
async fn check_patch(
    db: &DatabaseConnection,
    p: &Principal,
    current: &case::Model,
    patch: &CasePatch,
) -> ApiResult<(Sentence, Option<(i64, Place)>)> {
    let sentence = Sentence {
        kind: current.kind,
        court_name: patch
            .court_name
            .clone()
            .unwrap_or_else(|| current.court_name.clone()),
        court_decision_date: patch.court_decision_date.unwrap_or(current.court_decision_date),
        criminal_code_article: patch
            .criminal_code_article
            .clone()
            .unwrap_or_else(|| current.criminal_code_article.clone()),
        sentence_start: patch.sentence_start.unwrap_or(current.sentence_start),
        sentence_end: patch.sentence_end.unwrap_or(current.sentence_end),
    };
    sentence.check()?;
    if let Some(officer) = patch.officer_id {
        require_user_with_role(
            db,
            "input.officerId",
            officer,
            Role::ProbationOfficer,
            Some(current.organisation_id),
        )
        .await?;
    }
    if let Some(Some(inspector)) = patch.inspector_id {
        require_user_with_role(
            db,
            "input.inspectorId",
            inspector,
            Role::PreventionInspector,
            None,
        )
        .await?;
    }
    let place = match patch.mahalla_id {
        Some(m) => Some((m, case_place(db, p, m, "input.mahallaId").await?)),
        None => None,
    };
    Ok((sentence, place))
}

/// Move a case along its lifecycle (probation officer with full access).
pub async fn transition(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    to: CaseStatus,
    reason: Option<String>,
) -> ApiResult<case::Model> {
    let reason = crate::validate::optional("reason", reason.as_deref(), 2_000)?;
    let txn = write_txn(db).await?;
    let (current, _) = get_for(&txn, p, id, CaseAccess::Full).await?;
    lifecycle::check(
        current.status,
        to,
        reason.as_deref(),
        current.sentence_end,
        now().date_naive(),
    )?;
    if to == CaseStatus::Active && current.officer_id.is_none() {
        return Err(ApiError::Conflict(
            "assign a lead officer before activating the case".into(),
        ));
    }
    let from = current.status;
    let at = now();
    // Guarded on the status read: a concurrent transition of the same case loses here.
    let changed = case::Entity::update_many()
        .col_expr(
            case::Column::Status,
            sea_orm::sea_query::Expr::value(to.to_value()),
        )
        .col_expr(
            case::Column::StatusReason,
            sea_orm::sea_query::Expr::value(reason.clone()),
        )
        .col_expr(case::Column::StatusChangedAt, sea_orm::sea_query::Expr::value(at))
        .col_expr(case::Column::UpdatedAt, sea_orm::sea_query::Expr::value(at))
        .filter(case::Column::Id.eq(current.id))
        .filter(case::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(ApiError::Conflict(
            "the case changed meanwhile; reload and retry".into(),
        ));
    }
    status_change::ActiveModel {
        case_id: Set(current.id),
        from_status: Set(Some(from)),
        to_status: Set(to),
        reason: Set(reason.clone()),
        changed_by: Set(p.user_id),
        changed_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("case.transition")
            .target("Case", current.id)
            .case(current.id)
            .detail(json!({"from": from.to_value(), "to": to.to_value()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.status_changed", "Case", current.id)
            .case(current.id)
            .organisation(current.organisation_id)
            .payload(json!({"from": from.to_value(), "to": to.to_value()})),
    )
    .await?;
    let row = case::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    txn.commit().await?;
    Ok(row)
}
