//! The training module's rules and SQL, below the GraphQL layer: plain functions of
//! the database and the caller.

pub mod courses;
pub mod coverage;
pub mod enrolment;
pub mod records;
pub mod reminders;
pub mod requirements;
pub mod results;
pub mod sessions;

use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::events::service::{self as events, NewEvent};
use sea_orm::DatabaseTransaction;
use serde_json::Value as Json;

/// Audit a change and emit its event (both in the change's transaction). Training
/// events concern an organisation, never a case.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    p: Option<&Principal>,
    action: &'static str,
    event_type: &'static str,
    (aggregate, id): (&'static str, i64),
    organisation_id: i64,
    detail: Json,
) -> ApiResult<()> {
    if let Some(p) = p {
        audit::record(
            txn,
            p,
            Entry::new(action).target(aggregate, id).detail(detail.clone()),
        )
        .await?;
    }
    events::emit(
        txn,
        p,
        NewEvent::new(event_type, aggregate, id)
            .organisation(organisation_id)
            .payload(detail),
    )
    .await?;
    Ok(())
}
