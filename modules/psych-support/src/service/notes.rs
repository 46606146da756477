//! Confidential notes. Only practitioners (PARTNER_STAFF) of the provider the referral is
//! addressed to ever read a note's text: no other query, event, audit detail or error
//! message carries it. Every read is audited before the text is returned.

use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service as events;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::referral::entity::referral;
use hamkor_api::referral::service::get_of_module;
use hamkor_api::validate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::record::{Audience, record_change};
use super::support::{support_of, work_in_progress};
use crate::ID;
use crate::access::require_practitioner;
use crate::entity::{note, participant};

/// Write a note on a referral under way, optionally about one of its sessions.
pub async fn add(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    session_id: Option<i64>,
    body: &str,
) -> ApiResult<note::Model> {
    let body = validate::required("input.body", body, validate::LONG_TEXT)?;
    let txn = write_txn(db).await?;
    let (_, s) = work_in_progress(&txn, p, referral_id).await?;
    if let Some(session_id) = session_id {
        participant::Entity::find()
            .filter(participant::Column::SessionId.eq(session_id))
            .filter(participant::Column::SupportId.eq(s.id))
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.sessionId", "not a session of this referral"))?;
    }
    let n = note::ActiveModel {
        support_id: Set(s.id),
        session_id: Set(session_id),
        case_id: Set(s.case_id),
        organisation_id: Set(s.organisation_id),
        author_user_id: Set(p.user_id),
        body: Set(body),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_change(
        &txn,
        p,
        &s,
        (
            "psych_support.note.create",
            events::event_type("psych_support.note_added"),
        ),
        ("PsychNote", n.id),
        Audience::Provider,
        json!({"noteId": n.id, "sessionId": session_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(n)
}

/// A referral of the module the caller may see, for reading its clinical records: a
/// caller who may not see it is told it does not exist, one who may see it but is not a
/// practitioner of its provider is refused.
pub async fn referral_for_clinical_read(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
) -> ApiResult<referral::Model> {
    let r = get_of_module(db, p, referral_id, ID).await?;
    require_practitioner(p, &r)?;
    Ok(r)
}

/// The notes of a referral, newest first; each one returned is audited as read.
pub async fn read(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    page: Page,
) -> ApiResult<Paged<note::Model>> {
    let r = referral_for_clinical_read(db, p, referral_id).await?;
    let support_id = support_of(db, r.id).await?.map_or(0, |s| s.id);
    let paged = paginate(
        db,
        note::Entity::find()
            .filter(note::Column::SupportId.eq(support_id))
            .filter(note::Column::OrganisationId.eq(p.organisation_id)),
        note::Column::Id,
        page,
        Order::Descending,
    )
    .await?;
    audit_reads(db, p, &paged.rows).await?;
    Ok(paged)
}

/// Audit the reading of `notes` before their text leaves the server.
pub async fn audit_reads(db: &DatabaseConnection, p: &Principal, notes: &[note::Model]) -> ApiResult<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let txn = write_txn(db).await?;
    for n in notes {
        audit::record(
            &txn,
            p,
            Entry::new("psych_support.note.read")
                .target("PsychNote", n.id)
                .case(n.case_id),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
