//! GraphQL of the learned risk model: the models and their reports (platform admins),
//! training, approval and retirement, drift reports, and on a case its attention score
//! (`Case.attention`, in `case/graphql/case.rs`) and the officer's disagreement.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::model::drift::{self, DriftReport};
use super::model::entity::{DriftAlertStatus, ModelStatus, disagreement, drift as drift_row, model};
use super::model::report::Report;
use super::model::{self as risk_model, TrainOptions, attention};
use crate::audit::service::{self as audit, Entry};
use crate::case::entity::RiskLevel;
use crate::graphql::context::{principal, state};
use crate::ids;

/// A learned risk model (platform admins).
pub struct RiskModel(pub model::Model);

/// One feature of a model.
#[derive(SimpleObject)]
pub struct RiskModelFeature {
    pub key: String,
    pub label: String,
    /// Per standard deviation of the feature, on the log-odds.
    pub coefficient: f64,
    pub mean: f64,
    pub sd: f64,
}

#[Object]
impl RiskModel {
    async fn id(&self) -> ID {
        ids::encode("RiskModel", self.0.id)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn outcome_version(&self) -> i32 {
        self.0.outcome_version
    }
    async fn status(&self) -> ModelStatus {
        self.0.status
    }
    /// SHA-256 of the training and test cases' ids and outcomes.
    async fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }
    async fn train_cases(&self) -> i32 {
        self.0.train_cases
    }
    async fn test_cases(&self) -> i32 {
        self.0.test_cases
    }
    async fn trained_at(&self) -> DateTime<Utc> {
        self.0.trained_at
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    async fn retired_at(&self) -> Option<DateTime<Utc>> {
        self.0.retired_at
    }
    async fn intercept(&self) -> Result<f64> {
        Ok(risk_model::spec_of(&self.0)?.intercept)
    }
    /// The features with their coefficients and scaling.
    async fn features(&self) -> Result<Vec<RiskModelFeature>> {
        let s = risk_model::spec_of(&self.0)?;
        Ok(s.features
            .iter()
            .enumerate()
            .map(|(i, key)| RiskModelFeature {
                key: key.clone(),
                label: s.label(i).to_owned(),
                coefficient: s.coefficients[i],
                mean: s.means[i],
                sd: s.sds[i],
            })
            .collect())
    }
    /// The validation on the newest labelled cases (audited: `risk.model.read`).
    async fn report(&self, ctx: &Context<'_>) -> Result<Report> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        audit::record(
            &st.db,
            p,
            Entry::new("risk.model.read")
                .target("RiskModel", self.0.id)
                .detail(json!({"version": self.0.version})),
        )
        .await
        .map_err(crate::error::ApiError::from)?;
        Ok(risk_model::report_of(&self.0)?)
    }
    /// The model card in Markdown: what the model is, what it is not for, its features
    /// and its figures on the test cases, overall and per group (audited:
    /// `risk.model.read`). Also `GET /risk-models/{id}/card.md`.
    async fn card(&self, ctx: &Context<'_>) -> Result<String> {
        let p = principal(ctx)?;
        Ok(risk_model::card::card(&state(ctx)?.db, p, self.0.id).await?)
    }
    /// How many times officers marked this model's score as not matching their judgement.
    async fn disagreements(&self, ctx: &Context<'_>) -> Result<i32> {
        let n = disagreement::Entity::find()
            .filter(disagreement::Column::ModelId.eq(self.0.id))
            .count(&state(ctx)?.db)
            .await
            .map_err(crate::error::ApiError::from)?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}

/// A drift check of the approved model.
pub struct RiskModelDriftReport(pub drift_row::Model);

#[Object]
impl RiskModelDriftReport {
    async fn id(&self) -> ID {
        ids::encode("RiskModelDriftReport", self.0.id)
    }
    async fn model_id(&self) -> ID {
        ids::encode("RiskModel", self.0.model_id)
    }
    async fn run_at(&self) -> DateTime<Utc> {
        self.0.run_at
    }
    async fn drifted(&self) -> bool {
        self.0.drifted
    }
    /// OPEN when the check found drift and no platform admin has acknowledged it.
    async fn alert_status(&self) -> Option<DriftAlertStatus> {
        self.0.alert_status
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    async fn report(&self) -> Result<DriftReport> {
        Ok(drift::report(&self.0)?)
    }
}

/// One reason behind an attention score.
#[derive(SimpleObject)]
pub struct AttentionReason {
    pub feature: String,
    /// In plain language.
    pub label: String,
    /// Coefficient × scaled value, on the log-odds.
    pub contribution: f64,
}

/// The approved model's score of a case: assistive only. It orders a caseload and
/// names the features behind it; it never changes `riskLevel` and decides nothing.
#[derive(SimpleObject)]
pub struct CaseAttention {
    /// The model's probability of the outcome within its window.
    pub score: f64,
    pub band: RiskLevel,
    /// The features that raise the score most.
    pub reasons: Vec<AttentionReason>,
    pub model_version: i32,
}

impl From<attention::Attention> for CaseAttention {
    fn from(a: attention::Attention) -> Self {
        Self {
            score: a.score,
            band: a.band,
            reasons: a
                .reasons
                .into_iter()
                .map(|r| AttentionReason {
                    feature: r.feature.to_owned(),
                    label: r.label,
                    contribution: r.contribution,
                })
                .collect(),
            model_version: a.model_version,
        }
    }
}

#[derive(InputObject, Default)]
pub struct TrainRiskModelInput {
    /// The outcome definition's version; the newest when absent.
    pub outcome_version: Option<i32>,
    /// Share of the labelled cases (the newest) kept for the test; 0.2 by default.
    pub test_share: Option<f64>,
    /// The L2 penalty; 1.0 by default.
    pub alpha: Option<f64>,
}

#[derive(Default)]
pub struct RiskModelQuery;

#[Object]
impl RiskModelQuery {
    /// The learned risk models, newest first (platform admins; at most 100).
    async fn risk_models(&self, ctx: &Context<'_>) -> Result<Vec<RiskModel>> {
        let rows = risk_model::list(&state(ctx)?.db, principal(ctx)?).await?;
        Ok(rows.into_iter().map(RiskModel).collect())
    }

    /// One learned risk model (platform admins).
    async fn risk_model(&self, ctx: &Context<'_>, id: ID) -> Result<RiskModel> {
        let id = ids::decode_as(&id, "RiskModel", "id")?;
        Ok(RiskModel(
            risk_model::get(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }

    /// Drift reports of the approved models, newest first (platform admins; at most
    /// 100); `openOnly`: those whose alert is still open.
    async fn risk_model_drift_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] open_only: bool,
    ) -> Result<Vec<RiskModelDriftReport>> {
        let rows = drift::list(&state(ctx)?.db, principal(ctx)?, open_only).await?;
        Ok(rows.into_iter().map(RiskModelDriftReport).collect())
    }
}

#[derive(Default)]
pub struct RiskModelMutation;

#[Object]
impl RiskModelMutation {
    /// Train a new model (DRAFT) on the labelled cases: platform admins. Audited.
    async fn train_risk_model(
        &self,
        ctx: &Context<'_>,
        input: Option<TrainRiskModelInput>,
    ) -> Result<RiskModel> {
        let st = state(ctx)?;
        let input = input.unwrap_or_default();
        let defaults = TrainOptions::default();
        let o = TrainOptions {
            outcome_version: input.outcome_version,
            test_share: input.test_share.unwrap_or(defaults.test_share),
            alpha: input.alpha.unwrap_or(defaults.alpha),
            min_cell: st.settings.validation_min_cell_size,
        };
        Ok(RiskModel(
            risk_model::train(&st.db, &st.modules, Some(principal(ctx)?), o).await?,
        ))
    }

    /// Approve a DRAFT model after reading its report: platform admins. The model
    /// approved before it is retired. Audited.
    async fn approve_risk_model(&self, ctx: &Context<'_>, id: ID) -> Result<RiskModel> {
        let id = ids::decode_as(&id, "RiskModel", "id")?;
        Ok(RiskModel(
            risk_model::approve(&state(ctx)?.db, &state(ctx)?.modules, principal(ctx)?, id).await?,
        ))
    }

    /// Retire a model: platform admins. Audited.
    async fn retire_risk_model(&self, ctx: &Context<'_>, id: ID) -> Result<RiskModel> {
        let id = ids::decode_as(&id, "RiskModel", "id")?;
        Ok(RiskModel(
            risk_model::retire(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }

    /// Acknowledge a drift alert: platform admins. Audited.
    async fn acknowledge_risk_model_drift(&self, ctx: &Context<'_>, id: ID) -> Result<RiskModelDriftReport> {
        let id = ids::decode_as(&id, "RiskModelDriftReport", "id")?;
        Ok(RiskModelDriftReport(
            drift::acknowledge(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }

    /// The case's officer or inspector marks its attention score as not matching their
    /// judgement, with a reason; counted with the model. Audited. Returns true.
    async fn mark_attention_disagreement(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        reason: String,
    ) -> Result<bool> {
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        attention::mark_disagreement(
            &state(ctx)?.db,
            &state(ctx)?.modules,
            principal(ctx)?,
            case_id,
            &reason,
        )
        .await?;
        Ok(true)
    }
}
