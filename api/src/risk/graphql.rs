//! GraphQL types and operations of risk assessments.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::entity as assessment;
use super::instrument::{self, Answers, OffenceType, RiskFactor, RiskFactorKind, Scored};
use super::service;
use crate::access::{CaseAccess, CaseField, case_access, require_field};
use crate::case::entity::RiskLevel;
use crate::case::graphql::{Case, case_of};
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{ById, Children, by_id, one, unfiltered};
use crate::pagination::Conn;
use crate::user::graphql::User;

crate::has_id!(assessment::Entity);

/// The request's loaders of assessments (created on first use).
pub struct RiskLoaders {
    pub by_id: ById<assessment::Entity>,
    pub by_case: Children<assessment::Entity>,
}

impl RiskLoaders {
    fn new(db: &sea_orm::DatabaseConnection) -> Self {
        Self {
            by_id: by_id(db),
            by_case: Children::new(
                db,
                assessment::Column::CaseId,
                assessment::Column::Id,
                |m: &assessment::Model| m.case_id,
                |m: &assessment::Model| m.id,
                unfiltered,
            ),
        }
    }
}

fn risk_loaders(ctx: &Context<'_>) -> Result<Arc<RiskLoaders>> {
    Ok(loaders(ctx)?.extension(RiskLoaders::new))
}

/// One factor of an assessment: what was answered and what it scored.
#[derive(SimpleObject)]
pub struct RiskFactorScore {
    pub factor: RiskFactor,
    /// STATIC (criminal history) or DYNAMIC (a need supervision can change).
    pub kind: RiskFactorKind,
    /// 0–3.
    pub score: i32,
    pub max_score: i32,
    /// The answer behind the score, in words.
    pub explanation: String,
    /// A dynamic need scored 2 or more.
    pub high_need: bool,
}

impl From<Scored> for RiskFactorScore {
    fn from(s: Scored) -> Self {
        let kind = s.factor.kind();
        Self {
            factor: s.factor,
            kind,
            score: s.score,
            max_score: instrument::MAX_FACTOR,
            explanation: s.explanation,
            high_need: kind == RiskFactorKind::Dynamic && s.score >= instrument::HIGH_NEED,
        }
    }
}

/// How a factor's score moved since the previous assessment.
#[derive(SimpleObject)]
pub struct RiskFactorChange {
    pub factor: RiskFactor,
    pub from: i32,
    pub to: i32,
}

/// What changed since the previous assessment of the case.
#[derive(SimpleObject)]
pub struct RiskChange {
    pub previous_total: i32,
    /// This total minus the previous one.
    pub total_change: i32,
    pub previous_level: RiskLevel,
    /// The factors whose score changed.
    pub factors: Vec<RiskFactorChange>,
}

/// A structured risk assessment (instrument HRA-1): an assistive, explainable score.
/// Every level shows the factors that produced it; the officer may override the level
/// with a reason. See the instrument's cut-offs in the developer documentation.
pub struct RiskAssessment(pub assessment::Model);

#[Object]
impl RiskAssessment {
    pub async fn id(&self) -> ID {
        ids::encode("RiskAssessment", self.0.id)
    }
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    /// The instrument and its version, e.g. `HRA-1`.
    async fn instrument_version(&self) -> &str {
        &self.0.instrument_version
    }
    /// Every factor with its score and the answer behind it: static first.
    async fn factors(&self) -> Vec<RiskFactorScore> {
        instrument::score(&self.0.answers())
            .into_iter()
            .map(Into::into)
            .collect()
    }
    async fn age_at_first_offence(&self) -> i32 {
        self.0.age_at_first_offence
    }
    async fn prior_convictions(&self) -> i32 {
        self.0.prior_convictions
    }
    async fn offence_type(&self) -> OffenceType {
        self.0.offence_type
    }
    /// Sum of the static factors (0–9).
    async fn static_score(&self) -> i32 {
        self.0.static_score
    }
    /// Sum of the dynamic needs (0–24).
    async fn dynamic_score(&self) -> i32 {
        self.0.dynamic_score
    }
    /// Static plus dynamic (0–33).
    async fn total(&self) -> i32 {
        self.0.total
    }
    /// The level the cut-offs give the total (0–8 LOW, 9–15 MEDIUM, 16–22 HIGH, 23+ VERY_HIGH).
    async fn computed_level(&self) -> RiskLevel {
        self.0.computed_level
    }
    /// The level in force: the computed one unless overridden.
    async fn level(&self) -> RiskLevel {
        self.0.level
    }
    async fn overridden(&self) -> bool {
        self.0.overridden_at.is_some()
    }
    /// Why the officer overrode the computed level.
    async fn override_reason(&self) -> Option<&str> {
        self.0.override_reason.as_deref()
    }
    async fn overridden_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.overridden_by else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn overridden_at(&self) -> Option<DateTime<Utc>> {
        self.0.overridden_at
    }
    /// When the next assessment is due (180/90/60/30 days by level).
    async fn reassessment_due(&self) -> NaiveDate {
        self.0.reassessment_due
    }
    /// Replaced by a later assessment.
    async fn superseded(&self) -> bool {
        self.0.superseded
    }
    /// What changed since the previous assessment, if there was one.
    async fn change(&self, ctx: &Context<'_>) -> Result<Option<RiskChange>> {
        let Some(prev_id) = self.0.previous_id else {
            return Ok(None);
        };
        let Some(prev) = one(&risk_loaders(ctx)?.by_id, prev_id).await? else {
            return Ok(None);
        };
        let before = instrument::score(&prev.answers());
        let after = instrument::score(&self.0.answers());
        let factors = before
            .into_iter()
            .zip(after)
            .filter(|(b, a)| b.score != a.score)
            .map(|(b, a)| RiskFactorChange {
                factor: a.factor,
                from: b.score,
                to: a.score,
            })
            .collect();
        Ok(Some(RiskChange {
            previous_total: prev.total,
            total_change: self.0.total - prev.total,
            previous_level: prev.level,
            factors,
        }))
    }
    async fn assessed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.assessed_by).await?.map(User))
    }
    async fn assessed_at(&self) -> DateTime<Utc> {
        self.0.assessed_at
    }
}

/// A case's assessments, newest first (officers and inspectors; the read is audited).
pub async fn list_assessments(
    ctx: &Context<'_>,
    case_id: i64,
    access: CaseAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<RiskAssessment>> {
    require_field(access, CaseField::RiskAssessments)?;
    let p = principal(ctx)?;
    let page = page(ctx, first, after)?;
    let rows = risk_loaders(ctx)?.by_case.paged(case_id, 0, page).await?;
    let ids: Vec<i64> = rows.rows.iter().map(|r| r.id).collect();
    service::audit_read(&state(ctx)?.db, p, case_id, &ids).await?;
    Ok(rows.into_connection(|m| m.id, RiskAssessment))
}

/// Fetch one assessment of a case the caller supervises (audited).
pub async fn fetch_assessment(ctx: &Context<'_>, id: i64) -> Result<Option<RiskAssessment>> {
    let p = principal(ctx)?;
    let Some(row) = one(&risk_loaders(ctx)?.by_id, id).await? else {
        return Ok(None);
    };
    let Some(c) = one(&loaders(ctx)?.cases, row.case_id).await? else {
        return Ok(None);
    };
    if case_access(p, &c).is_none_or(|a| !CaseField::RiskAssessments.shown_at(a)) {
        return Ok(None);
    }
    service::audit_read(&state(ctx)?.db, p, c.id, &[row.id]).await?;
    Ok(Some(RiskAssessment(row)))
}

/// Scores of the eight dynamic needs, each 0 (none) to 3 (severe).
#[derive(InputObject)]
pub struct RiskNeedsInput {
    pub employment: i32,
    pub education: i32,
    pub housing: i32,
    pub family_support: i32,
    pub peers: i32,
    pub substance_use: i32,
    pub attitudes: i32,
    pub mental_health: i32,
}

/// The answers of an assessment.
#[derive(InputObject)]
pub struct AssessRiskInput {
    pub case_id: ID,
    /// Age at the first offence (7–100).
    pub age_at_first_offence: i32,
    /// Number of prior convictions (0–99).
    pub prior_convictions: i32,
    pub offence_type: OffenceType,
    pub needs: RiskNeedsInput,
}

#[derive(Default)]
pub struct RiskMutation;

#[Object]
impl RiskMutation {
    /// Score and record a risk assessment (the case's probation officer). It becomes the
    /// case's `riskLevel` and sets the reassessment due date.
    async fn assess_risk(&self, ctx: &Context<'_>, input: AssessRiskInput) -> Result<RiskAssessment> {
        let p = principal(ctx)?;
        let case_id = ids::decode_as(&input.case_id, "Case", "input.caseId")?;
        let n = input.needs;
        let answers = Answers {
            age_at_first_offence: input.age_at_first_offence,
            prior_convictions: input.prior_convictions,
            offence_type: input.offence_type,
            needs: [
                n.employment,
                n.education,
                n.housing,
                n.family_support,
                n.peers,
                n.substance_use,
                n.attitudes,
                n.mental_health,
            ],
        };
        let row = service::assess(&state(ctx)?.db, p, case_id, answers).await?;
        Ok(RiskAssessment(row))
    }

    /// Override the level of the assessment in force (the case's probation officer); a
    /// reason is required and the computed level stays on record.
    async fn override_risk_level(
        &self,
        ctx: &Context<'_>,
        id: ID,
        level: RiskLevel,
        reason: String,
    ) -> Result<RiskAssessment> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "RiskAssessment", "id")?;
        let row = service::override_level(&state(ctx)?.db, p, id, level, &reason).await?;
        Ok(RiskAssessment(row))
    }
}
