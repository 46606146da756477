//! Mutations of cases: opening a case, changing its facts, team and status, and its
//! conditions.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::NaiveDate;

use super::{Case, CaseCondition, CaseConditionInput};
use crate::access::CaseAccess;
use crate::case::conditions;
use crate::case::entity::{CaseKind, CaseStatus, RiskLevel};
use crate::case::service::{self, CasePatch, NewCase, Sentence};
use crate::error::ApiError;
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::validate;

#[derive(InputObject)]
pub struct CreateCaseInput {
    pub person_id: ID,
    pub kind: CaseKind,
    pub court_name: String,
    pub court_decision_date: NaiveDate,
    pub criminal_code_article: Option<String>,
    pub sentence_start: NaiveDate,
    pub sentence_end: NaiveDate,
    /// Defaults to the person's mahalla.
    pub mahalla_id: Option<ID>,
    /// Lead probation officer of the caller's organisation; defaults to the caller.
    pub officer_id: Option<ID>,
    pub inspector_id: Option<ID>,
    pub risk_level: Option<RiskLevel>,
    #[graphql(default)]
    pub conditions: Vec<CaseConditionInput>,
}

/// Changes to a case: omitted fields stay, `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateCaseInput {
    pub court_name: Option<String>,
    pub court_decision_date: Option<NaiveDate>,
    pub criminal_code_article: MaybeUndefined<String>,
    pub sentence_start: Option<NaiveDate>,
    pub sentence_end: Option<NaiveDate>,
    /// Moves the case to another mahalla (inside the caller's territory).
    pub mahalla_id: Option<ID>,
    pub officer_id: Option<ID>,
    pub inspector_id: MaybeUndefined<ID>,
    pub risk_level: MaybeUndefined<RiskLevel>,
}

#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// Open a case for a person (probation officer). It starts PENDING.
    async fn create_case(&self, ctx: &Context<'_>, input: CreateCaseInput) -> Result<Case> {
        let p = principal(ctx)?;
        if input.conditions.len() as u64 > conditions::MAX_CONDITIONS_PER_CASE {
            return Err(ApiError::bad_input(
                "input.conditions",
                format!("at most {} conditions", conditions::MAX_CONDITIONS_PER_CASE),
            )
            .into());
        }
        let mut specs = Vec::with_capacity(input.conditions.len());
        for (i, c) in input.conditions.into_iter().enumerate() {
            specs.push(c.parse(ctx, &format!("input.conditions[{i}]")).await?);
        }
        let new = NewCase {
            person_id: ids::decode_as(&input.person_id, "Person", "input.personId")?,
            sentence: Sentence {
                kind: input.kind,
                court_name: validate::required("input.courtName", &input.court_name, validate::SHORT_TEXT)?,
                court_decision_date: input.court_decision_date,
                criminal_code_article: validate::optional(
                    "input.criminalCodeArticle",
                    input.criminal_code_article.as_deref(),
                    64,
                )?,
                sentence_start: input.sentence_start,
                sentence_end: input.sentence_end,
            },
            mahalla_id: ids::decode_opt(input.mahalla_id.as_ref(), "Mahalla", "input.mahallaId")?,
            officer_id: ids::decode_opt(input.officer_id.as_ref(), "User", "input.officerId")?,
            inspector_id: ids::decode_opt(input.inspector_id.as_ref(), "User", "input.inspectorId")?,
            risk_level: input.risk_level,
            conditions: specs,
        };
        let model = service::create(&state(ctx)?.db, p, new).await?;
        Ok(Case {
            model,
            access: CaseAccess::Full,
        })
    }

    /// Change a case's facts or team (lead probation officer).
    async fn update_case(&self, ctx: &Context<'_>, id: ID, input: UpdateCaseInput) -> Result<Case> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Case", "id")?;
        let patch = CasePatch {
            court_name: input
                .court_name
                .as_deref()
                .map(|v| validate::required("input.courtName", v, validate::SHORT_TEXT))
                .transpose()?,
            court_decision_date: input.court_decision_date,
            criminal_code_article: match input.criminal_code_article {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => {
                    Some(validate::optional("input.criminalCodeArticle", Some(&v), 64)?)
                }
            },
            sentence_start: input.sentence_start,
            sentence_end: input.sentence_end,
            mahalla_id: ids::decode_opt(input.mahalla_id.as_ref(), "Mahalla", "input.mahallaId")?,
            officer_id: ids::decode_opt(input.officer_id.as_ref(), "User", "input.officerId")?,
            inspector_id: match input.inspector_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(ids::decode_as(&v, "User", "input.inspectorId")?)),
            },
            risk_level: match input.risk_level {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(v)),
            },
        };
        let model = service::update(&state(ctx)?.db, p, id, patch).await?;
        Ok(Case {
            model,
            access: CaseAccess::Full,
        })
    }

    /// Move a case along PENDING → ACTIVE ⇄ SUSPENDED → COMPLETED | REVOKED. Other moves
    /// answer INVALID_TRANSITION; suspending, revoking and completing early need a reason.
    async fn change_case_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: CaseStatus,
        reason: Option<String>,
    ) -> Result<Case> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "Case", "id")?;
        let model = service::transition(&state(ctx)?.db, p, id, status, reason).await?;
        Ok(Case {
            model,
            access: CaseAccess::Full,
        })
    }

    /// Add a condition to a case (lead probation officer).
    async fn add_case_condition(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        input: CaseConditionInput,
    ) -> Result<CaseCondition> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let spec = input.parse(ctx, "input").await?;
        let row = service::add_condition(&state(ctx)?.db, p, case_id, spec).await?;
        Ok(CaseCondition(row))
    }

    /// End a condition on a date (default: today). The record is kept.
    async fn end_case_condition(
        &self,
        ctx: &Context<'_>,
        id: ID,
        valid_until: Option<NaiveDate>,
    ) -> Result<CaseCondition> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "CaseCondition", "id")?;
        let row = service::end_condition(&state(ctx)?.db, p, id, valid_until).await?;
        Ok(CaseCondition(row))
    }
}
