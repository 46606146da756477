//! A check-in: scheduled by the enrolment's rhythm, submitted by the person inside its
//! window with the questionnaire's answers, an optional photo (uploaded first, see
//! `crate::routes`) and an optional location judged against the case's areas. The
//! client's submission id makes a retry return the check-in it made.

use chrono::{DateTime, Utc};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::{ConditionKind, condition};
use hamkor_api::case::geofence::{Geofence, Located};
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::enums::enum_name;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::{Value as Json, json};

use hamkor_api::module::Registry;

use super::{own_enrolment, require_module_on};
use crate::entity::{CheckInStatus, SupportNeed, Wellbeing, check_in, enrolment, photo_upload};
use crate::questionnaire;
use crate::schedule::Schedule;
use crate::storage::PhotoStore;

/// Code of a submission with no check-in window open.
pub const OUTSIDE_WINDOW: &str = "OUTSIDE_WINDOW";

/// The enrolment's schedule.
pub fn schedule_of(e: &enrolment::Model) -> ApiResult<Schedule> {
    Schedule::new(e.first_due_at, e.every_days, e.weekday, e.window_hours)
}

/// Schedule the check-in after the one that opened at `after` (the first when none).
pub async fn schedule_after<C: ConnectionTrait>(
    db: &C,
    e: &enrolment::Model,
    after: Option<DateTime<Utc>>,
) -> ApiResult<check_in::Model> {
    let s = schedule_of(e)?;
    let opens = after.map_or_else(|| s.first(), |a| s.next(a));
    Ok(check_in::ActiveModel {
        enrolment_id: Set(e.id),
        organisation_id: Set(e.organisation_id),
        case_id: Set(e.case_id),
        opens_at: Set(opens),
        closes_at: Set(s.closes(opens)),
        status: Set(CheckInStatus::Scheduled),
        submission_id: Set(None),
        submitted_at: Set(None),
        answers: Set(None),
        wellbeing: Set(None),
        support_needs: Set(String::new()),
        callback_requested: Set(false),
        callback_done_at: Set(None),
        latitude: Set(None),
        longitude: Set(None),
        location_inside: Set(None),
        photo_key: Set(None),
        photo_content_type: Set(None),
        photo_bytes: Set(None),
        photo_removed_at: Set(None),
        photo_removed_reason: Set(None),
        urgency: Set(0),
        identity: Set(None),
        review_note: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        opening_reminded_at: Set(None),
        closing_reminded_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A device location.
#[derive(Debug, Clone, Copy)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

/// What the person submits.
#[derive(Debug, Clone)]
pub struct Submission {
    pub submission_id: String,
    pub answers: Json,
    /// The id the photo upload returned.
    pub photo_id: Option<String>,
    pub location: Option<Fix>,
}

/// The object key of an uploaded photo of an enrolment.
pub fn photo_key(enrolment_id: i64, photo_id: &str) -> ApiResult<String> {
    let (stem, ext) = photo_id.split_once('.').unwrap_or((photo_id, ""));
    let ok = uuid::Uuid::parse_str(stem).is_ok() && matches!(ext, "jpg" | "png");
    if !ok {
        return Err(ApiError::bad_input(
            "input.photoId",
            "not an id the photo upload returned",
        ));
    }
    Ok(format!("check-ins/{enrolment_id}/{photo_id}"))
}

/// Whether `fix` keeps the case's area conditions (inside every area to stay within,
/// outside every area to stay out of); none when the case has no zone on the map.
async fn judge<C: ConnectionTrait>(db: &C, case_id: i64, fix: Fix) -> ApiResult<Option<bool>> {
    let zones = condition::Entity::find()
        .filter(condition::Column::CaseId.eq(case_id))
        .filter(condition::Column::Kind.is_in([ConditionKind::StayWithinArea, ConditionKind::StayOutOfArea]))
        .all(db)
        .await?;
    let mut verdict = None;
    for c in zones {
        let Some(zone) = c.geofence.as_ref().and_then(Geofence::from_stored) else {
            continue;
        };
        let located = zone.locate(fix.lat, fix.lon, fix.accuracy_m);
        let kept = match c.kind {
            ConditionKind::StayWithinArea => located != Located::Outside,
            _ => located != Located::Inside,
        };
        verdict = Some(verdict.unwrap_or(true) && kept);
    }
    Ok(verdict)
}

fn check_fix(f: Fix) -> ApiResult<Fix> {
    let ok = (-90.0..=90.0).contains(&f.lat) && (-180.0..=180.0).contains(&f.lon);
    if !ok {
        return Err(ApiError::bad_input(
            "input.location",
            "latitude -90..90 and longitude -180..180",
        ));
    }
    if !(f.accuracy_m.is_finite() && (0.0..=10_000.0).contains(&f.accuracy_m)) {
        return Err(ApiError::bad_input(
            "input.location.accuracyM",
            "0 to 10,000 metres",
        ));
    }
    Ok(f)
}

/// How soon the officer should look: struggling first, then a callback, a location
/// outside the areas, and each support need.
pub fn urgency(wellbeing: Option<Wellbeing>, callback: bool, inside: Option<bool>, needs: usize) -> i32 {
    let mut u = 0;
    if wellbeing == Some(Wellbeing::Struggling) {
        u += 50;
    }
    if callback {
        u += 20;
    }
    if inside == Some(false) {
        u += 30;
    }
    u + 5 * needs as i32
}

async fn by_submission<C: ConnectionTrait>(
    db: &C,
    enrolment_id: i64,
    sid: &str,
) -> Result<Option<check_in::Model>, sea_orm::DbErr> {
    check_in::Entity::find()
        .filter(check_in::Column::EnrolmentId.eq(enrolment_id))
        .filter(check_in::Column::SubmissionId.eq(sid))
        .one(db)
        .await
}

/// Submit the open check-in. A retry with the same submission id returns the check-in
/// it made; outside every window: OUTSIDE_WINDOW; nothing is written on any error.
pub async fn submit(
    db: &DatabaseConnection,
    modules: &Registry,
    store: &PhotoStore,
    p: &Principal,
    s: Submission,
) -> ApiResult<check_in::Model> {
    let sid = s.submission_id.trim().to_owned();
    if sid.is_empty() || sid.len() > 64 {
        return Err(ApiError::bad_input("input.submissionId", "1 to 64 characters"));
    }
    let e = own_enrolment(db, p).await?;
    require_module_on(db, modules, e.organisation_id).await?;
    if let Some(done) = by_submission(db, e.id, &sid).await? {
        return Ok(done);
    }
    let at = now();
    let Some(open) = check_in::Entity::find()
        .filter(check_in::Column::EnrolmentId.eq(e.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
        .filter(check_in::Column::OpensAt.lte(at))
        .filter(check_in::Column::ClosesAt.gt(at))
        .order_by_asc(check_in::Column::OpensAt)
        .one(db)
        .await?
    else {
        return Err(ApiError::refused(
            OUTSIDE_WINDOW,
            "no check-in window is open now",
        ));
    };
    let config = crate::config::of_organisation(db, e.organisation_id).await;
    let answered = questionnaire::validate(&config.questions, &s.answers)?;
    let fix = s.location.map(check_fix).transpose()?;
    let inside = match fix {
        Some(f) => judge(db, e.case_id, f).await?,
        None => None,
    };
    let photo = match &s.photo_id {
        Some(id) => {
            let key = photo_key(e.id, id)?;
            let bytes = store
                .get(&key)
                .await
                .map_err(|err| ApiError::internal("reading an uploaded photo", err))?
                .ok_or_else(|| ApiError::bad_input("input.photoId", "no such upload"))?;
            let ct = if key.ends_with(".png") {
                "image/png"
            } else {
                "image/jpeg"
            };
            Some((key, ct, bytes.len() as i64))
        }
        None => None,
    };
    let needs: Vec<String> = answered
        .support
        .iter()
        .map(|n: &SupportNeed| enum_name(*n))
        .collect();
    let txn = write_txn(db).await?;
    let done = check_in::Entity::update_many()
        .col_expr(check_in::Column::Status, Expr::value(CheckInStatus::Submitted))
        .col_expr(check_in::Column::SubmissionId, Expr::value(sid.as_str()))
        .col_expr(check_in::Column::SubmittedAt, Expr::value(at))
        .col_expr(check_in::Column::Answers, Expr::value(answered.stored.clone()))
        .col_expr(check_in::Column::Wellbeing, Expr::value(answered.wellbeing))
        .col_expr(check_in::Column::SupportNeeds, Expr::value(needs.join(",")))
        .col_expr(
            check_in::Column::CallbackRequested,
            Expr::value(answered.callback),
        )
        .col_expr(check_in::Column::Latitude, Expr::value(fix.map(|f| f.lat)))
        .col_expr(check_in::Column::Longitude, Expr::value(fix.map(|f| f.lon)))
        .col_expr(check_in::Column::LocationInside, Expr::value(inside))
        .col_expr(
            check_in::Column::PhotoKey,
            Expr::value(photo.as_ref().map(|p| p.0.clone())),
        )
        .col_expr(
            check_in::Column::PhotoContentType,
            Expr::value(photo.as_ref().map(|p| p.1)),
        )
        .col_expr(
            check_in::Column::PhotoBytes,
            Expr::value(photo.as_ref().map(|p| p.2)),
        )
        .col_expr(
            check_in::Column::Urgency,
            Expr::value(urgency(
                answered.wellbeing,
                answered.callback,
                inside,
                needs.len(),
            )),
        )
        .filter(check_in::Column::Id.eq(open.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
        .exec(&txn)
        .await;
    let claimed = match done {
        Ok(r) => r.rows_affected == 1,
        // The same submission id racing itself: the other request made it.
        Err(err) if err.sql_err().is_some() => false,
        Err(err) => return Err(err.into()),
    };
    if !claimed {
        drop(txn);
        return by_submission(db, e.id, &sid)
            .await?
            .ok_or_else(|| ApiError::Conflict("this check-in was submitted already".into()));
    }
    if let Some((key, ..)) = &photo {
        // Attached: no longer an orphan for the sweep.
        photo_upload::Entity::update_many()
            .col_expr(photo_upload::Column::CheckInId, Expr::value(open.id))
            .filter(photo_upload::Column::ObjectKey.eq(key.as_str()))
            .filter(photo_upload::Column::CheckInId.is_null())
            .exec(&txn)
            .await?;
    }
    schedule_after(&txn, &e, Some(open.opens_at)).await?;
    audit::record(
        &txn,
        p,
        Entry::new("remote_check_in.submit")
            .target("RemoteCheckIn", open.id)
            .case(e.case_id)
            .detail(json!({"photo": photo.is_some(), "location": fix.is_some()})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("remote_check_in.submitted", "RemoteCheckIn", open.id)
            .case(e.case_id)
            .organisation(e.organisation_id)
            .payload(json!({
                "checkInId": open.id,
                "wellbeing": answered.wellbeing.map(enum_name),
                "supportNeeds": needs,
                "callback": answered.callback,
                "locationInside": inside,
            })),
    )
    .await?;
    let row = check_in::Entity::find_by_id(open.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RemoteCheckIn"))?;
    txn.commit().await?;
    Ok(row)
}

/// Store an uploaded photo for the person's enrolment (cleaned first, see
/// `crate::photo`): the id to name in the submission.
pub async fn upload_photo(
    db: &DatabaseConnection,
    modules: &Registry,
    store: &PhotoStore,
    p: &Principal,
    raw: bytes::Bytes,
) -> ApiResult<String> {
    let e = own_enrolment(db, p).await?;
    require_module_on(db, modules, e.organisation_id).await?;
    // Decoding a photo takes milliseconds of CPU: off the runtime's threads, so that
    // other requests are not held behind it.
    let clean = tokio::task::spawn_blocking(move || crate::photo::clean(&raw))
        .await
        .map_err(|err| ApiError::internal("checking a photo", err))??;
    let id = format!("{}.{}", uuid::Uuid::new_v4(), clean.extension);
    let key = photo_key(e.id, &id)?;
    let size = clean.bytes.len() as i64;
    store
        .put(&key, clean.bytes.into())
        .await
        .map_err(|err| ApiError::internal("storing a photo", err))?;
    // The row lets the sweep find the photo if no check-in ever names it.
    let kept = photo_upload::ActiveModel {
        enrolment_id: Set(e.id),
        object_key: Set(key.clone()),
        bytes: Set(size),
        uploaded_at: Set(now()),
        check_in_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await;
    if let Err(err) = kept {
        // Nothing must stay behind that nobody knows of.
        store.delete(&key).await.ok();
        return Err(err.into());
    }
    Ok(id)
}

/// When the person of `case_id` let check-ins expire between `since` and `until`.
pub async fn missed<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sea_orm::DbErr> {
    use sea_orm::QuerySelect;
    check_in::Entity::find()
        .select_only()
        .column(check_in::Column::OpensAt)
        .filter(check_in::Column::CaseId.eq(case_id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Expired))
        .filter(check_in::Column::OpensAt.gte(since))
        .filter(check_in::Column::OpensAt.lte(until))
        .limit(100)
        .into_tuple()
        .all(db)
        .await
}
