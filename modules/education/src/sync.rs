//! Attendance on field devices (`Module::sync_sources`, kind `education.attendance`):
//! a teacher records a class where the signal is poor and syncs later. A device pulls
//! the entries of the enrolments its user's reads show (an enrolment's `attendance`
//! field: the provider's staff, the agencies supervising the case), and pushes new
//! entries and corrections of `status` and `note`, recorded through
//! `attendance::record_in` like `recordAttendance` — the same checks (the provider's
//! staff, an ATTENDING enrolment), audit, events and absence alert.

use chrono::NaiveDate;
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::ids;
use hamkor_api::module::BoxFuture;
use hamkor_api::sync::source::{SyncCreated, SyncCurrent, SyncCx, SyncSource};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::{Map, Value as Json, json};

use crate::entity::{AttendancePeriod, AttendanceStatus, attendance, enrolment};
use crate::service::attendance::{AttendanceEntry, check, record_in};
use crate::service::enrolment::for_change;
use crate::service::enrolment_search::visible;

/// The kind's key.
pub const KEY: &str = "education.attendance";
/// What a device changes of an entry.
const FIELDS: &[&str] = &["status", "note"];

/// An entry as a device gets it (and as `extensions.current` shows it).
pub fn record(a: &attendance::Model, case_id: i64) -> Json {
    json!({
        "id": ids::encode("EducationAttendance", a.id).to_string(),
        "enrolmentId": ids::encode("EducationEnrolment", a.enrolment_id).to_string(),
        "caseId": ids::encode("Case", case_id).to_string(),
        "on": a.on_date,
        "period": a.period.to_value(),
        "status": a.status.to_value(),
        "note": a.note,
        "recordedAt": a.recorded_at,
        "version": a.version,
    })
}

/// The entries of the enrolments the caller may read.
fn readable(p: &Principal) -> Condition {
    let enrolments = Query::select()
        .column(enrolment::Column::Id)
        .from(enrolment::Entity)
        .cond_where(visible(p))
        .to_owned();
    Condition::all().add(attendance::Column::EnrolmentId.in_subquery(enrolments))
}

/// Attendance as a synced kind.
pub struct Attendance;

impl SyncSource for Attendance {
    fn key(&self) -> &'static str {
        KEY
    }
    fn type_name(&self) -> &'static str {
        "EducationAttendance"
    }
    fn fields(&self) -> &'static [&'static str] {
        FIELDS
    }

    fn versions<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        p: &'a Principal,
    ) -> BoxFuture<'a, ApiResult<Vec<(i64, i64)>>> {
        Box::pin(async move {
            Ok(attendance::Entity::find()
                .select_only()
                .column(attendance::Column::Id)
                .column(attendance::Column::Version)
                .filter(readable(p))
                .into_tuple::<(i64, i32)>()
                .all(txn)
                .await?
                .into_iter()
                .map(|(id, v)| (id, i64::from(v)))
                .collect())
        })
    }

    fn load<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        p: &'a Principal,
        ids: &'a [i64],
    ) -> BoxFuture<'a, ApiResult<Vec<(i64, i64, Json)>>> {
        Box::pin(async move {
            let rows = attendance::Entity::find()
                .filter(readable(p))
                .filter(attendance::Column::Id.is_in(ids.to_vec()))
                .all(txn)
                .await?;
            let mut enrolments: Vec<i64> = rows.iter().map(|a| a.enrolment_id).collect();
            enrolments.sort_unstable();
            enrolments.dedup();
            let cases: std::collections::HashMap<i64, i64> = enrolment::Entity::find()
                .select_only()
                .column(enrolment::Column::Id)
                .column(enrolment::Column::CaseId)
                .filter(enrolment::Column::Id.is_in(enrolments))
                .into_tuple::<(i64, i64)>()
                .all(txn)
                .await?
                .into_iter()
                .collect();
            Ok(rows
                .iter()
                .filter_map(|a| {
                    let case_id = *cases.get(&a.enrolment_id)?;
                    Some((a.id, i64::from(a.version), record(a, case_id)))
                })
                .collect())
        })
    }

    fn current<'a>(&'a self, cx: &'a SyncCx<'a>, id: i64) -> BoxFuture<'a, ApiResult<SyncCurrent>> {
        Box::pin(async move {
            let a = entry(cx.txn, cx.principal, id).await?;
            let (e, _) = for_change(cx.txn, cx.principal, a.enrolment_id)
                .await
                .map_err(not_found)?;
            Ok(SyncCurrent {
                case_id: e.case_id,
                record: record(&a, e.case_id),
                version: a.version,
            })
        })
    }

    fn apply<'a>(
        &'a self,
        cx: &'a SyncCx<'a>,
        id: i64,
        version: i32,
        values: &'a Map<String, Json>,
    ) -> BoxFuture<'a, ApiResult<Json>> {
        Box::pin(async move {
            let a = entry(cx.txn, cx.principal, id).await?;
            let entry = AttendanceEntry {
                on: a.on_date,
                period: a.period,
                status: match values.get("status") {
                    Some(v) => name_of::<AttendanceStatus>(v, "values.status")?,
                    None => a.status,
                },
                note: match values.get("note") {
                    Some(v) => text(v, "values.note")?,
                    None => a.note.clone(),
                },
                expected_version: Some(version),
            };
            let (a, case_id) = save(cx, a.enrolment_id, entry).await?;
            Ok(record(&a, case_id))
        })
    }

    fn create<'a>(
        &'a self,
        cx: &'a SyncCx<'a>,
        values: &'a Map<String, Json>,
    ) -> BoxFuture<'a, ApiResult<SyncCreated>> {
        Box::pin(async move {
            let enrolment_id = values
                .get("enrolmentId")
                .and_then(Json::as_str)
                .and_then(ids::decode)
                .filter(|(t, _)| t == "EducationEnrolment")
                .map(|(_, n)| n)
                .ok_or_else(|| ApiError::bad_input("values.enrolmentId", "an EducationEnrolment id"))?;
            let on: NaiveDate = values
                .get("on")
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .ok_or_else(|| ApiError::bad_input("values.on", "the day (YYYY-MM-DD)"))?;
            let period = match values.get("period") {
                Some(v) => name_of::<AttendancePeriod>(v, "values.period")?,
                None => AttendancePeriod::Class,
            };
            // Who may not record the enrolment's attendance learns nothing of it.
            for_change(cx.txn, cx.principal, enrolment_id).await?;
            let existing = attendance::Entity::find()
                .filter(attendance::Column::EnrolmentId.eq(enrolment_id))
                .filter(attendance::Column::OnDate.eq(on))
                .filter(attendance::Column::Period.eq(period))
                .one(cx.txn)
                .await?;
            if let Some(a) = existing {
                return Ok(SyncCreated::Existing { id: a.id });
            }
            let entry = AttendanceEntry {
                on,
                period,
                status: name_of::<AttendanceStatus>(
                    values.get("status").unwrap_or(&Json::Null),
                    "values.status",
                )?,
                note: values
                    .get("note")
                    .map(|v| text(v, "values.note"))
                    .transpose()?
                    .flatten(),
                expected_version: None,
            };
            let (a, case_id) = save(cx, enrolment_id, entry).await?;
            Ok(SyncCreated::New {
                id: a.id,
                case_id,
                record: record(&a, case_id),
            })
        })
    }
}

/// Record one entry as `recordAttendance` would: the entry as saved, and its case.
async fn save(
    cx: &SyncCx<'_>,
    enrolment_id: i64,
    entry: AttendanceEntry,
) -> ApiResult<(attendance::Model, i64)> {
    let checked = check(vec![entry], |_, f| format!("values.{f}"))?;
    let (e, saved) = record_in(cx.txn, cx.registry, cx.principal, enrolment_id, checked).await?;
    let a = saved
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound("EducationAttendance"))?;
    Ok((a, e.case_id))
}

/// An entry of an enrolment the caller may read.
async fn entry(txn: &DatabaseTransaction, p: &Principal, id: i64) -> ApiResult<attendance::Model> {
    attendance::Entity::find_by_id(id)
        .filter(readable(p))
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("EducationAttendance"))
}

fn not_found(e: ApiError) -> ApiError {
    match e {
        ApiError::NotFound(_) => ApiError::NotFound("EducationAttendance"),
        other => other,
    }
}

fn text(v: &Json, field: &str) -> ApiResult<Option<String>> {
    match v {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        _ => Err(ApiError::bad_input(field, "a string or null")),
    }
}

fn name_of<E: ActiveEnum<Value = String>>(v: &Json, field: &str) -> ApiResult<E> {
    v.as_str()
        .and_then(|s| E::try_from_value(&s.to_owned()).ok())
        .ok_or_else(|| ApiError::bad_input(field, "not a known value"))
}
