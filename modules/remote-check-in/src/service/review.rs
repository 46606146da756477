//! The officer's side of check-ins: the review queue (most urgent first), the review
//! itself (identity MATCH / NO_MATCH / CONCERN and a note), the callbacks asked for (the
//! officer's tasks) and the photo, each view of which is audited.

use hamkor_api::access::{CaseAccess, cases_with_access, of_cases};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::service::get_for;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::module::kit::enums::enum_name;
use hamkor_api::pagination::TotalCount;
use hamkor_api::user::entity::Role;
use hamkor_api::validate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

use crate::entity::{CheckInStatus, IdentityOutcome, check_in};
use crate::storage::PhotoStore;

fn officer(p: &Principal) -> ApiResult<()> {
    if p.has_role(Role::ProbationOfficer) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// A check-in of a case the officer has full access to.
pub async fn get<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<check_in::Model> {
    officer(p)?;
    let c = check_in::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("RemoteCheckIn"))?;
    get_for(db, p, c.case_id, CaseAccess::Full)
        .await
        .map_err(|_| ApiError::NotFound("RemoteCheckIn"))?;
    Ok(c)
}

/// Submitted check-ins of the officer's cases, not yet reviewed.
fn awaiting_review(p: &Principal) -> ApiResult<sea_orm::Select<check_in::Entity>> {
    officer(p)?;
    Ok(check_in::Entity::find()
        .filter(check_in::Column::Status.eq(CheckInStatus::Submitted))
        .filter(check_in::Column::OrganisationId.eq(p.organisation_id))
        .filter(of_cases(
            check_in::Column::CaseId,
            cases_with_access(p, CaseAccess::Full),
        )))
}

/// Submitted check-ins awaiting review on the officer's cases, most urgent first, then
/// oldest: `first` (at most 50) after the check-in `after`.
pub async fn queue(
    db: &DatabaseConnection,
    p: &Principal,
    first: u64,
    after: Option<i64>,
) -> ApiResult<(Vec<check_in::Model>, bool, TotalCount)> {
    let mut q = awaiting_review(p)?;
    let total = TotalCount::of(db, q.clone());
    if let Some(after) = after {
        let Some(mark) = check_in::Entity::find_by_id(after).one(db).await? else {
            return Err(ApiError::bad_input("after", "not a valid cursor"));
        };
        q = q.filter(
            Condition::any()
                .add(check_in::Column::Urgency.lt(mark.urgency))
                .add(
                    Condition::all()
                        .add(check_in::Column::Urgency.eq(mark.urgency))
                        .add(check_in::Column::Id.gt(mark.id)),
                ),
        );
    }
    let mut rows = q
        .order_by_desc(check_in::Column::Urgency)
        .order_by_asc(check_in::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, more, total))
}

/// Callbacks the person asked for and nobody has made yet (the officer's tasks), oldest
/// first, at most 50.
pub async fn callbacks(db: &DatabaseConnection, p: &Principal) -> ApiResult<Vec<check_in::Model>> {
    officer(p)?;
    Ok(check_in::Entity::find()
        .filter(check_in::Column::CallbackRequested.eq(true))
        .filter(check_in::Column::CallbackDoneAt.is_null())
        .filter(check_in::Column::OrganisationId.eq(p.organisation_id))
        .filter(of_cases(
            check_in::Column::CaseId,
            cases_with_access(p, CaseAccess::Full),
        ))
        .order_by_asc(check_in::Column::Id)
        .limit(50)
        .all(db)
        .await?)
}

/// Review a submitted check-in.
pub async fn review(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    outcome: IdentityOutcome,
    note: Option<&str>,
) -> ApiResult<check_in::Model> {
    let note = validate::optional("input.note", note, 2_000)?;
    let txn = write_txn(db).await?;
    let c = get(&txn, p, id).await?;
    let at = now();
    let moved = check_in::Entity::update_many()
        .col_expr(check_in::Column::Status, Expr::value(CheckInStatus::Reviewed))
        .col_expr(check_in::Column::Identity, Expr::value(outcome))
        .col_expr(check_in::Column::ReviewNote, Expr::value(note))
        .col_expr(check_in::Column::ReviewedBy, Expr::value(p.user_id))
        .col_expr(check_in::Column::ReviewedAt, Expr::value(at))
        .filter(check_in::Column::Id.eq(c.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Submitted))
        .exec(&txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::InvalidTransition {
            from: enum_name(c.status),
            to: "REVIEWED".into(),
        });
    }
    audit::record(
        &txn,
        p,
        Entry::new("remote_check_in.review")
            .target("RemoteCheckIn", c.id)
            .case(c.case_id)
            .detail(json!({"identity": enum_name(outcome)})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("remote_check_in.reviewed", "RemoteCheckIn", c.id)
            .case(c.case_id)
            .organisation(c.organisation_id)
            .payload(json!({"checkInId": c.id, "identity": enum_name(outcome)})),
    )
    .await?;
    let row = check_in::Entity::find_by_id(c.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RemoteCheckIn"))?;
    txn.commit().await?;
    Ok(row)
}

/// Mark a requested callback as made.
pub async fn complete_callback(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
) -> ApiResult<check_in::Model> {
    let txn = write_txn(db).await?;
    let c = get(&txn, p, id).await?;
    if !c.callback_requested || c.callback_done_at.is_some() {
        return Err(ApiError::Conflict(
            "no callback is waiting on this check-in".into(),
        ));
    }
    check_in::Entity::update_many()
        .col_expr(check_in::Column::CallbackDoneAt, Expr::value(now()))
        .filter(check_in::Column::Id.eq(c.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        p,
        Entry::new("remote_check_in.callback_done")
            .target("RemoteCheckIn", c.id)
            .case(c.case_id),
    )
    .await?;
    let row = check_in::Entity::find_by_id(c.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RemoteCheckIn"))?;
    txn.commit().await?;
    Ok(row)
}

/// The photo of a check-in, for its officer: each view is audited. None when there is
/// none or it was removed.
pub async fn photo(
    db: &DatabaseConnection,
    store: &PhotoStore,
    p: &Principal,
    id: i64,
) -> ApiResult<Option<(String, Vec<u8>)>> {
    let c = get(db, p, id).await?;
    let Some(key) = c.photo_key else {
        return Ok(None);
    };
    let bytes = store
        .get(&key)
        .await
        .map_err(|e| ApiError::internal("reading a photo", e))?;
    audit::record(
        db,
        p,
        Entry::new("remote_check_in.photo.read")
            .target("RemoteCheckIn", c.id)
            .case(c.case_id),
    )
    .await?;
    Ok(bytes.map(|b| (c.photo_content_type.unwrap_or_default(), b.to_vec())))
}

/// The check-ins of a case, newest first (at most 50), for its officer.
pub async fn of_case(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
) -> ApiResult<Vec<check_in::Model>> {
    officer(p)?;
    get_for(db, p, case_id, CaseAccess::Full).await?;
    Ok(check_in::Entity::find()
        .filter(check_in::Column::CaseId.eq(case_id))
        .order_by_desc(check_in::Column::OpensAt)
        .limit(50)
        .all(db)
        .await?)
}
