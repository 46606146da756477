//! Recording and withdrawing a person's consent to share their data with partners.
//!
//! Consents are recorded by the agencies that supervise the person (prevention
//! inspector or probation officer with access to one of the person's cases). A consent
//! names one organisation or every organisation of a kind, the purpose (a module's
//! services), the data it covers, and the evidence it rests on.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::entity::{self as consent, ConsentWithdrawalReason, DataScope};
use crate::access::CaseAccess;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::module::Registry;
use crate::organisation::entity::{self as organisation, OrganisationKind};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::person::service as people;
use crate::validate;

/// Whom a consent lets data go to.
#[derive(Debug, Clone, Copy)]
pub enum Recipient {
    Organisation(i64),
    Kind(OrganisationKind),
}

/// A consent to record.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub person_id: i64,
    pub recipient: Recipient,
    pub purpose: String,
    pub data_scope: Vec<DataScope>,
    pub given_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub evidence: String,
}

/// The person's record, for a caller who may manage their consents (supervising
/// agencies: prevention inspector or probation officer with access to one of their cases).
async fn managed_person(db: &DatabaseConnection, p: &Principal, person_id: i64) -> ApiResult<()> {
    let (_, level) = people::get(db, p, person_id).await?;
    if level < CaseAccess::Supervise {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

pub async fn record(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    new: NewConsent,
) -> ApiResult<consent::Model> {
    managed_person(db, p, new.person_id).await?;
    if registry.get(&new.purpose).is_none() {
        return Err(ApiError::bad_input(
            "input.purpose",
            format!("no module {:?} is installed", new.purpose),
        ));
    }
    let mut scope = new.data_scope.clone();
    scope.sort();
    scope.dedup();
    if scope.is_empty() {
        return Err(ApiError::bad_input(
            "input.dataScope",
            "name at least one kind of data",
        ));
    }
    let at = now();
    let given_at = new.given_at.unwrap_or(at);
    if given_at > at {
        return Err(ApiError::bad_input("input.givenAt", "cannot be in the future"));
    }
    if new.expires_at.is_some_and(|e| e <= at) {
        return Err(ApiError::bad_input("input.expiresAt", "must be in the future"));
    }
    let evidence = validate::required("input.evidence", &new.evidence, validate::SHORT_TEXT)?;

    let txn = write_txn(db).await?;
    let (organisation_id, organisation_kind) = match new.recipient {
        Recipient::Organisation(id) => {
            organisation::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.organisationId", "no such organisation"))?;
            (Some(id), None)
        }
        Recipient::Kind(kind) => (None, Some(kind)),
    };
    let row = consent::ActiveModel {
        person_id: Set(new.person_id),
        organisation_id: Set(organisation_id),
        organisation_kind: Set(organisation_kind),
        purpose: Set(new.purpose.clone()),
        data_scope: Set(json!(scope)),
        given_at: Set(given_at),
        expires_at: Set(new.expires_at),
        evidence: Set(evidence),
        recorded_by: Set(p.user_id),
        recorded_by_organisation_id: Set(p.organisation_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("consent.record")
            .target("Consent", row.id)
            .detail(json!({"person": row.person_id, "purpose": row.purpose})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("consent.recorded", "Consent", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"consentId": row.id, "personId": row.person_id, "purpose": row.purpose})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// What ends with a consent, run inside the withdrawal's transaction: given the caller
/// and the consent's id, it ends the work that relied on the consent and says how much
/// it ended. Consents know nothing of what rests on them (referrals depend on consents,
/// not the other way round), so whoever withdraws one passes the rule in — today
/// `referral::service::withdraw_relying_on`.
pub type EndDependants =
    for<'a> fn(&'a DatabaseTransaction, &'a Principal, i64) -> BoxFuture<'a, ApiResult<usize>>;

/// Withdraw a consent: from this moment no partner sees data through it, and
/// `end_dependants` ends, in the same transaction, what relied on it (every referral
/// under way is cancelled with reason CONSENT_WITHDRAWN).
pub async fn withdraw(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    reason: ConsentWithdrawalReason,
    note: Option<&str>,
    end_dependants: EndDependants,
) -> ApiResult<consent::Model> {
    let note = validate::optional("input.note", note, validate::LONG_TEXT)?;
    if reason == ConsentWithdrawalReason::Other && note.is_none() {
        return Err(ApiError::bad_input("input.note", "explain the reason OTHER"));
    }
    let current = consent::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Consent"))?;
    managed_person(db, p, current.person_id).await?;

    let txn = write_txn(db).await?;
    // Locked: a referral being sent under this consent commits first, and is then
    // found and cancelled below.
    let current = consent::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Consent"))?;
    if current.withdrawn_at.is_some() {
        return Err(ApiError::Conflict("the consent is already withdrawn".into()));
    }
    let at = now();
    let mut row: consent::ActiveModel = current.into();
    row.withdrawn_at = Set(Some(at));
    row.withdrawn_by = Set(Some(p.user_id));
    row.withdrawal_reason = Set(Some(reason));
    row.withdrawal_note = Set(note);
    let row = row.update(&txn).await?;
    let cancelled = end_dependants(&txn, p, row.id).await?;
    audit::record(
        &txn,
        p,
        Entry::new("consent.withdraw")
            .target("Consent", row.id)
            .detail(json!({"person": row.person_id, "referralsCancelled": cancelled})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("consent.withdrawn", "Consent", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"consentId": row.id, "personId": row.person_id, "purpose": row.purpose})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A person's consents, newest first (anyone who may see the person).
pub async fn list_for_person(
    db: &DatabaseConnection,
    p: &Principal,
    person_id: i64,
    live_only: bool,
    page: Page,
) -> ApiResult<Paged<consent::Model>> {
    people::get(db, p, person_id).await?;
    let mut q = consent::Entity::find().filter(consent::Column::PersonId.eq(person_id));
    if live_only {
        let at = now();
        q = q
            .filter(consent::Column::WithdrawnAt.is_null())
            .filter(consent::Column::GivenAt.lte(at))
            .filter(
                sea_orm::Condition::any()
                    .add(consent::Column::ExpiresAt.is_null())
                    .add(consent::Column::ExpiresAt.gt(at)),
            );
    }
    paginate(db, q, consent::Column::Id, page, Order::Descending).await
}

/// The newest live consent of `person_id` for `purpose` that covers `recipient`.
pub async fn live_consent_for<C: ConnectionTrait>(
    db: &C,
    person_id: i64,
    purpose: &str,
    recipient: &organisation::Model,
) -> ApiResult<Option<consent::Model>> {
    let at = now();
    let candidates = consent::Entity::find()
        .filter(consent::Column::PersonId.eq(person_id))
        .filter(consent::Column::Purpose.eq(purpose))
        .filter(consent::Column::WithdrawnAt.is_null())
        .order_by_desc(consent::Column::Id)
        // Held until the referral is sent: a concurrent withdrawal waits, then cancels it.
        .lock_shared()
        .all(db)
        .await?;
    Ok(candidates
        .into_iter()
        .find(|c| c.is_live(at) && c.covers_organisation(recipient.id, recipient.kind)))
}
