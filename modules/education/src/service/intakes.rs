//! A programme's intakes: each start of it, with its seats.

use chrono::NaiveDate;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::json;

use super::programmes::own_for_change;
use crate::entity::{intake, programme};

/// Most intakes one programme may have open at once (future or running).
pub const MAX_OPEN_INTAKES: u64 = 50;
/// Audit a change of intake `row` of `prog` (`entry`) and emit its event.
async fn changed(
    txn: &DatabaseTransaction,
    p: &Principal,
    prog: &programme::Model,
    row: &intake::Model,
    entry: Entry,
) -> ApiResult<()> {
    audit::record(txn, p, entry.target("EducationIntake", row.id)).await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("education.intake_changed", "EducationIntake", row.id)
            .organisation(prog.organisation_id)
            .payload(json!({"programmeId": prog.id, "intakeId": row.id, "seats": row.seats})),
    )
    .await?;
    Ok(())
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
    let entry = Entry::new("education.intake.create").detail(json!({"programmeId": prog.id, "seats": seats}));
    changed(&txn, p, &prog, &row, entry).await?;
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
    let entry = Entry::new("education.intake.set_seats").detail(json!({"seats": seats}));
    changed(&txn, p, &prog, &row, entry).await?;
    txn.commit().await?;
    Ok(row)
}

/// Which intakes a programme's list shows, soonest first (only those not yet started
/// with `upcoming_only`): anyone whose organisation uses the module reads them.
pub fn of_programme(upcoming_only: bool) -> Condition {
    let mut cond = Condition::all();
    if upcoming_only {
        cond = cond.add(intake::Column::StartsOn.gte(now().date_naive()));
    }
    cond
}
