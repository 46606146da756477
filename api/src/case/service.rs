//! Cases: opening, changing, the status lifecycle, reading with the caller's access.

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::conditions::{ConditionSpec, MAX_CONDITIONS_PER_CASE, Requirement};
use super::entity::{CaseKind, CaseStatus, RiskLevel, case, condition, status_change};
use super::lifecycle;
use crate::access::{self, CaseAccess, require_case_access, visible_cases};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::person;
use crate::territory::resolve::{Place, mahalla_place};
use crate::user::entity::{Role, user, user_role};

/// The court decision and sentence of a case.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub kind: CaseKind,
    pub court_name: String,
    pub court_decision_date: NaiveDate,
    pub criminal_code_article: Option<String>,
    pub sentence_start: NaiveDate,
    pub sentence_end: NaiveDate,
}

impl Sentence {
    pub fn check(&self) -> ApiResult<()> {
        if self.court_decision_date > now().date_naive() {
            return Err(ApiError::bad_input(
                "input.courtDecisionDate",
                "must not be in the future",
            ));
        }
        if self.sentence_start < self.court_decision_date {
            return Err(ApiError::bad_input(
                "input.sentenceStart",
                "must not be before the court decision",
            ));
        }
        crate::validate::date_range("input.sentenceEnd", self.sentence_start, self.sentence_end)
    }
}

/// A case to open.
pub struct NewCase {
    pub person_id: i64,
    pub sentence: Sentence,
    /// Defaults to the person's mahalla.
    pub mahalla_id: Option<i64>,
    /// Defaults to the caller.
    pub officer_id: Option<i64>,
    pub inspector_id: Option<i64>,
    pub risk_level: Option<RiskLevel>,
    pub conditions: Vec<ConditionSpec>,
}

/// Load a case the caller may see, with their access level, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<(case::Model, CaseAccess)> {
    let row = case::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    let level = require_case_access(p, &row, CaseAccess::Community)?;
    Ok((row, level))
}

/// Load a case for a change that needs `needed` access.
pub async fn get_for<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    needed: CaseAccess,
) -> ApiResult<(case::Model, CaseAccess)> {
    let row = case::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Case"))?;
    let level = require_case_access(p, &row, needed)?;
    Ok((row, level))
}

/// Read a case's full record: audited.
pub async fn read(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<(case::Model, CaseAccess)> {
    let (row, level) = get(db, p, id).await?;
    audit::record(db, p, Entry::new("case.read").target("Case", row.id).case(row.id)).await?;
    Ok((row, level))
}

async fn require_user_with_role<C: ConnectionTrait>(
    db: &C,
    field: &str,
    user_id: i64,
    role: Role,
    organisation_id: Option<i64>,
) -> ApiResult<user::Model> {
    let found = user::Entity::find_by_id(user_id).one(db).await?;
    let has_role = user_role::Entity::find_by_id((user_id, role))
        .one(db)
        .await?
        .is_some();
    match found {
        Some(u) if u.active && has_role && organisation_id.is_none_or(|o| o == u.organisation_id) => Ok(u),
        _ => Err(ApiError::bad_input(
            field,
            format!("must be an active {} of the right organisation", role.to_value()),
        )),
    }
}

async fn case_place<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    mahalla_id: i64,
    field: &str,
) -> ApiResult<Place> {
    let place = mahalla_place(db, mahalla_id, field).await?;
    let (Some(r), Some(d)) = (place.region_id, place.district_id) else {
        return Err(ApiError::bad_input(field, "no such mahalla"));
    };
    if !p.scope.covers(r, d, mahalla_id) {
        return Err(ApiError::Forbidden(
            "the mahalla lies outside your territory".into(),
        ));
    }
    Ok(place)
}

/// Open a case (a probation officer, for a person they may see, in their territory).
pub async fn create(db: &DatabaseConnection, p: &Principal, new: NewCase) -> ApiResult<case::Model> {
    access::require_any_role(p, &[Role::ProbationOfficer])?;
    new.sentence.check()?;
    if new.conditions.len() as u64 > MAX_CONDITIONS_PER_CASE {
        return Err(ApiError::bad_input(
            "input.conditions",
            format!("at most {MAX_CONDITIONS_PER_CASE} conditions"),
        ));
    }
    let (person, _) = person::service::get(db, p, new.person_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::bad_input("input.personId", "no such person"),
            other => other,
        })?;
    let mahalla_id = new.mahalla_id.unwrap_or(person.mahalla_id);
    let place = case_place(db, p, mahalla_id, "input.mahallaId").await?;
    let officer_id = new.officer_id.unwrap_or(p.user_id);
    require_user_with_role(
        db,
        "input.officerId",
        officer_id,
        Role::ProbationOfficer,
        Some(p.organisation_id),
    )
    .await?;
    if let Some(inspector) = new.inspector_id {
        require_user_with_role(
            db,
            "input.inspectorId",
            inspector,
            Role::PreventionInspector,
            None,
        )
        .await?;
    }

    let txn = write_txn(db).await?;
    let at = now();
    let s = new.sentence;
    let row = case::ActiveModel {
        person_id: Set(person.id),
        kind: Set(s.kind),
        status: Set(CaseStatus::Pending),
        court_name: Set(s.court_name),
        court_decision_date: Set(s.court_decision_date),
        criminal_code_article: Set(s.criminal_code_article),
        sentence_start: Set(s.sentence_start),
        sentence_end: Set(s.sentence_end),
        organisation_id: Set(p.organisation_id),
        officer_id: Set(Some(officer_id)),
        inspector_id: Set(new.inspector_id),
        mahalla_id: Set(mahalla_id),
        district_id: Set(place.district_id.unwrap_or_default()),
        region_id: Set(place.region_id.unwrap_or_default()),
        risk_level: Set(new.risk_level),
        status_reason: Set(None),
        status_changed_at: Set(at),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    status_change::ActiveModel {
        case_id: Set(row.id),
        from_status: Set(None),
        to_status: Set(CaseStatus::Pending),
        reason: Set(None),
        changed_by: Set(p.user_id),
        changed_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for spec in &new.conditions {
        insert_condition(&txn, p, row.id, spec).await?;
    }
    audit::record(
        &txn,
        p,
        Entry::new("case.create").target("Case", row.id).case(row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.opened", "Case", row.id)
            .case(row.id)
            .organisation(row.organisation_id)
            .payload(json!({"status": "PENDING", "mahallaId": row.mahalla_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

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

async fn insert_condition<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    case_id: i64,
    spec: &ConditionSpec,
) -> ApiResult<condition::Model> {
    let (curfew, area, place, every) = match &spec.requirement {
        Requirement::Curfew(w) => (Some(*w), None, None, None),
        Requirement::StayWithin(a) => (None, Some(*a), None, None),
        Requirement::StayOut { area, place } => (None, *area, place.clone(), None),
        Requirement::Reporting { every_days } => (None, None, None, Some(*every_days)),
        Requirement::Other => (None, None, None, None),
    };
    let area = area.unwrap_or_default();
    Ok(condition::ActiveModel {
        case_id: Set(case_id),
        kind: Set(spec.kind()),
        curfew_start: Set(curfew.map(|w| w.start)),
        curfew_end: Set(curfew.map(|w| w.end)),
        region_id: Set(area.region_id),
        district_id: Set(area.district_id),
        mahalla_id: Set(area.mahalla_id),
        place: Set(place),
        report_every_days: Set(every),
        description: Set(spec.description.clone()),
        valid_from: Set(spec.valid_from),
        valid_until: Set(spec.valid_until),
        created_by: Set(p.user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Add a condition to a case (probation officer with full access).
pub async fn add_condition(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    spec: ConditionSpec,
) -> ApiResult<condition::Model> {
    let txn = write_txn(db).await?;
    let (c, _) = get_for(&txn, p, case_id, CaseAccess::Full).await?;
    if lifecycle::is_closed(c.status) {
        return Err(ApiError::Conflict("the case is closed".into()));
    }
    let existing = condition::Entity::find()
        .filter(condition::Column::CaseId.eq(c.id))
        .count(&txn)
        .await?;
    if existing >= MAX_CONDITIONS_PER_CASE {
        return Err(ApiError::Conflict(format!(
            "a case carries at most {MAX_CONDITIONS_PER_CASE} conditions"
        )));
    }
    let row = insert_condition(&txn, p, c.id, &spec).await?;
    audit::record(
        &txn,
        p,
        Entry::new("case_condition.create")
            .target("CaseCondition", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.condition_added", "CaseCondition", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"kind": row.kind.to_value()})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// End a condition on a date (default today); the record stays for history.
pub async fn end_condition(
    db: &DatabaseConnection,
    p: &Principal,
    condition_id: i64,
    valid_until: Option<NaiveDate>,
) -> ApiResult<condition::Model> {
    let txn = write_txn(db).await?;
    let current = condition::Entity::find_by_id(condition_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("CaseCondition"))?;
    let (c, _) = get_for(&txn, p, current.case_id, CaseAccess::Full)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("CaseCondition"),
            other => other,
        })?;
    let until = valid_until.unwrap_or_else(|| now().date_naive());
    if let Some(from) = current.valid_from {
        crate::validate::date_range("validUntil", from, until)?;
    }
    let mut row: condition::ActiveModel = current.into();
    row.valid_until = Set(Some(until));
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("case_condition.end")
            .target("CaseCondition", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("case.condition_ended", "CaseCondition", row.id)
            .case(c.id)
            .organisation(c.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Filters of the case list.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    pub mahalla_ids: Vec<i64>,
    pub district_id: Option<i64>,
    pub region_id: Option<i64>,
    pub statuses: Vec<CaseStatus>,
    pub kinds: Vec<CaseKind>,
    pub risk_levels: Vec<RiskLevel>,
    pub officer_id: Option<i64>,
    pub inspector_id: Option<i64>,
    pub person_id: Option<i64>,
    pub sentence_start_from: Option<NaiveDate>,
    pub sentence_start_to: Option<NaiveDate>,
    pub sentence_end_from: Option<NaiveDate>,
    pub sentence_end_to: Option<NaiveDate>,
}

/// Cases the caller may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: CaseFilter,
    page: Page,
) -> ApiResult<Paged<case::Model>> {
    let mut cond = Condition::all().add(visible_cases(p));
    if !f.mahalla_ids.is_empty() {
        cond = cond.add(case::Column::MahallaId.is_in(f.mahalla_ids));
    }
    if let Some(id) = f.district_id {
        cond = cond.add(case::Column::DistrictId.eq(id));
    }
    if let Some(id) = f.region_id {
        cond = cond.add(case::Column::RegionId.eq(id));
    }
    if !f.statuses.is_empty() {
        cond = cond.add(case::Column::Status.is_in(f.statuses));
    }
    if !f.kinds.is_empty() {
        cond = cond.add(case::Column::Kind.is_in(f.kinds));
    }
    if !f.risk_levels.is_empty() {
        cond = cond.add(case::Column::RiskLevel.is_in(f.risk_levels));
    }
    if let Some(id) = f.officer_id {
        cond = cond.add(case::Column::OfficerId.eq(id));
    }
    if let Some(id) = f.inspector_id {
        cond = cond.add(case::Column::InspectorId.eq(id));
    }
    if let Some(id) = f.person_id {
        cond = cond.add(case::Column::PersonId.eq(id));
    }
    if let Some(d) = f.sentence_start_from {
        cond = cond.add(case::Column::SentenceStart.gte(d));
    }
    if let Some(d) = f.sentence_start_to {
        cond = cond.add(case::Column::SentenceStart.lte(d));
    }
    if let Some(d) = f.sentence_end_from {
        cond = cond.add(case::Column::SentenceEnd.gte(d));
    }
    if let Some(d) = f.sentence_end_to {
        cond = cond.add(case::Column::SentenceEnd.lte(d));
    }
    paginate(
        db,
        case::Entity::find().filter(cond),
        case::Column::Id,
        page,
        Order::Descending,
    )
    .await
}
