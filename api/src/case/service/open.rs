//! Opening a case: the sentence, the team, the mahalla, and the first conditions.

use chrono::NaiveDate;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
};
use serde_json::json;

use super::condition::insert_condition;
use crate::access;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::conditions::{ConditionSpec, MAX_CONDITIONS_PER_CASE};
use crate::case::entity::{CaseKind, CaseStatus, RiskLevel, case, status_change};
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
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

/// Who and where a new case is, once checked.
struct Placement {
    person_id: i64,
    mahalla_id: i64,
    place: Place,
    officer_id: i64,
}

/// Check a case to open: the caller's role, the sentence, the person, the mahalla
/// (inside the caller's territory) and the team.
async fn check_new(db: &DatabaseConnection, p: &Principal, new: &NewCase) -> ApiResult<Placement> {
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
    Ok(Placement {
        person_id: person.id,
        mahalla_id,
        place,
        officer_id,
    })
}

/// Open a case (a probation officer, for a person they may see, in their territory).
pub async fn create(db: &DatabaseConnection, p: &Principal, new: NewCase) -> ApiResult<case::Model> {
    let Placement {
        person_id,
        mahalla_id,
        place,
        officer_id,
    } = check_new(db, p, &new).await?;
    let txn = write_txn(db).await?;
    let at = now();
    let s = new.sentence;
    let row = case::ActiveModel {
        person_id: Set(person_id),
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

pub(super) async fn require_user_with_role<C: ConnectionTrait>(
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

pub(super) async fn case_place<C: ConnectionTrait>(
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
