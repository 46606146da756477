//! Mutations of webhook endpoints: registering, changing, rotating the secret, testing
//! and switching off, and sending a delivery again.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::{principal, state};
use crate::ids;
use crate::state::AppState;
use crate::webhook::entity::endpoint;
use crate::webhook::message::event_types;
use crate::webhook::service::{self, EndpointPatch};
use crate::webhook::ssrf::AddressPolicy;

use super::{WebhookDelivery, WebhookEndpoint};

/// An endpoint with its secret, shown when it is created or rotated.
#[derive(SimpleObject)]
pub struct WebhookEndpointSecretPayload {
    pub endpoint: WebhookEndpoint,
    /// The `whsec_…` secret that signs its messages: keep it in the receiving system.
    pub secret: String,
}

impl From<endpoint::Model> for WebhookEndpointSecretPayload {
    fn from(m: endpoint::Model) -> Self {
        Self {
            secret: m.secret.clone(),
            endpoint: WebhookEndpoint(m),
        }
    }
}

fn policy(st: &AppState) -> AddressPolicy {
    AddressPolicy::new(st.settings.webhook_allowed_addresses.clone())
}

#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// The organisation whose events it receives (the caller's own by default).
    pub organisation_id: Option<ID>,
    /// An http(s) URL that resolves to public addresses only.
    pub url: String,
    /// The event types to receive (see `webhookEventTypes`).
    pub event_types: Vec<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// Switch the endpoint off or (back) on.
    pub active: Option<bool>,
}

/// How long the old secret (of a webhook endpoint or a service account) stays valid
/// after a rotation.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SecretOverlap {
    /// The old secret stops at once.
    None,
    /// One hour.
    OneHour,
    /// One day.
    OneDay,
    /// One week (the longest).
    OneWeek,
}

impl SecretOverlap {
    /// The overlap in hours.
    pub fn hours(self) -> i64 {
        match self {
            Self::None => 0,
            Self::OneHour => 1,
            Self::OneDay => 24,
            Self::OneWeek => 7 * 24,
        }
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Register a webhook endpoint (organisation admin); its secret is returned.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let org = ids::decode_opt(
            input.organisation_id.as_ref(),
            "Organisation",
            "input.organisationId",
        )?
        .unwrap_or(p.organisation_id);
        let row = service::create(
            &st.db,
            &policy(st),
            &event_types(&st.modules),
            p,
            org,
            &input.url,
            input.event_types,
            input.description.as_deref(),
        )
        .await?;
        Ok(row.into())
    }

    /// Change an endpoint; switching it on again clears the reason it was switched off.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpoint> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let id = ids::decode_as(&id, "WebhookEndpoint", "id")?;
        let patch = EndpointPatch {
            url: input.url,
            event_types: input.event_types,
            description: input.description,
            active: input.active,
        };
        Ok(WebhookEndpoint(
            service::update(&st.db, &policy(st), &event_types(&st.modules), p, id, patch).await?,
        ))
    }

    /// Delete an endpoint and its delivery log; returns its id.
    async fn delete_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let p = principal(ctx)?;
        let n = ids::decode_as(&id, "WebhookEndpoint", "id")?;
        service::delete(&state(ctx)?.db, p, n).await?;
        Ok(id)
    }

    /// Give an endpoint a new secret. During the overlap both secrets sign every message
    /// (two `v1,` signatures), so the receiver can switch at its own pace.
    async fn rotate_webhook_endpoint_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
        overlap: SecretOverlap,
    ) -> Result<WebhookEndpointSecretPayload> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "WebhookEndpoint", "id")?;
        let row = service::rotate_secret(&state(ctx)?.db, p, id, overlap.hours()).await?;
        Ok(row.into())
    }

    /// Send a delivered or given-up delivery again, now, with a fresh retry window.
    async fn redeliver_webhook(&self, ctx: &Context<'_>, delivery_id: ID) -> Result<WebhookDelivery> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let id = ids::decode_as(&delivery_id, "WebhookDelivery", "deliveryId")?;
        let row =
            service::redeliver(&st.db, p, id, crate::webhook::retry::retry_window(&st.settings)).await?;
        Ok(WebhookDelivery(row))
    }
}
