//! The referral lifecycle as GraphQL mutations.

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};

use super::Referral;
use crate::error::ApiError;
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::referral::entity::{CancelReason, DeclineReason, LegalBasis, WithdrawalReason};
use crate::referral::lifecycle::Step;
use crate::referral::service::{self, NewReferral, Override};

#[derive(InputObject)]
pub struct CreateReferralInput {
    pub case_id: ID,
    /// A referral kind's code (see `modules { referralKinds { code } }`).
    pub kind: String,
    /// The partner organisation; it must have the kind's module enabled.
    pub to_organisation_id: ID,
    /// Why the person is referred.
    pub summary: String,
    /// Module-specific details, validated by the module (default: `{}`).
    pub payload: Option<Json<serde_json::Value>>,
    /// The goal of the case's rehabilitation plan this referral serves: the partner's
    /// result is written onto it when the work ends.
    pub plan_goal_id: Option<ID>,
}

#[derive(InputObject)]
pub struct SendReferralInput {
    pub id: ID,
    /// Send without the person's consent on this legal ground (audited as an override).
    pub legal_basis: Option<LegalBasis>,
    /// Required with `legalBasis`: the court decision, statute or emergency it rests on.
    pub legal_basis_reason: Option<String>,
}

#[derive(InputObject)]
pub struct ReferralStepInput {
    pub id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct AcceptReferralInput {
    pub id: ID,
    /// The partner's own reference for the referral.
    pub external_id: Option<String>,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct DeclineReferralInput {
    pub id: ID,
    pub reason: DeclineReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct CancelReferralInput {
    pub id: ID,
    pub reason: CancelReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct WithdrawReferralInput {
    pub id: ID,
    pub reason: WithdrawalReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct SetReferralExternalIdInput {
    pub id: ID,
    /// Absent: clear it.
    pub external_id: Option<String>,
}

/// The referral after a change.
#[derive(SimpleObject)]
pub struct ReferralPayload {
    pub referral: Referral,
}

fn referral_id(id: &ID) -> Result<i64, ApiError> {
    ids::decode_as(id, "Referral", "input.id")
}

async fn take_step(
    ctx: &Context<'_>,
    id: &ID,
    step: Step,
    note: Option<&str>,
    external_id: Option<&str>,
) -> Result<ReferralPayload> {
    let p = principal(ctx)?;
    let row = service::step(&state(ctx)?.db, p, referral_id(id)?, step, note, external_id).await?;
    Ok(ReferralPayload {
        referral: Referral(row),
    })
}

#[derive(Default)]
pub struct ReferralMutation;

#[Object]
impl ReferralMutation {
    /// Prepare a referral of a case (a DRAFT, invisible to the partner).
    async fn create_referral(
        &self,
        ctx: &Context<'_>,
        input: CreateReferralInput,
    ) -> Result<ReferralPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let new = NewReferral {
            case_id: ids::decode_as(&input.case_id, "Case", "input.caseId")?,
            kind: input.kind,
            to_organisation_id: ids::decode_as(
                &input.to_organisation_id,
                "Organisation",
                "input.toOrganisationId",
            )?,
            summary: input.summary,
            payload: input.payload.map_or(serde_json::Value::Null, |j| j.0),
            plan_goal_id: input
                .plan_goal_id
                .as_ref()
                .map(|id| ids::decode_as(id, "PlanGoal", "input.planGoalId"))
                .transpose()?,
        };
        let row = service::create(&st.db, &st.modules, p, new).await?;
        Ok(ReferralPayload {
            referral: Referral(row),
        })
    }

    /// Send a draft: needs a live consent covering the partner and purpose, or a legal
    /// basis with its reason. Starts the first-response deadline.
    async fn send_referral(&self, ctx: &Context<'_>, input: SendReferralInput) -> Result<ReferralPayload> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let legal = match (input.legal_basis, input.legal_basis_reason) {
            (Some(basis), Some(reason)) => Some(Override { basis, reason }),
            (Some(_), None) => {
                return Err(ApiError::bad_input(
                    "input.legalBasisReason",
                    "give the reason for the legal basis",
                )
                .into());
            }
            (None, Some(_)) => {
                return Err(ApiError::bad_input("input.legalBasis", "name the legal basis").into());
            }
            (None, None) => None,
        };
        let row = service::send(&st.db, &st.modules, p, referral_id(&input.id)?, legal).await?;
        Ok(ReferralPayload {
            referral: Referral(row),
        })
    }

    /// Partner: take the person on.
    async fn accept_referral(
        &self,
        ctx: &Context<'_>,
        input: AcceptReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Accept,
            input.note.as_deref(),
            input.external_id.as_deref(),
        )
        .await
    }

    /// Partner: refuse, with a reason.
    async fn decline_referral(
        &self,
        ctx: &Context<'_>,
        input: DeclineReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Decline(input.reason),
            input.note.as_deref(),
            None,
        )
        .await
    }

    /// Partner: the service has started.
    async fn start_referral(&self, ctx: &Context<'_>, input: ReferralStepInput) -> Result<ReferralPayload> {
        take_step(ctx, &input.id, Step::Start, input.note.as_deref(), None).await
    }

    /// Partner: the service was delivered.
    async fn complete_referral(
        &self,
        ctx: &Context<'_>,
        input: ReferralStepInput,
    ) -> Result<ReferralPayload> {
        take_step(ctx, &input.id, Step::Complete, input.note.as_deref(), None).await
    }

    /// Referrer: stop the referral, with a reason.
    async fn cancel_referral(
        &self,
        ctx: &Context<'_>,
        input: CancelReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Cancel(input.reason),
            input.note.as_deref(),
            None,
        )
        .await
    }

    /// Either side: stop a referral under way because the person or partner withdrew.
    async fn withdraw_referral(
        &self,
        ctx: &Context<'_>,
        input: WithdrawReferralInput,
    ) -> Result<ReferralPayload> {
        take_step(
            ctx,
            &input.id,
            Step::Withdraw(input.reason),
            input.note.as_deref(),
            None,
        )
        .await
    }

    /// Partner: record or clear its own reference for the referral.
    async fn set_referral_external_id(
        &self,
        ctx: &Context<'_>,
        input: SetReferralExternalIdInput,
    ) -> Result<ReferralPayload> {
        let p = principal(ctx)?;
        let row = service::set_external_id(
            &state(ctx)?.db,
            p,
            referral_id(&input.id)?,
            input.external_id.as_deref(),
        )
        .await?;
        Ok(ReferralPayload {
            referral: Referral(row),
        })
    }
}
