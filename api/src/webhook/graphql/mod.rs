//! GraphQL types and operations of webhook endpoints and their delivery log: the
//! objects and queries here, the mutations in `mutation.rs`.

mod mutation;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition};

use super::entity::{DeliveryStatus, attempt, delivery, endpoint};
use super::message::event_types;
use super::service::{self};
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{Children, one, unfiltered};
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;

pub use mutation::{
    CreateWebhookEndpointInput, SecretOverlap, UpdateWebhookEndpointInput, WebhookEndpointSecretPayload,
    WebhookMutation,
};

/// Where an organisation's systems receive its events, signed by the Standard Webhooks
/// convention (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
pub struct WebhookEndpoint(pub endpoint::Model);

/// The batched delivery logs and attempt lists of one request.
struct WebhookLoaders {
    deliveries: Children<delivery::Entity>,
    attempts: Children<attempt::Entity>,
}

fn by_status(variant: u8) -> Condition {
    let status = match variant {
        1 => DeliveryStatus::Pending,
        2 => DeliveryStatus::Succeeded,
        3 => DeliveryStatus::Failed,
        _ => return Condition::all(),
    };
    Condition::all().add(delivery::Column::Status.eq(status))
}

fn webhook_loaders(ctx: &Context<'_>) -> Result<std::sync::Arc<WebhookLoaders>> {
    Ok(loaders(ctx)?.extension(|db| WebhookLoaders {
        deliveries: Children::new(
            db,
            delivery::Column::EndpointId,
            delivery::Column::Id,
            |m: &delivery::Model| m.endpoint_id,
            |m: &delivery::Model| m.id,
            by_status,
        ),
        attempts: Children::new(
            db,
            attempt::Column::DeliveryId,
            attempt::Column::Id,
            |m: &attempt::Model| m.delivery_id,
            |m: &attempt::Model| m.id,
            unfiltered,
        ),
    }))
}

#[Object]
impl WebhookEndpoint {
    pub async fn id(&self) -> ID {
        ids::encode("WebhookEndpoint", self.0.id)
    }
    /// The organisation whose events it receives.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the endpoint is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The event types it receives (see `webhookEventTypes`).
    async fn event_types(&self) -> Vec<String> {
        self.0.types()
    }
    /// Inactive endpoints receive nothing; their pending deliveries wait.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Why Hamkor switched the endpoint off (a 410 answer), if it did.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// Until when the previous secret still signs, after a rotation.
    async fn previous_secret_valid_until(&self) -> Option<DateTime<Utc>> {
        self.0.previous_secret_until.filter(|until| *until > Utc::now())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The delivery log, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<DeliveryStatus>,
    ) -> Result<Conn<WebhookDelivery>> {
        let page = page(ctx, first, after)?;
        let variant = match status {
            None => 0,
            Some(DeliveryStatus::Pending) => 1,
            Some(DeliveryStatus::Succeeded) => 2,
            Some(DeliveryStatus::Failed) => 3,
        };
        Ok(webhook_loaders(ctx)?
            .deliveries
            .connection(self.0.id, variant, page, |m| m.id, WebhookDelivery)
            .await?)
    }
}

/// One event on its way to one endpoint.
pub struct WebhookDelivery(pub delivery::Model);

#[Object]
impl WebhookDelivery {
    pub async fn id(&self) -> ID {
        ids::encode("WebhookDelivery", self.0.id)
    }
    /// The `webhook-id` header: the same on every attempt, for the receiver to deduplicate.
    async fn webhook_id(&self) -> String {
        self.0.msg_id()
    }
    /// The webhook event type, e.g. `referral.sent`.
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// Global id of the domain event it carries.
    async fn event_id(&self) -> ID {
        ids::encode("DomainEvent", self.0.event_id)
    }
    async fn status(&self) -> DeliveryStatus {
        self.0.status
    }
    /// Attempts made so far.
    async fn attempt_count(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due (pending deliveries).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == DeliveryStatus::Pending).then_some(self.0.next_attempt_at)
    }
    /// Retried until then, then given up.
    async fn retry_until(&self) -> DateTime<Utc> {
        self.0.retry_until
    }
    /// HTTP status of the last answer.
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status_code
    }
    /// What went wrong last time, if anything.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// Every attempt, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn attempts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<WebhookAttempt>> {
        let page = page(ctx, first, after)?;
        Ok(webhook_loaders(ctx)?
            .attempts
            .connection(self.0.id, 0, page, |m| m.id, WebhookAttempt)
            .await?)
    }
}

/// One HTTP attempt of a delivery.
pub struct WebhookAttempt(pub attempt::Model);

#[Object]
impl WebhookAttempt {
    async fn id(&self) -> ID {
        ids::encode("WebhookAttempt", self.0.id)
    }
    async fn attempted_at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }
    /// HTTP status of the answer (absent when none came: refused, unreachable, timed out).
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    /// Time from the request to the end of the (bounded) read of the answer.
    async fn latency_ms(&self) -> i64 {
        self.0.latency_ms
    }
    /// Whether the endpoint answered 2xx.
    async fn succeeded(&self) -> bool {
        self.0.succeeded
    }
    /// Why it failed, when it did.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// The start of the answer's body.
    async fn response_excerpt(&self) -> Option<&str> {
        self.0.response_excerpt.as_deref()
    }
}

/// Fetch one endpoint the caller manages.
pub async fn fetch_endpoint(ctx: &Context<'_>, id: i64) -> Result<Option<WebhookEndpoint>> {
    let p = principal(ctx)?;
    match service::get(&state(ctx)?.db, p, id).await {
        Ok(m) => Ok(Some(WebhookEndpoint(m))),
        Err(crate::error::ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Fetch one delivery of an endpoint the caller manages.
pub async fn fetch_delivery(ctx: &Context<'_>, id: i64) -> Result<Option<WebhookDelivery>> {
    let p = principal(ctx)?;
    match service::get_delivery(&state(ctx)?.db, p, id).await {
        Ok(m) => Ok(Some(WebhookDelivery(m))),
        Err(crate::error::ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The webhook endpoints of an organisation (its admins): the caller's own by default.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<WebhookEndpoint>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let org = ids::decode_opt(organisation_id.as_ref(), "Organisation", "organisationId")?
            .unwrap_or(p.organisation_id);
        let rows = service::list(&state(ctx)?.db, p, org, page).await?;
        Ok(rows.into_connection(|m| m.id, WebhookEndpoint))
    }

    async fn webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<Option<WebhookEndpoint>> {
        fetch_endpoint(ctx, ids::decode_as(&id, "WebhookEndpoint", "id")?).await
    }

    /// The event types an endpoint may subscribe to: the referral events, and the
    /// compiled-in modules' events about an organisation's own work.
    async fn webhook_event_types(&self, ctx: &Context<'_>) -> Result<Vec<&'static str>> {
        Ok(event_types(&state(ctx)?.modules))
    }
}
