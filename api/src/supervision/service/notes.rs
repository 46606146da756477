//! Case notes: written at a visibility the author may read, read by visibility, and
//! audited on every read.

use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait,
};
use serde_json::json;

use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::case::service::get;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::supervision::entity::{NoteVisibility, note};
use crate::sync::{records, version};
use crate::validate;

/// Add a note to a case, at a visibility the author may read themselves.
pub async fn add_note(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    visibility: NoteVisibility,
    body: &str,
) -> ApiResult<note::Model> {
    let txn = write_txn(db).await?;
    let row = add_note_in(&txn, p, case_id, visibility, body).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`add_note`] inside the caller's transaction (a synced change).
pub async fn add_note_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    case_id: i64,
    visibility: NoteVisibility,
    body: &str,
) -> ApiResult<note::Model> {
    let body = validate::required("input.body", body, validate::LONG_TEXT)?;
    let (c, level) = get(txn, p, case_id).await?;
    if visibility > level.max_note_visibility() {
        return Err(ApiError::Forbidden(
            format!("you may not write notes restricted to {}", visibility.to_value()).into(),
        ));
    }
    let row = note::ActiveModel {
        case_id: Set(c.id),
        author_id: Set(p.user_id),
        organisation_id: Set(p.organisation_id),
        visibility: Set(visibility),
        body: Set(body),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        p,
        Entry::new("case_note.create")
            .target("CaseNote", row.id)
            .case(c.id),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("case.note_added", "CaseNote", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"visibility": visibility.to_value()})),
    )
    .await?;
    Ok(row)
}

/// The author corrects the body of their note (it keeps its visibility).
pub async fn edit_note(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    body: &str,
    expected_version: Option<i32>,
) -> ApiResult<note::Model> {
    let txn = write_txn(db).await?;
    let row = edit_note_in(&txn, p, id, body, expected_version).await?;
    txn.commit().await?;
    Ok(row)
}

/// [`edit_note`] inside the caller's transaction (a synced change).
pub async fn edit_note_in(
    txn: &DatabaseTransaction,
    p: &Principal,
    id: i64,
    body: &str,
    expected_version: Option<i32>,
) -> ApiResult<note::Model> {
    let body = validate::required("input.body", body, validate::LONG_TEXT)?;
    let (current, c) = note_for_change(txn, p, id).await?;
    if current.author_id != p.user_id {
        return Err(ApiError::Forbidden("only its author edits a note".into()));
    }
    version::expect(expected_version, current.version, || records::note(&current))?;
    let next = version::claim::<note::Entity, _>(
        txn,
        note::Column::Id,
        note::Column::Version,
        current.id,
        current.version,
        || records::note(&current),
    )
    .await?;
    let mut row: note::ActiveModel = current.into();
    row.body = Set(body);
    row.version = Set(next);
    let row = row.update(txn).await?;
    audit::record(
        txn,
        p,
        Entry::new("case_note.edit")
            .target("CaseNote", row.id)
            .case(c.id)
            .detail(json!({"version": row.version})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("case.note_edited", "CaseNote", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({"visibility": row.visibility.to_value(), "version": row.version})),
    )
    .await?;
    Ok(row)
}

/// A note the caller may read, with its case (not found otherwise).
pub async fn note_for_change<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
) -> ApiResult<(note::Model, case::Model)> {
    let current = note::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("CaseNote"))?;
    let (c, level) = get(db, p, current.case_id)
        .await
        .map_err(|_| ApiError::NotFound("CaseNote"))?;
    if current.visibility > level.max_note_visibility() {
        return Err(ApiError::NotFound("CaseNote"));
    }
    Ok((current, c))
}

/// Record that `p` read these notes of a case (before they are returned).
pub async fn audit_note_read(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    note_ids: &[i64],
) -> ApiResult<()> {
    if note_ids.is_empty() {
        return Ok(());
    }
    audit::record(
        db,
        p,
        Entry::new("case_note.read")
            .target("Case", case_id)
            .case(case_id)
            .detail(json!({"noteIds": note_ids})),
    )
    .await?;
    Ok(())
}

/// One note, if the caller may read it (audited).
pub async fn read_note(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
) -> ApiResult<(note::Model, CaseAccess)> {
    let row = note::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("CaseNote"))?;
    let (_, level) = get(db, p, row.case_id)
        .await
        .map_err(|_| ApiError::NotFound("CaseNote"))?;
    if row.visibility > level.max_note_visibility() {
        return Err(ApiError::NotFound("CaseNote"));
    }
    audit::record(
        db,
        p,
        Entry::new("case_note.read")
            .target("CaseNote", row.id)
            .case(row.case_id)
            .detail(json!({"noteIds": [row.id]})),
    )
    .await?;
    Ok((row, level))
}
