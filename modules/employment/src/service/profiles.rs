//! The job-seeker profile of a case, who may keep it, and the seeker it describes.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use hamkor_api::access::CaseAccess;
use hamkor_api::access::partner::partner_referral;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::case;
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::case::service as cases;
use hamkor_api::consent::entity::DataScope;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::person::entity as person;
use hamkor_api::territory::resolve::Place;
use hamkor_api::validate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, TryIntoModel,
};
use serde_json::{Value as Json, json};

use crate::ID;
use crate::entity::{Barrier, EducationLevel, WorkReadiness, enum_name, profile, profile_skill};
use crate::matching::{Seeker, normalise_skill};

/// Most skills, occupations, languages, jobs on one profile.
pub const MAX_ITEMS: usize = 30;

/// The case, for a caller who supervises it or works its employment referral with
/// `scope` in the person's consent; NOT_FOUND for anyone else.
pub async fn case_for_seeker<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    case_id: i64,
    scope: DataScope,
) -> ApiResult<case::Model> {
    match cases::get_for(db, p, case_id, CaseAccess::Supervise).await {
        Ok((c, _)) => Ok(c),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => {
            if partner_referral(db, p, case_id, Some(ID), Some(scope))
                .await?
                .is_some()
            {
                case::Entity::find_by_id(case_id)
                    .one(db)
                    .await?
                    .ok_or(ApiError::NotFound("Case"))
            } else {
                Err(ApiError::NotFound("Case"))
            }
        }
        Err(e) => Err(e),
    }
}

/// A case's profile (None when none was written yet): for the agencies supervising the
/// case and the partner working its employment referral.
pub async fn get(db: &DatabaseConnection, p: &Principal, case_id: i64) -> ApiResult<Option<profile::Model>> {
    let c = case_for_seeker(db, p, case_id, DataScope::Identity).await?;
    Ok(profile::Entity::find()
        .filter(profile::Column::CaseId.eq(c.id))
        .one(db)
        .await?)
}

/// A job held before.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub employer: String,
    pub title: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// A profile as its editor gives it (replacing the previous one).
#[derive(Debug, Clone)]
pub struct ProfileSpec {
    pub education: Option<EducationLevel>,
    pub readiness: WorkReadiness,
    pub skills: Vec<(String, i32)>,
    pub desired_occupations: Vec<String>,
    pub languages: Vec<String>,
    pub barriers: Vec<Barrier>,
    pub work_history: Vec<Job>,
}

fn check(s: &ProfileSpec) -> ApiResult<Vec<(String, i32)>> {
    for (field, n) in [
        ("input.skills", s.skills.len()),
        ("input.desiredOccupations", s.desired_occupations.len()),
        ("input.languages", s.languages.len()),
        ("input.workHistory", s.work_history.len()),
    ] {
        if n > MAX_ITEMS {
            return Err(ApiError::bad_input(field, format!("at most {MAX_ITEMS}")));
        }
    }
    let mut skills: Vec<(String, i32)> = Vec::new();
    for (name, level) in &s.skills {
        let n = normalise_skill(name);
        if n.is_empty() || n.chars().count() > 64 {
            return Err(ApiError::bad_input(
                "input.skills",
                "a skill is 1 to 64 characters",
            ));
        }
        // A skill is shown to counsellors and employers: the display-text rules apply.
        let n = validate::required("input.skills", &n, 64)?;
        if !(1..=5).contains(level) {
            return Err(ApiError::bad_input("input.skills", "a skill's level is 1 to 5"));
        }
        if skills.iter().any(|(o, _)| *o == n) {
            return Err(ApiError::bad_input(
                "input.skills",
                format!("the skill {n:?} is listed twice"),
            ));
        }
        skills.push((n, *level));
    }
    for code in &s.desired_occupations {
        if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::bad_input(
                "input.desiredOccupations",
                "ISCO-08 unit groups: four digits each",
            ));
        }
    }
    for l in &s.languages {
        if !(2..=3).contains(&l.len()) || !l.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ApiError::bad_input("input.languages", "ISO 639 codes (uz, ru)"));
        }
    }
    for (i, j) in s.work_history.iter().enumerate() {
        validate::required(
            &format!("input.workHistory[{i}].employer"),
            &j.employer,
            validate::SHORT_TEXT,
        )?;
        validate::required(
            &format!("input.workHistory[{i}].title"),
            &j.title,
            validate::SHORT_TEXT,
        )?;
        if let (Some(from), Some(until)) = (j.from, j.until) {
            validate::date_range(&format!("input.workHistory[{i}].until"), from, until)?;
        }
    }
    Ok(skills)
}

/// Write a case's profile (the supervising agencies, or the partner working its
/// employment referral).
pub async fn save(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    spec: ProfileSpec,
) -> ApiResult<profile::Model> {
    let skills = check(&spec)?;
    let txn = write_txn(db).await?;
    let c = case_for_seeker(&txn, p, case_id, DataScope::Identity).await?;
    let existing = profile::Entity::find()
        .filter(profile::Column::CaseId.eq(c.id))
        .one(&txn)
        .await?;
    let at = now();
    let barriers: Vec<String> = spec.barriers.iter().map(|b| enum_name(*b)).collect();
    let mut row: profile::ActiveModel = match existing {
        Some(found) => found.into(),
        None => profile::ActiveModel {
            case_id: Set(c.id),
            created_at: Set(at),
            ..Default::default()
        },
    };
    row.education = Set(spec.education);
    row.readiness = Set(spec.readiness);
    row.desired_occupations = Set(json!(spec.desired_occupations));
    row.languages = Set(json!(spec.languages));
    row.barriers = Set(json!(barriers));
    row.work_history = Set(serde_json::to_value(&spec.work_history).unwrap_or(Json::Array(vec![])));
    row.updated_by = Set(p.user_id);
    row.updated_at = Set(at);
    let row = row.save(&txn).await?;
    let row: profile::Model = row.try_into_model()?;
    profile_skill::Entity::delete_many()
        .filter(profile_skill::Column::ProfileId.eq(row.id))
        .exec(&txn)
        .await?;
    if !skills.is_empty() {
        profile_skill::Entity::insert_many(skills.iter().map(|(skill, level)| profile_skill::ActiveModel {
            profile_id: Set(row.id),
            skill: Set(skill.clone()),
            level: Set(*level),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
    }
    audit::record(
        &txn,
        p,
        Entry::new("employment.profile.save")
            .target("JobSeekerProfile", row.id)
            .case(c.id)
            .detail(json!({"readiness": enum_name(row.readiness)})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("employment.profile_updated", "JobSeekerProfile", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"profileId": row.id, "readiness": enum_name(row.readiness)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Strings of a JSON array.
pub fn strings(j: &Json) -> Vec<String> {
    j.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The seeker a case's profile describes (a case without a profile seeks with what
/// the sentence and home alone say).
pub async fn seeker<C: ConnectionTrait>(
    db: &C,
    c: &case::Model,
    today: NaiveDate,
) -> ApiResult<(Seeker, Option<profile::Model>)> {
    let who = person::Entity::find_by_id(c.person_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Person"))?;
    let prof = profile::Entity::find()
        .filter(profile::Column::CaseId.eq(c.id))
        .one(db)
        .await?;
    let skills: BTreeSet<String> = match &prof {
        Some(pr) => profile_skill::Entity::find()
            .filter(profile_skill::Column::ProfileId.eq(pr.id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.skill)
            .collect(),
        None => BTreeSet::new(),
    };
    Ok((
        Seeker {
            skills,
            education: prof.as_ref().and_then(|pr| pr.education),
            desired: prof
                .as_ref()
                .map(|pr| strings(&pr.desired_occupations))
                .unwrap_or_default(),
            home: Place {
                region_id: Some(who.region_id),
                district_id: Some(who.district_id),
                mahalla_id: Some(who.mahalla_id),
            },
            restrictions: Restrictions::of_case(db, c.id, today).await?,
        },
        prof,
    ))
}

/// Set the readiness of a case's profile, if it has one (a hire, a job lost).
pub(super) async fn set_readiness(
    txn: &DatabaseTransaction,
    case_id: i64,
    readiness: WorkReadiness,
) -> ApiResult<()> {
    profile::Entity::update_many()
        .col_expr(profile::Column::Readiness, Expr::value(readiness))
        .col_expr(profile::Column::UpdatedAt, Expr::value(now()))
        .filter(profile::Column::CaseId.eq(case_id))
        .exec(txn)
        .await?;
    Ok(())
}
