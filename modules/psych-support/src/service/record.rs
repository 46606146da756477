//! The one way a change is recorded: its audit entry and its domain event, in the
//! change's transaction.

use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::events::service::{self as events, NewEvent};
use sea_orm::DatabaseTransaction;
use serde_json::Value as Json;

use crate::ID;
use crate::entity::support;

/// Who is told about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The provider's staff only (clinical work: notes, screening results).
    Provider,
    /// The provider and the agencies supervising the case (attendance, plan, flags).
    ProviderAndCase,
}

/// Audit a change and emit its domain event, in the change's transaction. The event's
/// aggregate is the referral, so it reaches exactly the referral's audiences; its
/// payload holds ids and enumerations only.
pub async fn record_change(
    txn: &DatabaseTransaction,
    p: &Principal,
    s: &support::Model,
    (action, event_type): (&'static str, &'static str),
    target: (&'static str, i64),
    audience: Audience,
    payload: Json,
) -> ApiResult<()> {
    let mut payload = payload;
    if let Json::Object(map) = &mut payload {
        map.insert("referralId".into(), s.referral_id.into());
        map.insert("module".into(), ID.into());
    }
    audit::record(
        txn,
        p,
        Entry::new(action)
            .target(target.0, target.1)
            .case(s.case_id)
            .detail(payload.clone()),
    )
    .await?;
    let mut event = NewEvent::new(event_type, "Referral", s.referral_id)
        .organisation(s.organisation_id)
        .payload(payload);
    if audience == Audience::ProviderAndCase {
        event = event.case(s.case_id);
    }
    events::emit(txn, Some(p), event).await?;
    Ok(())
}
