//! GraphQL types and operations of consents.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::entity::{self as consent, ConsentWithdrawalReason, DataScope};
use super::service::{self, NewConsent, Recipient};
use crate::db::now;
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::organisation::entity::OrganisationKind;
use crate::organisation::graphql::Organisation;
use crate::pagination::Conn;
use crate::referral::service::withdraw_relying_on;
use crate::user::graphql::User;

/// A person's consent to share data with an organisation (or every organisation of a
/// kind) for one purpose (a module's services). A referral is sent only under a live
/// consent or a recorded legal basis.
pub struct Consent(pub consent::Model);

#[Object]
impl Consent {
    pub async fn id(&self) -> ID {
        ids::encode("Consent", self.0.id)
    }
    async fn person_id(&self) -> ID {
        ids::encode("Person", self.0.person_id)
    }
    /// The organisation the consent names (absent when it names a kind).
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.organisations, id).await?.map(Organisation))
    }
    /// Every organisation of this kind (absent when it names one organisation).
    async fn organisation_kind(&self) -> Option<OrganisationKind> {
        self.0.organisation_kind
    }
    /// The module whose services the consent covers (`employment`, …).
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }
    /// The data a partner may see under this consent.
    async fn data_scope(&self) -> Vec<DataScope> {
        self.0.scopes()
    }
    async fn given_at(&self) -> DateTime<Utc> {
        self.0.given_at
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// What the consent rests on: a signed form's number, a recording's reference.
    async fn evidence(&self) -> &str {
        &self.0.evidence
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.recorded_by).await?.map(User))
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// In force now: given, not expired, not withdrawn.
    async fn live(&self) -> bool {
        self.0.is_live(now())
    }
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
    async fn withdrawn_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.withdrawn_by else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn withdrawal_reason(&self) -> Option<ConsentWithdrawalReason> {
        self.0.withdrawal_reason
    }
    async fn withdrawal_note(&self) -> Option<&str> {
        self.0.withdrawal_note.as_deref()
    }
}

/// Fetch one consent for `node(id)`: visible to whoever may see the person.
pub async fn fetch_consent(ctx: &Context<'_>, id: i64) -> Result<Option<Consent>> {
    let p = principal(ctx)?;
    let Some(row) = one(&loaders(ctx)?.consents, id).await? else {
        return Ok(None);
    };
    match crate::person::service::get(&state(ctx)?.db, p, row.person_id).await {
        Ok(_) => Ok(Some(Consent(row))),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Default)]
pub struct ConsentQuery;

#[Object]
impl ConsentQuery {
    /// A person's consents, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn consents(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        #[graphql(desc = "Only consents in force now.")] live_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Consent>> {
        let p = principal(ctx)?;
        let person = ids::decode_as(&person_id, "Person", "personId")?;
        let page = page(ctx, first, after)?;
        let rows =
            service::list_for_person(&state(ctx)?.db, p, person, live_only.unwrap_or(false), page).await?;
        Ok(rows.into_connection(|m| m.id, Consent))
    }
}

/// A consent to record. Name exactly one of `organisationId` and `organisationKind`.
#[derive(InputObject)]
pub struct RecordConsentInput {
    pub person_id: ID,
    pub organisation_id: Option<ID>,
    pub organisation_kind: Option<OrganisationKind>,
    /// The module whose services the consent covers (`employment`, …).
    pub purpose: String,
    pub data_scope: Vec<DataScope>,
    /// When the person gave it (default: now).
    pub given_at: Option<DateTime<Utc>>,
    /// When it lapses (default: never, until withdrawn).
    pub expires_at: Option<DateTime<Utc>>,
    /// What proves it: a signed form's number, a recording's reference.
    pub evidence: String,
}

#[derive(InputObject)]
pub struct WithdrawConsentInput {
    pub id: ID,
    pub reason: ConsentWithdrawalReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(Default)]
pub struct ConsentMutation;

#[Object]
impl ConsentMutation {
    /// Record a person's consent (supervising agencies of one of the person's cases).
    async fn record_consent(&self, ctx: &Context<'_>, input: RecordConsentInput) -> Result<Consent> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let recipient = match (&input.organisation_id, input.organisation_kind) {
            (Some(id), None) => {
                Recipient::Organisation(ids::decode_as(id, "Organisation", "input.organisationId")?)
            }
            (None, Some(kind)) => Recipient::Kind(kind),
            _ => {
                return Err(ApiError::bad_input(
                    "input.organisationId",
                    "name exactly one of organisationId and organisationKind",
                )
                .into());
            }
        };
        let new = NewConsent {
            person_id: ids::decode_as(&input.person_id, "Person", "input.personId")?,
            recipient,
            purpose: input.purpose,
            data_scope: input.data_scope,
            given_at: input.given_at,
            expires_at: input.expires_at,
            evidence: input.evidence,
        };
        Ok(Consent(service::record(&st.db, &st.modules, p, new).await?))
    }

    /// Withdraw a consent: partners lose access at once, and referrals under way that
    /// rely on it are cancelled (reason CONSENT_WITHDRAWN).
    async fn withdraw_consent(&self, ctx: &Context<'_>, input: WithdrawConsentInput) -> Result<Consent> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "Consent", "input.id")?;
        let row = service::withdraw(
            &state(ctx)?.db,
            p,
            id,
            input.reason,
            input.note.as_deref(),
            |txn, p, id| Box::pin(withdraw_relying_on(txn, p, id)),
        )
        .await?;
        Ok(Consent(row))
    }
}
