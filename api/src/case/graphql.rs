//! GraphQL types and operations of cases and their conditions.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::conditions::{self, ConditionSpec, RawCondition};
use super::entity::{CaseKind, CaseStatus, ConditionKind, RiskLevel, case, condition, status_change};
use super::service::{self, CaseFilter, CasePatch, NewCase, Sentence};
use crate::access::{CaseAccess, CaseField, case_access, require_field};
use crate::alert::graphql::{Alert, list_case_alerts};
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{children, one};
use crate::organisation::graphql::Organisation;
use crate::pagination::{Conn, Paged};
use crate::person::graphql::Person;
use crate::plan::graphql::RehabilitationPlan;
use crate::risk::graphql::{RiskAssessment, list_assessments};
use crate::supervision::graphql::{
    Appointment, AppointmentFilterInput, CaseNote, Violation, list_appointments, list_notes, list_violations,
};
use crate::territory::graphql::{District, Mahalla, Region};
use crate::territory::resolve::place_of;
use crate::user::graphql::{Territory, User};
use crate::validate;

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
    async fn court_name(&self) -> Result<&str> {
        require_field(self.access, CaseField::CourtName)?;
        Ok(&self.model.court_name)
    }
    async fn court_decision_date(&self) -> Result<NaiveDate> {
        require_field(self.access, CaseField::CourtDecisionDate)?;
        Ok(self.model.court_decision_date)
    }
    /// Article of the Criminal Code (not shown to mahalla members).
    async fn criminal_code_article(&self) -> Result<Option<&str>> {
        require_field(self.access, CaseField::CriminalCodeArticle)?;
        Ok(self.model.criminal_code_article.as_deref())
    }
    /// Current risk level (not shown to mahalla members).
    async fn risk_level(&self) -> Result<Option<RiskLevel>> {
        require_field(self.access, CaseField::RiskLevel)?;
        Ok(self.model.risk_level)
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

/// An obligation or restriction of a case.
pub struct CaseCondition(pub condition::Model);

impl CaseCondition {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.0.valid_from.is_none_or(|d| d <= today) && self.0.valid_until.is_none_or(|d| today <= d)
    }
}

#[Object]
impl CaseCondition {
    pub async fn id(&self) -> ID {
        ids::encode("CaseCondition", self.0.id)
    }
    async fn kind(&self) -> ConditionKind {
        self.0.kind
    }
    /// CURFEW: start of the time at home (local time).
    async fn curfew_start(&self) -> Option<NaiveTime> {
        self.0.curfew_start
    }
    /// CURFEW: end of the time at home; earlier than the start when it ends the next day.
    async fn curfew_end(&self) -> Option<NaiveTime> {
        self.0.curfew_end
    }
    /// STAY_WITHIN_AREA / STAY_OUT_OF_AREA: the territory concerned.
    async fn territory(&self, ctx: &Context<'_>) -> Result<Option<Territory>> {
        let l = loaders(ctx)?;
        Ok(match (self.0.mahalla_id, self.0.district_id, self.0.region_id) {
            (Some(id), _, _) => one(&l.mahallas, id)
                .await?
                .map(|m| Territory::Mahalla(Mahalla(m))),
            (None, Some(id), _) => one(&l.districts, id)
                .await?
                .map(|d| Territory::District(District(d))),
            (None, None, Some(id)) => one(&l.regions, id).await?.map(|r| Territory::Region(Region(r))),
            _ => None,
        })
    }
    /// STAY_OUT_OF_AREA: a kind of place to avoid (e.g. "bars").
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// REPORTING: report every this many days.
    async fn report_every_days(&self) -> Option<i32> {
        self.0.report_every_days
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn valid_from(&self) -> Option<NaiveDate> {
        self.0.valid_from
    }
    async fn valid_until(&self) -> Option<NaiveDate> {
        self.0.valid_until
    }
    /// Whether the condition is in force today.
    async fn active(&self) -> bool {
        self.in_force(crate::db::now().date_naive())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One step of a case's lifecycle.
pub struct CaseStatusChange(pub status_change::Model);

#[Object]
impl CaseStatusChange {
    async fn from_status(&self) -> Option<CaseStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> CaseStatus {
        self.0.to_status
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn changed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.changed_by).await?.map(User))
    }
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
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

/// Fetch a condition of a case the caller may see.
pub async fn fetch_condition(ctx: &Context<'_>, id: i64) -> Result<Option<CaseCondition>> {
    let p = principal(ctx)?;
    let Some(row) = condition::Entity::find_by_id(id)
        .one(&state(ctx)?.db)
        .await
        .map_err(ApiError::from)?
    else {
        return Ok(None);
    };
    match service::get(&state(ctx)?.db, p, row.case_id).await {
        Ok(_) => Ok(Some(CaseCondition(row))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

use sea_orm::EntityTrait as _;

#[derive(InputObject, Default)]
pub struct CaseFilterInput {
    /// Any of these mahallas.
    pub mahalla_ids: Option<Vec<ID>>,
    pub district_id: Option<ID>,
    pub region_id: Option<ID>,
    /// Any of these statuses.
    pub statuses: Option<Vec<CaseStatus>>,
    pub kinds: Option<Vec<CaseKind>>,
    /// Any of these risk levels.
    pub risk_levels: Option<Vec<RiskLevel>>,
    /// Lead probation officer.
    pub officer_id: Option<ID>,
    pub inspector_id: Option<ID>,
    pub person_id: Option<ID>,
    /// Sentence starts on or after this date.
    pub sentence_start_from: Option<NaiveDate>,
    /// Sentence starts on or before this date.
    pub sentence_start_to: Option<NaiveDate>,
    /// Sentence ends on or after this date.
    pub sentence_end_from: Option<NaiveDate>,
    /// Sentence ends on or before this date.
    pub sentence_end_to: Option<NaiveDate>,
}

/// Longest list accepted in a filter.
const MAX_FILTER_ITEMS: usize = 100;

impl CaseFilterInput {
    pub fn parse(self) -> Result<CaseFilter, ApiError> {
        let mahallas = self.mahalla_ids.unwrap_or_default();
        if mahallas.len() > MAX_FILTER_ITEMS {
            return Err(ApiError::bad_input(
                "filter.mahallaIds",
                format!("at most {MAX_FILTER_ITEMS} mahallas"),
            ));
        }
        Ok(CaseFilter {
            mahalla_ids: ids::decode_list(&mahallas, "Mahalla", "filter.mahallaIds")?,
            district_id: ids::decode_opt(self.district_id.as_ref(), "District", "filter.districtId")?,
            region_id: ids::decode_opt(self.region_id.as_ref(), "Region", "filter.regionId")?,
            statuses: self.statuses.unwrap_or_default(),
            kinds: self.kinds.unwrap_or_default(),
            risk_levels: self.risk_levels.unwrap_or_default(),
            officer_id: ids::decode_opt(self.officer_id.as_ref(), "User", "filter.officerId")?,
            inspector_id: ids::decode_opt(self.inspector_id.as_ref(), "User", "filter.inspectorId")?,
            person_id: ids::decode_opt(self.person_id.as_ref(), "Person", "filter.personId")?,
            sentence_start_from: self.sentence_start_from,
            sentence_start_to: self.sentence_start_to,
            sentence_end_from: self.sentence_end_from,
            sentence_end_to: self.sentence_end_to,
        })
    }
}

#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// Cases the caller may see, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CaseFilterInput>,
    ) -> Result<Conn<Case>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let filter = filter.unwrap_or_default().parse()?;
        let rows = service::list(&state(ctx)?.db, p, filter, page).await?;
        Ok(Case::connection(p, rows))
    }

    /// One case (audited as a read of its record).
    async fn case(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Case>> {
        fetch_case(ctx, ids::decode_as(&id, "Case", "id")?).await
    }
}

/// A condition set by the court.
#[derive(InputObject)]
pub struct CaseConditionInput {
    pub kind: ConditionKind,
    /// CURFEW: start of the time at home, e.g. "22:00:00".
    pub curfew_start: Option<NaiveTime>,
    /// CURFEW: end of the time at home, e.g. "06:00:00".
    pub curfew_end: Option<NaiveTime>,
    /// STAY_WITHIN_AREA / STAY_OUT_OF_AREA: a Region, District or Mahalla id.
    pub territory_id: Option<ID>,
    /// STAY_OUT_OF_AREA: a kind of place to avoid.
    pub place: Option<String>,
    /// REPORTING: every this many days (1–90).
    pub report_every_days: Option<i32>,
    /// OTHER (required) or any kind (optional).
    pub description: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl CaseConditionInput {
    async fn parse(self, ctx: &Context<'_>, field: &str) -> Result<ConditionSpec> {
        let area = match &self.territory_id {
            Some(id) => Some(place_of(&state(ctx)?.db, id, &format!("{field}.territoryId")).await?),
            None => None,
        };
        let raw = RawCondition {
            curfew_start: self.curfew_start,
            curfew_end: self.curfew_end,
            area,
            place: self.place,
            report_every_days: self.report_every_days,
            description: self.description,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        };
        Ok(conditions::parse(field, self.kind, raw)?)
    }
}

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
