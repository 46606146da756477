//! Publishing programmes: what a provider teaches, where, when and for whom.

use chrono::{NaiveTime, Timelike};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::external_id;
use hamkor_api::territory::resolve::Place;
use hamkor_api::validate;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, Condition, DatabaseConnection, EntityTrait, QuerySelect};
use serde_json::json;

use super::{PARTNER_ROLES, require_partner_staff};
use crate::entity::{EducationLevel, ProgrammeKind, enum_name, programme};

/// A programme as its provider describes it.
#[derive(Debug, Clone)]
pub struct ProgrammeSpec {
    pub title: String,
    pub kind: ProgrammeKind,
    pub subject: String,
    pub language: String,
    pub description: Option<String>,
    /// Where classes take place (at least a district), or None for a remote programme.
    pub place: Option<Place>,
    pub address: Option<String>,
    /// Bits of class days (Monday = 1 … Sunday = 64).
    pub days: i32,
    pub hours: Option<(NaiveTime, NaiveTime)>,
    pub duration_weeks: i32,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_education: Option<EducationLevel>,
    pub cost_uzs: i64,
    pub certificate: Option<String>,
}

/// A checked specification.
fn check(s: ProgrammeSpec) -> ApiResult<ProgrammeSpec> {
    let title = validate::required("input.title", &s.title, validate::SHORT_TEXT)?;
    let subject = validate::required("input.subject", &s.subject, validate::SHORT_TEXT)?;
    let language = s.language.trim().to_ascii_lowercase();
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(ApiError::bad_input(
            "input.language",
            "an ISO 639 language code (uz, ru, kaa)",
        ));
    }
    let description = validate::optional("input.description", s.description.as_deref(), validate::LONG_TEXT)?;
    let address = validate::optional("input.address", s.address.as_deref(), validate::SHORT_TEXT)?;
    let certificate = validate::optional(
        "input.certificate",
        s.certificate.as_deref(),
        validate::SHORT_TEXT,
    )?;
    if let Some(place) = &s.place
        && place.district_id.is_none()
    {
        return Err(ApiError::bad_input(
            "input.territoryId",
            "name the district or mahalla where classes take place",
        ));
    }
    match s.hours {
        Some((start, end)) => {
            if start >= end {
                return Err(ApiError::bad_input(
                    "input.endTime",
                    "classes end after they start, on the same day",
                ));
            }
            if start.second() != 0 || end.second() != 0 {
                return Err(ApiError::bad_input("input.startTime", "give whole minutes"));
            }
            if s.days == 0 {
                return Err(ApiError::bad_input("input.days", "name the class days"));
            }
        }
        None if s.days != 0 => {
            return Err(ApiError::bad_input(
                "input.startTime",
                "class days need class hours",
            ));
        }
        None => {}
    }
    if !(1..=260).contains(&s.duration_weeks) {
        return Err(ApiError::bad_input(
            "input.durationWeeks",
            "between 1 and 260 weeks",
        ));
    }
    for (field, age) in [("input.minAge", s.min_age), ("input.maxAge", s.max_age)] {
        if age.is_some_and(|a| !(14..=100).contains(&a)) {
            return Err(ApiError::bad_input(field, "between 14 and 100"));
        }
    }
    if let (Some(min), Some(max)) = (s.min_age, s.max_age)
        && min > max
    {
        return Err(ApiError::bad_input("input.maxAge", "must not be below minAge"));
    }
    if s.cost_uzs < 0 {
        return Err(ApiError::bad_input("input.costUzs", "must not be negative"));
    }
    Ok(ProgrammeSpec {
        title,
        subject,
        language,
        description,
        address,
        certificate,
        ..s
    })
}

fn minutes(t: NaiveTime) -> i32 {
    (t.hour() * 60 + t.minute()) as i32
}

fn apply(row: &mut programme::ActiveModel, s: ProgrammeSpec) {
    row.title = Set(s.title);
    row.kind = Set(s.kind);
    row.subject = Set(s.subject);
    row.language = Set(s.language);
    row.description = Set(s.description);
    row.remote = Set(s.place.is_none());
    let place = s.place.unwrap_or_default();
    row.region_id = Set(place.region_id);
    row.district_id = Set(place.district_id);
    row.mahalla_id = Set(place.mahalla_id);
    row.address = Set(s.address);
    row.days = Set(s.days);
    row.start_minute = Set(s.hours.map(|h| minutes(h.0)));
    row.end_minute = Set(s.hours.map(|h| minutes(h.1)));
    row.duration_weeks = Set(s.duration_weeks);
    row.min_age = Set(s.min_age);
    row.max_age = Set(s.max_age);
    row.min_education = Set(s.min_education);
    row.cost_uzs = Set(s.cost_uzs);
    row.certificate = Set(s.certificate);
}

async fn changed(
    txn: &sea_orm::DatabaseTransaction,
    p: &Principal,
    row: &programme::Model,
    action: &'static str,
) -> ApiResult<()> {
    audit::record(
        txn,
        p,
        Entry::new(action)
            .target("EducationProgramme", row.id)
            .detail(json!({"kind": enum_name(row.kind), "active": row.active})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("education.programme_changed", "EducationProgramme", row.id)
            .organisation(row.organisation_id)
            .payload(json!({"programmeId": row.id, "active": row.active})),
    )
    .await?;
    Ok(())
}

/// Publish a programme of the caller's organisation.
pub async fn create(
    db: &DatabaseConnection,
    p: &Principal,
    spec: ProgrammeSpec,
) -> ApiResult<programme::Model> {
    if !p.has_any_role(PARTNER_ROLES) {
        return Err(ApiError::Forbidden(
            "only a provider's staff publish programmes".into(),
        ));
    }
    let spec = check(spec)?;
    let txn = write_txn(db).await?;
    let at = now();
    let mut row = programme::ActiveModel {
        organisation_id: Set(p.organisation_id),
        active: Set(true),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    apply(&mut row, spec);
    let row = row.insert(&txn).await?;
    changed(&txn, p, &row, "education.programme.create").await?;
    txn.commit().await?;
    Ok(row)
}

pub(super) async fn own_for_change(
    txn: &sea_orm::DatabaseTransaction,
    p: &Principal,
    id: i64,
) -> ApiResult<programme::Model> {
    let row = programme::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("EducationProgramme"))?;
    require_partner_staff(p, row.organisation_id)?;
    Ok(row)
}

/// Replace a programme's description (its provider's staff).
pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    spec: ProgrammeSpec,
) -> ApiResult<programme::Model> {
    let spec = check(spec)?;
    let txn = write_txn(db).await?;
    let current = own_for_change(&txn, p, id).await?;
    let mut row: programme::ActiveModel = current.into();
    apply(&mut row, spec);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    changed(&txn, p, &row, "education.programme.update").await?;
    txn.commit().await?;
    Ok(row)
}

/// Open or close a programme to new applications.
pub async fn set_active(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    active: bool,
) -> ApiResult<programme::Model> {
    let txn = write_txn(db).await?;
    let current = own_for_change(&txn, p, id).await?;
    let mut row: programme::ActiveModel = current.into();
    row.active = Set(active);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    changed(&txn, p, &row, "education.programme.set_active").await?;
    txn.commit().await?;
    Ok(row)
}

/// Set (or clear) the provider's own reference of a programme: its staff. Unique among
/// the provider's programmes (CONFLICT otherwise).
pub async fn set_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    external_id: Option<&str>,
) -> ApiResult<programme::Model> {
    external_id::set::<programme::Entity>(db, p, id, external_id, Condition::all()).await
}

/// The programme the caller's organisation provides under its own reference.
pub async fn by_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    external_id: &str,
) -> ApiResult<Option<programme::Model>> {
    external_id::find::<programme::Entity>(db, p, Condition::all(), external_id).await
}
