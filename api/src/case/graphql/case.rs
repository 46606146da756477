//! The `Case` object: one sentence under supervision, as the caller may see it. Which
//! fields a level of access shows is `crate::access::case_fields`.

use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::{CaseCondition, CaseStatusChange};
use crate::access::{CaseAccess, CaseField, case_access, require_field};
use crate::alert::graphql::{Alert, list_case_alerts};
use crate::audit::reads::ReadKind;
use crate::auth::principal::Principal;
use crate::case::entity::{CaseKind, CaseStatus, RiskLevel, case};
use crate::case::service;
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::graphql::read_audit::audit_read;
use crate::ids;
use crate::loaders::{children, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::{Conn, Paged};
use crate::person::graphql::Person;
use crate::plan::graphql::RehabilitationPlan;
use crate::risk::graphql::{RiskAssessment, list_assessments};
use crate::risk::model::attention;
use crate::risk::model_graphql::CaseAttention;
use crate::supervision::graphql::{
    Appointment, AppointmentFilterInput, CaseNote, Violation, list_appointments, list_notes, list_violations,
};
use crate::territory::graphql::{District, Mahalla, Region};
use crate::user::graphql::User;

/// What the caller may see and do on a case.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccessLevel {
    /// Mahalla seven: the person, basic facts, conditions, plan, MAHALLA notes.
    Community,
    /// Prevention inspector: everything but probation-only notes; records visits and violations.
    Supervise,
    /// Lead probation officer: everything.
    Full,
}

impl From<CaseAccess> for CaseAccessLevel {
    fn from(a: CaseAccess) -> Self {
        match a {
            CaseAccess::Community => Self::Community,
            CaseAccess::Supervise => Self::Supervise,
            CaseAccess::Full => Self::Full,
        }
    }
}

/// One sentence under supervision.
pub struct Case {
    pub model: case::Model,
    pub access: CaseAccess,
}

impl Case {
    /// Wrap a page of cases the caller may see.
    pub fn connection(p: &Principal, rows: Paged<case::Model>) -> Conn<Case> {
        rows.into_connection(
            |m| m.id,
            |model| Case {
                access: case_access(p, &model).unwrap_or(CaseAccess::Community),
                model,
            },
        )
    }
}

#[Object]
impl Case {
    pub async fn id(&self) -> ID {
        ids::encode("Case", self.model.id)
    }
    async fn kind(&self) -> CaseKind {
        self.model.kind
    }
    async fn status(&self) -> CaseStatus {
        self.model.status
    }
    /// Reason given for the last status change.
    async fn status_reason(&self) -> Option<&str> {
        self.model.status_reason.as_deref()
    }
    async fn status_changed_at(&self) -> DateTime<Utc> {
        self.model.status_changed_at
    }
    async fn sentence_start(&self) -> NaiveDate {
        self.model.sentence_start
    }
    async fn sentence_end(&self) -> NaiveDate {
        self.model.sentence_end
    }
    /// Court that passed the sentence (not shown to mahalla members).
    async fn court_name(&self, ctx: &Context<'_>) -> Result<&str> {
        require_field(self.access, CaseField::CourtName)?;
        audit_read(ctx, ReadKind::Sentence, self.model.id)?;
        Ok(&self.model.court_name)
    }
    async fn court_decision_date(&self, ctx: &Context<'_>) -> Result<NaiveDate> {
        require_field(self.access, CaseField::CourtDecisionDate)?;
        audit_read(ctx, ReadKind::Sentence, self.model.id)?;
        Ok(self.model.court_decision_date)
    }
    /// Article of the Criminal Code (not shown to mahalla members).
    async fn criminal_code_article(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        require_field(self.access, CaseField::CriminalCodeArticle)?;
        audit_read(ctx, ReadKind::Sentence, self.model.id)?;
        Ok(self.model.criminal_code_article.as_deref())
    }
    /// Current risk level (not shown to mahalla members).
    async fn risk_level(&self, ctx: &Context<'_>) -> Result<Option<RiskLevel>> {
        require_field(self.access, CaseField::RiskLevel)?;
        audit_read(ctx, ReadKind::Risk, self.model.id)?;
        Ok(self.model.risk_level)
    }
    /// The approved learned model's attention score, its band and the features behind
    /// it: assistive only (it never changes `riskLevel`). Null when no model is approved
    /// or the case has no assessment. The supervising officer and inspector only (not
    /// shown to mahalla members); every read is audited.
    async fn attention(&self, ctx: &Context<'_>) -> Result<Option<CaseAttention>> {
        require_field(self.access, CaseField::Attention)?;
        let modules = &state(ctx)?.modules;
        let a = loaders(ctx)?
            .extension(|db| attention::loader(db, modules))
            .load_one(self.model.id)
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("scoring cases: {}", e.message())))?;
        if a.is_some() {
            audit_read(ctx, ReadKind::Attention, self.model.id)?;
        }
        Ok(a.map(Into::into))
    }
    /// What the caller may see and do on this case.
    async fn viewer_access(&self) -> CaseAccessLevel {
        self.access.into()
    }
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(one(&loaders(ctx)?.persons, self.model.person_id)
            .await?
            .map(|model| Person {
                model,
                access: self.access,
            }))
    }
    /// The lead (probation) organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.model.organisation_id)
            .await?
            .map(Organisation))
    }
    /// The lead probation officer.
    async fn officer(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.model.officer_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    /// The prevention inspector of the case.
    async fn inspector(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.model.inspector_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(one(&loaders(ctx)?.mahallas, self.model.mahalla_id)
            .await?
            .map(Mahalla))
    }
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        Ok(one(&loaders(ctx)?.districts, self.model.district_id)
            .await?
            .map(District))
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(one(&loaders(ctx)?.regions, self.model.region_id)
            .await?
            .map(Region))
    }
    /// Obligations and restrictions set by the court.
    async fn conditions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Only conditions in force today.")] active_only: bool,
    ) -> Result<Vec<CaseCondition>> {
        let rows = children(&loaders(ctx)?.conditions_by_case, self.model.id).await?;
        let today = crate::db::now().date_naive();
        Ok(rows
            .into_iter()
            .map(CaseCondition)
            .filter(|c| !active_only || c.in_force(today))
            .collect())
    }
    /// Status changes, newest first (not shown to mahalla members).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn status_history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<CaseStatusChange>> {
        require_field(self.access, CaseField::StatusHistory)?;
        let page = page(ctx, first, after)?;
        Ok(loaders(ctx)?
            .status_changes
            .connection(self.model.id, 0, page, |m| m.id, CaseStatusChange)
            .await?)
    }
    /// Appointments and check-ins, newest first (not shown to mahalla members).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AppointmentFilterInput>,
    ) -> Result<Conn<Appointment>> {
        require_field(self.access, CaseField::Appointments)?;
        list_appointments(ctx, Some(self.model.id), first, after, filter).await
    }
    /// Referrals of the case to partner organisations, newest first (not shown to
    /// mahalla members).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<crate::referral::graphql::Referral>> {
        require_field(self.access, CaseField::Referrals)?;
        let page = page(ctx, first, after)?;
        Ok(loaders(ctx)?
            .referrals_by_case
            .connection(
                self.model.id,
                0,
                page,
                |m| m.id,
                crate::referral::graphql::Referral,
            )
            .await?)
    }
    /// Violations, newest first (not shown to mahalla members).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn violations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Violation>> {
        require_field(self.access, CaseField::Violations)?;
        list_violations(ctx, self.model.id, first, after).await
    }
    /// Case notes the caller may read (by visibility), newest first. Every read is audited.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn notes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<CaseNote>> {
        list_notes(ctx, &self.model, self.access, first, after).await
    }
    /// Risk assessments, newest first (not shown to mahalla members; every read is audited).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn risk_assessments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<RiskAssessment>> {
        list_assessments(ctx, self.model.id, self.access, first, after).await
    }
    /// Early-warning alerts, newest first (not shown to mahalla members).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Alert>> {
        list_case_alerts(ctx, self.model.id, self.access, first, after).await
    }
    /// The individual rehabilitation plan, once drawn up.
    async fn rehabilitation_plan(&self, ctx: &Context<'_>) -> Result<Option<RehabilitationPlan>> {
        let plans = children(&loaders(ctx)?.plan_by_case, self.model.id).await?;
        Ok(plans.into_iter().next().map(|model| RehabilitationPlan {
            model,
            access: self.access,
            case_organisation_id: self.model.organisation_id,
        }))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}

/// Fetch a case the caller may see (an audited read of its record).
pub async fn fetch_case(ctx: &Context<'_>, id: i64) -> Result<Option<Case>> {
    let p = principal(ctx)?;
    match service::read(&state(ctx)?.db, p, id).await {
        Ok((model, access)) => Ok(Some(Case { model, access })),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The case a record belongs to, through the request's loader, with the caller's
/// access (null for a caller who may not see it). An embedded reference, not an audited
/// read of the case record (that is `fetch_case`).
pub async fn case_of(ctx: &Context<'_>, case_id: i64) -> Result<Option<Case>> {
    let p = principal(ctx)?;
    let Some(model) = one(&loaders(ctx)?.cases, case_id).await? else {
        return Ok(None);
    };
    Ok(case_access(p, &model).map(|access| Case { model, access }))
}
