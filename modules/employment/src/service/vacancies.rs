//! Vacancies: published by the organisation that registered their employer, listed
//! for everyone who uses the module.

use chrono::{NaiveDate, NaiveTime, Timelike};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::external_id;
use hamkor_api::territory::resolve::Place;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;

use super::{PARTNER_ROLES, require_partner_staff};
use crate::entity::{EducationLevel, VacancyStatus, employer, enum_name, vacancy, vacancy_skill};
use crate::matching::normalise_skill;

/// Most skills one vacancy lists.
pub const MAX_SKILLS: usize = 30;

/// A vacancy as its publisher describes it.
#[derive(Debug, Clone)]
pub struct VacancySpec {
    pub employer_id: i64,
    pub title: String,
    pub occupation_code: String,
    pub min_education: Option<EducationLevel>,
    pub place: Place,
    pub shift: Option<(NaiveTime, NaiveTime)>,
    pub days: i32,
    pub wage_min_uzs: Option<i64>,
    pub wage_max_uzs: Option<i64>,
    pub seats: i32,
    pub opens_on: NaiveDate,
    pub closes_on: Option<NaiveDate>,
    pub required_skills: Vec<String>,
    pub preferred_skills: Vec<String>,
    pub description: Option<String>,
}

fn minutes(t: NaiveTime) -> i32 {
    (t.hour() * 60 + t.minute()) as i32
}

/// Checked skills: normalised, each at most 64 characters, none twice.
fn skills(required: &[String], preferred: &[String]) -> ApiResult<Vec<(String, bool)>> {
    if required.len() + preferred.len() > MAX_SKILLS {
        return Err(ApiError::bad_input(
            "input.requiredSkills",
            format!("at most {MAX_SKILLS} skills in all"),
        ));
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (field, list, req) in [
        ("input.requiredSkills", required, true),
        ("input.preferredSkills", preferred, false),
    ] {
        for s in list {
            let n = normalise_skill(s);
            if n.is_empty() || n.chars().count() > 64 {
                return Err(ApiError::bad_input(field, "a skill is 1 to 64 characters"));
            }
            let n = validate::required(field, &n, 64)?;
            if out.iter().any(|(o, _)| *o == n) {
                return Err(ApiError::bad_input(
                    field,
                    format!("the skill {n:?} is listed twice"),
                ));
            }
            out.push((n, req));
        }
    }
    Ok(out)
}

fn check_vacancy(s: &VacancySpec) -> ApiResult<(String, String, Option<String>)> {
    let title = validate::required("input.title", &s.title, validate::SHORT_TEXT)?;
    let code = s.occupation_code.trim().to_owned();
    if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_input(
            "input.occupationCode",
            "an ISCO-08 unit group: four digits",
        ));
    }
    let description = validate::optional("input.description", s.description.as_deref(), validate::LONG_TEXT)?;
    if s.place.district_id.is_none() {
        return Err(ApiError::bad_input(
            "input.territoryId",
            "name the workplace's district or mahalla",
        ));
    }
    if let Some((start, end)) = s.shift {
        if start == end {
            return Err(ApiError::bad_input(
                "input.shiftEnd",
                "a shift ends at another time than it starts",
            ));
        }
        if s.days == 0 {
            return Err(ApiError::bad_input(
                "input.workDays",
                "name the work days of the shift",
            ));
        }
    }
    if !(1..=500).contains(&s.seats) {
        return Err(ApiError::bad_input("input.seats", "between 1 and 500"));
    }
    for (field, w) in [
        ("input.wageMinUzs", s.wage_min_uzs),
        ("input.wageMaxUzs", s.wage_max_uzs),
    ] {
        if w.is_some_and(|w| w < 0) {
            return Err(ApiError::bad_input(field, "must not be negative"));
        }
    }
    if let (Some(min), Some(max)) = (s.wage_min_uzs, s.wage_max_uzs)
        && min > max
    {
        return Err(ApiError::bad_input(
            "input.wageMaxUzs",
            "must not be below wageMinUzs",
        ));
    }
    if let Some(close) = s.closes_on {
        validate::date_range("input.closesOn", s.opens_on, close)?;
    }
    Ok((title, code, description))
}

async fn replace_skills(
    txn: &DatabaseTransaction,
    v: &vacancy::Model,
    list: &[(String, bool)],
) -> ApiResult<()> {
    let vacancy_id = v.id;
    vacancy_skill::Entity::delete_many()
        .filter(vacancy_skill::Column::VacancyId.eq(vacancy_id))
        .exec(txn)
        .await?;
    if !list.is_empty() {
        vacancy_skill::Entity::insert_many(list.iter().map(|(skill, required)| vacancy_skill::ActiveModel {
            vacancy_id: Set(vacancy_id),
            skill: Set(skill.clone()),
            required: Set(*required),
            region_id: Set(v.region_id),
            district_id: Set(v.district_id),
            ..Default::default()
        }))
        .exec(txn)
        .await?;
    }
    Ok(())
}

fn skill_weight(list: &[(String, bool)]) -> i32 {
    list.iter().map(|(_, r)| if *r { 2 } else { 1 }).sum()
}

async fn vacancy_event(
    txn: &DatabaseTransaction,
    p: &Principal,
    row: &vacancy::Model,
    action: &'static str,
) -> ApiResult<()> {
    audit::record(
        txn,
        p,
        Entry::new(action)
            .target("Vacancy", row.id)
            .detail(json!({"status": enum_name(row.status), "seats": row.seats})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("employment.vacancy_changed", "Vacancy", row.id)
            .organisation(row.organisation_id)
            .payload(json!({"vacancyId": row.id, "status": enum_name(row.status)})),
    )
    .await?;
    Ok(())
}

async fn own_employer(txn: &DatabaseTransaction, p: &Principal, id: i64) -> ApiResult<employer::Model> {
    let e = employer::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::bad_input("input.employerId", "no such employer"))?;
    if e.organisation_id != p.organisation_id {
        return Err(ApiError::bad_input(
            "input.employerId",
            "an employer registered by your organisation",
        ));
    }
    Ok(e)
}

fn fill(
    row: &mut vacancy::ActiveModel,
    s: &VacancySpec,
    title: String,
    code: String,
    description: Option<String>,
) {
    row.title = Set(title);
    row.occupation_group = Set(code[..2].to_owned());
    row.occupation_code = Set(code);
    row.min_education = Set(s.min_education);
    let place = s.place;
    row.region_id = Set(place.region_id.unwrap_or_default());
    row.district_id = Set(place.district_id.unwrap_or_default());
    row.mahalla_id = Set(place.mahalla_id);
    row.shift_start_minute = Set(s.shift.map(|h| minutes(h.0)));
    row.shift_end_minute = Set(s.shift.map(|h| minutes(h.1)));
    row.days = Set(s.days);
    row.wage_min_uzs = Set(s.wage_min_uzs);
    row.wage_max_uzs = Set(s.wage_max_uzs);
    row.seats = Set(s.seats);
    row.opens_on = Set(s.opens_on);
    row.closes_on = Set(s.closes_on);
    row.description = Set(description);
}

/// Publish a vacancy of an employer the caller's organisation registered (OPEN, or DRAFT
/// to prepare it).
pub async fn create_vacancy(
    db: &DatabaseConnection,
    p: &Principal,
    spec: VacancySpec,
    status: VacancyStatus,
) -> ApiResult<vacancy::Model> {
    if !p.has_any_role(PARTNER_ROLES) {
        return Err(ApiError::Forbidden(
            "only a partner's staff publish vacancies".into(),
        ));
    }
    if !matches!(status, VacancyStatus::Draft | VacancyStatus::Open) {
        return Err(ApiError::bad_input(
            "input.status",
            "a new vacancy is DRAFT or OPEN",
        ));
    }
    let (title, code, description) = check_vacancy(&spec)?;
    let list = skills(&spec.required_skills, &spec.preferred_skills)?;
    let txn = write_txn(db).await?;
    let e = own_employer(&txn, p, spec.employer_id).await?;
    let at = now();
    let mut row = vacancy::ActiveModel {
        employer_id: Set(e.id),
        organisation_id: Set(p.organisation_id),
        seats_filled: Set(0),
        status: Set(status),
        openness: Set(e.openness),
        skill_weight: Set(skill_weight(&list)),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    fill(&mut row, &spec, title, code, description);
    let row = row.insert(&txn).await?;
    replace_skills(&txn, &row, &list).await?;
    vacancy_event(&txn, p, &row, "employment.vacancy.create").await?;
    txn.commit().await?;
    Ok(row)
}

async fn own_vacancy(txn: &DatabaseTransaction, p: &Principal, id: i64) -> ApiResult<vacancy::Model> {
    let v = vacancy::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("Vacancy"))?;
    require_partner_staff(p, v.organisation_id)?;
    Ok(v)
}

/// Replace a vacancy's description and skills (its publisher's staff).
pub async fn update_vacancy(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    spec: VacancySpec,
) -> ApiResult<vacancy::Model> {
    let (title, code, description) = check_vacancy(&spec)?;
    let list = skills(&spec.required_skills, &spec.preferred_skills)?;
    let txn = write_txn(db).await?;
    let current = own_vacancy(&txn, p, id).await?;
    let e = own_employer(&txn, p, spec.employer_id).await?;
    if spec.seats < current.seats_filled {
        return Err(ApiError::Conflict(format!(
            "{} seats are already filled",
            current.seats_filled
        )));
    }
    let mut row: vacancy::ActiveModel = current.into();
    fill(&mut row, &spec, title, code, description);
    row.employer_id = Set(e.id);
    row.openness = Set(e.openness);
    row.skill_weight = Set(skill_weight(&list));
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    replace_skills(&txn, &row, &list).await?;
    vacancy_event(&txn, p, &row, "employment.vacancy.update").await?;
    txn.commit().await?;
    Ok(row)
}

/// Open, close or reopen a vacancy.
pub async fn set_status(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    to: VacancyStatus,
) -> ApiResult<vacancy::Model> {
    use VacancyStatus::*;
    let txn = write_txn(db).await?;
    let current = own_vacancy(&txn, p, id).await?;
    let allowed = matches!(
        (current.status, to),
        (Draft, Open) | (Draft | Open | Filled, Closed) | (Closed, Open)
    );
    if !allowed {
        return Err(ApiError::InvalidTransition {
            from: enum_name(current.status),
            to: enum_name(to),
        });
    }
    if to == Open && current.seats_filled >= current.seats {
        return Err(ApiError::Conflict("every seat is filled: add seats first".into()));
    }
    let mut row: vacancy::ActiveModel = current.into();
    row.status = Set(to);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    vacancy_event(&txn, p, &row, "employment.vacancy.set_status").await?;
    txn.commit().await?;
    Ok(row)
}

/// Set (or clear) the publisher's own reference of a vacancy: its staff. Unique among
/// the organisation's vacancies (CONFLICT otherwise).
pub async fn set_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    external_id: Option<&str>,
) -> ApiResult<vacancy::Model> {
    external_id::set::<vacancy::Entity>(db, p, id, external_id, Condition::all()).await
}
