//! Publishing programmes and intakes, and finding them.

use chrono::{NaiveDate, NaiveTime, Timelike};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::pagination::{Order, Page, Paged, TotalCount, paginate};
use hamkor_api::territory::resolve::Place;
use hamkor_api::validate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::{PARTNER_ROLES, require_partner_staff};
use crate::entity::{EducationLevel, ProgrammeKind, enum_name, intake, programme};
use crate::fit::{Applicant, programme_fits};

/// Most intakes one programme may have open at once (future or running).
pub const MAX_OPEN_INTAKES: u64 = 50;

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

async fn own_for_change(
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

/// Open an intake of a programme.
pub async fn add_intake(
    db: &DatabaseConnection,
    p: &Principal,
    programme_id: i64,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    seats: i32,
) -> ApiResult<intake::Model> {
    if !(1..=1000).contains(&seats) {
        return Err(ApiError::bad_input("input.seats", "between 1 and 1000"));
    }
    if let Some(end) = ends_on {
        validate::date_range("input.endsOn", starts_on, end)?;
    }
    let today = now().date_naive();
    // An intake already running may be registered late (within a year), so that the
    // people already attending it can be enrolled and their attendance kept.
    if starts_on < today - chrono::Duration::days(366) {
        return Err(ApiError::bad_input(
            "input.startsOn",
            "an intake started at most a year ago",
        ));
    }
    let txn = write_txn(db).await?;
    let prog = own_for_change(&txn, p, programme_id).await?;
    let open = intake::Entity::find()
        .filter(intake::Column::ProgrammeId.eq(prog.id))
        .filter(
            Condition::any()
                .add(intake::Column::EndsOn.is_null())
                .add(intake::Column::EndsOn.gte(today)),
        )
        .count(&txn)
        .await?;
    if open >= MAX_OPEN_INTAKES {
        return Err(ApiError::Conflict(format!(
            "a programme has at most {MAX_OPEN_INTAKES} open intakes"
        )));
    }
    let at = now();
    let row = intake::ActiveModel {
        programme_id: Set(prog.id),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        seats: Set(seats),
        seats_taken: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("education.intake.create")
            .target("EducationIntake", row.id)
            .detail(json!({"programmeId": prog.id, "seats": seats})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("education.intake_changed", "EducationIntake", row.id)
            .organisation(prog.organisation_id)
            .payload(json!({"programmeId": prog.id, "intakeId": row.id, "seats": seats})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Change an intake's number of seats (never below the seats already taken).
pub async fn set_seats(
    db: &DatabaseConnection,
    p: &Principal,
    intake_id: i64,
    seats: i32,
) -> ApiResult<intake::Model> {
    if !(1..=1000).contains(&seats) {
        return Err(ApiError::bad_input("input.seats", "between 1 and 1000"));
    }
    let txn = write_txn(db).await?;
    let current = intake::Entity::find_by_id(intake_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("EducationIntake"))?;
    let prog = own_for_change(&txn, p, current.programme_id).await?;
    if seats < current.seats_taken {
        return Err(ApiError::Conflict(format!(
            "{} seats are already taken",
            current.seats_taken
        )));
    }
    let mut row: intake::ActiveModel = current.into();
    row.seats = Set(seats);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("education.intake.set_seats")
            .target("EducationIntake", row.id)
            .detail(json!({"seats": seats})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("education.intake_changed", "EducationIntake", row.id)
            .organisation(prog.organisation_id)
            .payload(json!({"programmeId": prog.id, "intakeId": row.id, "seats": seats})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Filters of the catalogue and of the search for a case.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeFilter {
    pub kind: Option<ProgrammeKind>,
    pub language: Option<String>,
    pub provider_id: Option<i64>,
    /// Programmes in this place (any level) — remote ones too unless `exclude_remote`.
    pub place: Option<Place>,
    pub exclude_remote: bool,
    /// Closed programmes too (their provider's view).
    pub include_inactive: bool,
}

fn programme_condition(f: &ProgrammeFilter) -> Condition {
    use programme::Column as P;
    let mut c = Condition::all();
    if !f.include_inactive {
        c = c.add(P::Active.eq(true));
    }
    if let Some(k) = f.kind {
        c = c.add(P::Kind.eq(k));
    }
    if let Some(l) = &f.language {
        c = c.add(P::Language.eq(l.trim().to_ascii_lowercase()));
    }
    if let Some(o) = f.provider_id {
        c = c.add(P::OrganisationId.eq(o));
    }
    if let Some(place) = &f.place {
        let located = match (place.mahalla_id, place.district_id, place.region_id) {
            (Some(m), _, _) => Condition::all().add(P::MahallaId.eq(m)),
            (None, Some(d), _) => Condition::all().add(P::DistrictId.eq(d)),
            (None, None, Some(r)) => Condition::all().add(P::RegionId.eq(r)),
            (None, None, None) => Condition::all(),
        };
        c = c.add(if f.exclude_remote {
            located
        } else {
            Condition::any().add(located).add(P::Remote.eq(true))
        });
    } else if f.exclude_remote {
        c = c.add(P::Remote.eq(false));
    }
    c
}

/// The catalogue, oldest first.
pub async fn list(
    db: &DatabaseConnection,
    f: &ProgrammeFilter,
    page: Page,
) -> ApiResult<Paged<programme::Model>> {
    let q = programme::Entity::find().filter(programme_condition(f));
    paginate(db, q, programme::Column::Id, page, Order::Ascending).await
}

/// What an intake search looks for.
#[derive(Debug, Clone, Default)]
pub struct IntakeFilter {
    pub programme: ProgrammeFilter,
    /// Starting on or after (default: today; an earlier day lists running intakes).
    pub starts_from: Option<NaiveDate>,
    pub starts_until: Option<NaiveDate>,
    pub with_seats_only: bool,
}

/// Upcoming intakes matching `f` (and fitting `fits_for`, when given), soonest first,
/// keyed by (start date, id).
pub async fn intakes(
    db: &DatabaseConnection,
    f: &IntakeFilter,
    fits_for: Option<&Applicant>,
    page: Page,
) -> ApiResult<Paged<intake::Model>> {
    use intake::Column as I;
    let today = now().date_naive();
    let mut programmes = programme_condition(&f.programme);
    if let Some(who) = fits_for {
        programmes = programmes.add(programme_fits(who, today));
    }
    let mut sub = Query::select();
    sub.column(programme::Column::Id)
        .from(programme::Entity)
        .cond_where(programmes);
    let mut q = intake::Entity::find()
        .filter(I::ProgrammeId.in_subquery(sub))
        .filter(I::StartsOn.gte(f.starts_from.unwrap_or(today)));
    if let Some(until) = f.starts_until {
        q = q.filter(I::StartsOn.lte(until));
    }
    if f.with_seats_only {
        q = q.filter(Expr::col(I::SeatsTaken).lt(Expr::col(I::Seats)));
    }
    let total = TotalCount::of(db, q.clone());
    if let Some(after) = page.after {
        let Some(cursor) = intake::Entity::find_by_id(after).one(db).await? else {
            return Err(ApiError::bad_input("after", "not a valid cursor"));
        };
        q = q.filter(
            Condition::any().add(I::StartsOn.gt(cursor.starts_on)).add(
                Condition::all()
                    .add(I::StartsOn.eq(cursor.starts_on))
                    .add(I::Id.gt(cursor.id)),
            ),
        );
    }
    let mut rows = q
        .order_by_asc(I::StartsOn)
        .order_by_asc(I::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok(Paged {
        rows,
        has_next,
        page,
        total,
    })
}
