//! Managing an organisation's webhook endpoints and reading their delivery log: the
//! organisation's admins (and the platform admin) only.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::entity::{DeliveryStatus, delivery, endpoint};
use super::signature::new_secret;
use super::ssrf::{AddressPolicy, check_url};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::user::service::can_manage;
use crate::validate;

/// Most endpoints one organisation may register.
pub const MAX_ENDPOINTS: u64 = 20;
/// Longest overlap of an old and a new secret after a rotation, in hours.
pub const MAX_OVERLAP_HOURS: i64 = 7 * 24;

/// What an endpoint is registered with or changed to; absent fields stay as they are.
#[derive(Debug, Default, Clone)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// Re-activating clears the reason it was disabled.
    pub active: Option<bool>,
}

async fn checked_url(policy: &AddressPolicy, url: &str) -> ApiResult<String> {
    let url = validate::required("input.url", url, 2048)?;
    check_url(&url, policy)
        .await
        .map(|u| u.to_string())
        .map_err(|refusal| ApiError::bad_input("input.url", refusal.to_string()))
}

/// `types` trimmed, sorted and deduplicated, each one of `allowed`.
fn checked_types(types: Vec<String>, allowed: &[&str]) -> ApiResult<serde_json::Value> {
    if types.is_empty() {
        return Err(ApiError::bad_input(
            "input.eventTypes",
            "name at least one event type",
        ));
    }
    let mut types: Vec<String> = types.into_iter().map(|t| t.trim().to_owned()).collect();
    types.sort();
    types.dedup();
    if let Some(bad) = types.iter().find(|t| !allowed.contains(&t.as_str())) {
        return Err(ApiError::bad_input(
            "input.eventTypes",
            format!("unknown event type {bad}; see webhookEventTypes"),
        ));
    }
    Ok(json!(types))
}

/// An endpoint the caller manages, or NOT_FOUND.
pub async fn get<C: sea_orm::ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<endpoint::Model> {
    endpoint::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| can_manage(p, e.organisation_id))
        .ok_or(ApiError::NotFound("WebhookEndpoint"))
}

async fn audited(
    txn: &sea_orm::DatabaseTransaction,
    p: &Principal,
    action: &'static str,
    event: &'static str,
    e: &endpoint::Model,
) -> ApiResult<()> {
    audit::record(
        txn,
        p,
        Entry::new(action)
            .target("WebhookEndpoint", e.id)
            .detail(json!({"active": e.active, "eventTypes": e.event_types})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new(event, "WebhookEndpoint", e.id)
            .organisation(e.organisation_id)
            .payload(json!({"active": e.active})),
    )
    .await?;
    Ok(())
}

/// Register an endpoint for `organisation_id`, with a fresh secret, for event types of
/// `allowed` ([`super::message::event_types`]).
#[allow(clippy::too_many_arguments)] // the endpoint's fields and the rules they meet
pub async fn create(
    db: &DatabaseConnection,
    policy: &AddressPolicy,
    allowed: &[&str],
    p: &Principal,
    organisation_id: i64,
    url: &str,
    event_types: Vec<String>,
    description: Option<&str>,
) -> ApiResult<endpoint::Model> {
    if !can_manage(p, organisation_id) {
        return Err(ApiError::forbidden());
    }
    let types = checked_types(event_types, allowed)?;
    let description = validate::optional("input.description", description, 200)?;
    let url = checked_url(policy, url).await?;
    let txn = write_txn(db).await?;
    let count = endpoint::Entity::find()
        .filter(endpoint::Column::OrganisationId.eq(organisation_id))
        .count(&txn)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(ApiError::Conflict(format!(
            "an organisation may register at most {MAX_ENDPOINTS} webhook endpoints"
        )));
    }
    let at = now();
    let row = endpoint::ActiveModel {
        organisation_id: Set(organisation_id),
        url: Set(url),
        description: Set(description),
        event_types: Set(types),
        secret: Set(new_secret()),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        disabled_reason: Set(None),
        created_by: Set(Some(p.user_id)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audited(
        &txn,
        p,
        "webhook_endpoint.create",
        events::event_type("webhook_endpoint.created"),
        &row,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Change an endpoint's URL, event types, description or active flag.
pub async fn update(
    db: &DatabaseConnection,
    policy: &AddressPolicy,
    allowed: &[&str],
    p: &Principal,
    id: i64,
    patch: EndpointPatch,
) -> ApiResult<endpoint::Model> {
    let types = patch.event_types.map(|t| checked_types(t, allowed)).transpose()?;
    let description = validate::optional("input.description", patch.description.as_deref(), 200)?;
    let url = match &patch.url {
        Some(u) => Some(checked_url(policy, u).await?),
        None => None,
    };
    let txn = write_txn(db).await?;
    let current = get(&txn, p, id).await?;
    let mut row: endpoint::ActiveModel = current.into();
    if let Some(url) = url {
        row.url = Set(url);
    }
    if let Some(types) = types {
        row.event_types = Set(types);
    }
    if description.is_some() {
        row.description = Set(description);
    }
    if let Some(active) = patch.active {
        row.active = Set(active);
        if active {
            row.disabled_reason = Set(None);
        }
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    audited(
        &txn,
        p,
        "webhook_endpoint.update",
        events::event_type("webhook_endpoint.updated"),
        &row,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Delete an endpoint with its delivery log.
pub async fn delete(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<()> {
    let txn = write_txn(db).await?;
    let row = get(&txn, p, id).await?;
    endpoint::Entity::delete_by_id(row.id).exec(&txn).await?;
    audited(
        &txn,
        p,
        "webhook_endpoint.delete",
        events::event_type("webhook_endpoint.deleted"),
        &row,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Give an endpoint a new secret; the old one keeps signing (beside the new one) for
/// `overlap_hours`, so the receiver can switch without losing a message.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    overlap_hours: i64,
) -> ApiResult<endpoint::Model> {
    if !(0..=MAX_OVERLAP_HOURS).contains(&overlap_hours) {
        return Err(ApiError::bad_input(
            "overlapHours",
            format!("must be between 0 and {MAX_OVERLAP_HOURS}"),
        ));
    }
    let txn = write_txn(db).await?;
    let current = get(&txn, p, id).await?;
    let at = now();
    let old = current.secret.clone();
    let mut row: endpoint::ActiveModel = current.into();
    row.secret = Set(new_secret());
    row.previous_secret = Set((overlap_hours > 0).then_some(old));
    row.previous_secret_until = Set((overlap_hours > 0).then(|| at + Duration::hours(overlap_hours)));
    row.updated_at = Set(at);
    let row = row.update(&txn).await?;
    audited(
        &txn,
        p,
        "webhook_endpoint.rotate_secret",
        events::event_type("webhook_endpoint.updated"),
        &row,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The endpoints of an organisation, oldest first.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    organisation_id: i64,
    page: Page,
) -> ApiResult<Paged<endpoint::Model>> {
    if !can_manage(p, organisation_id) {
        return Err(ApiError::forbidden());
    }
    paginate(
        db,
        endpoint::Entity::find().filter(endpoint::Column::OrganisationId.eq(organisation_id)),
        endpoint::Column::Id,
        page,
        Order::Ascending,
    )
    .await
}

/// The delivery log of an endpoint (already authorised), newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    endpoint_id: i64,
    status: Option<DeliveryStatus>,
    page: Page,
) -> ApiResult<Paged<delivery::Model>> {
    let mut cond = Condition::all().add(delivery::Column::EndpointId.eq(endpoint_id));
    if let Some(s) = status {
        cond = cond.add(delivery::Column::Status.eq(s));
    }
    paginate(
        db,
        delivery::Entity::find().filter(cond),
        delivery::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

/// A delivery of an endpoint the caller manages, or NOT_FOUND.
pub async fn get_delivery(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<delivery::Model> {
    let row = delivery::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("WebhookDelivery"))?;
    get(db, p, row.endpoint_id)
        .await
        .map_err(|_| ApiError::NotFound("WebhookDelivery"))?;
    Ok(row)
}

/// Send a delivery again, now, with a fresh retry window (same `webhook-id`, so a
/// receiver that already has it recognises it).
pub async fn redeliver(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    retry_window: Duration,
) -> ApiResult<delivery::Model> {
    let txn = write_txn(db).await?;
    let current = delivery::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("WebhookDelivery"))?;
    let ep = get(&txn, p, current.endpoint_id)
        .await
        .map_err(|_| ApiError::NotFound("WebhookDelivery"))?;
    if current.status == DeliveryStatus::Pending {
        return Err(ApiError::Conflict(
            "this delivery is still being attempted".into(),
        ));
    }
    let at = now();
    let mut row: delivery::ActiveModel = current.into();
    row.status = Set(DeliveryStatus::Pending);
    let schedule = super::retry::fresh(at, retry_window);
    row.next_attempt_at = Set(schedule.next_attempt_at);
    row.retry_until = Set(schedule.retry_until);
    row.claimed_until = Set(None);
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("webhook_delivery.redeliver")
            .target("WebhookDelivery", row.id)
            .detail(json!({"endpoint": ep.id, "event": row.event_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
