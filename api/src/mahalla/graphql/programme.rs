//! Prevention programmes and their activities.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{mahalla_loaders, visible_cases};
use crate::access::mahalla::right_in;
use crate::case::graphql::Case;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{Filter, children, one};
use crate::mahalla::entity::{ActivityKind, ActivityStatus, activity, programme};
use crate::mahalla::programme::{self as service, ActivityReport, KindProgress, NewActivity, NewProgramme};
use crate::pagination::{Conn, Order};
use crate::territory::graphql::Mahalla;
use crate::user::graphql::User;

use super::roster::MahallaMember;

/// A mahalla's prevention programme for a period.
pub struct PreventionProgramme(pub programme::Model);

#[Object]
impl PreventionProgramme {
    pub async fn id(&self) -> ID {
        ids::encode("PreventionProgramme", self.0.id)
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(one(&loaders(ctx)?.mahallas, self.0.mahalla_id)
            .await?
            .map(Mahalla))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn period_start(&self) -> NaiveDate {
        self.0.period_start
    }
    async fn period_end(&self) -> NaiveDate {
        self.0.period_end
    }
    async fn objectives(&self) -> &str {
        &self.0.objectives
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.created_by).await?.map(User))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The programme at a glance, counted today.
    async fn progress(&self, ctx: &Context<'_>) -> Result<ProgrammeProgress> {
        let p = mahalla_loaders(ctx)?
            .progress
            .load_one(self.0.id)
            .await
            .map_err(crate::loaders::loader_error)?
            .unwrap_or_default();
        Ok(ProgrammeProgress::from(p))
    }
    /// Activities in the order they were planned.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        status: Option<ActivityStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ProgrammeActivity>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        Ok(loaders(ctx)?
            .nested(
                activity::Column::ProgrammeId,
                activity::Column::Id,
                Order::Ascending,
            )
            .connection(
                self.0.id,
                Filter::new(service::readable_activities(p, status)),
                page,
                |m| m.id,
                ProgrammeActivity,
            )
            .await?)
    }
}

/// Counts of one kind of activity (or of all of them).
#[derive(SimpleObject)]
pub struct ProgrammeKindProgress {
    /// Absent on the programme's total.
    pub kind: Option<ActivityKind>,
    pub planned: i32,
    pub done: i32,
    pub cancelled: i32,
    /// Still planned with their date passed.
    pub overdue: i32,
}

impl From<KindProgress> for ProgrammeKindProgress {
    fn from(k: KindProgress) -> Self {
        let n = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            kind: k.kind,
            planned: n(k.planned),
            done: n(k.done),
            cancelled: n(k.cancelled),
            overdue: n(k.overdue),
        }
    }
}

/// A programme at a glance.
#[derive(SimpleObject)]
pub struct ProgrammeProgress {
    /// All activities.
    pub total: ProgrammeKindProgress,
    /// Share of the activities not called off that are done, 0 to 100 (0 with none).
    pub percent_done: f64,
    pub by_kind: Vec<ProgrammeKindProgress>,
    /// Distinct cases named by activities done.
    pub cases_reached: i32,
    /// People counted at activities done.
    pub participants: i32,
}

impl From<service::Progress> for ProgrammeProgress {
    fn from(p: service::Progress) -> Self {
        let live = p.total.planned + p.total.done;
        let percent_done = if live == 0 {
            0.0
        } else {
            (p.total.done as f64 * 1000.0 / live as f64).round() / 10.0
        };
        Self {
            percent_done,
            cases_reached: i32::try_from(p.cases_reached).unwrap_or(i32::MAX),
            participants: i32::try_from(p.participants).unwrap_or(i32::MAX),
            total: p.total.into(),
            by_kind: p.by_kind.into_iter().map(Into::into).collect(),
        }
    }
}

/// An activity of a prevention programme.
pub struct ProgrammeActivity(pub activity::Model);

#[Object]
impl ProgrammeActivity {
    pub async fn id(&self) -> ID {
        ids::encode("ProgrammeActivity", self.0.id)
    }
    /// Incremented by every change; pass it as `expectedVersion` to change the record
    /// only if nobody else did meanwhile.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<PreventionProgramme>> {
        Ok(one(&mahalla_loaders(ctx)?.programmes, self.0.programme_id)
            .await?
            .map(PreventionProgramme))
    }
    async fn kind(&self) -> ActivityKind {
        self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn planned_on(&self) -> NaiveDate {
        self.0.planned_on
    }
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// The member of the seven who answers for it.
    async fn responsible_member(&self, ctx: &Context<'_>) -> Result<Option<MahallaMember>> {
        let Some(id) = self.0.responsible_member_id else {
            return Ok(None);
        };
        Ok(one(&mahalla_loaders(ctx)?.members, id).await?.map(MahallaMember))
    }
    async fn status(&self) -> ActivityStatus {
        self.0.status
    }
    async fn done_on(&self) -> Option<NaiveDate> {
        self.0.done_on
    }
    /// What came of it (or why it was called off).
    async fn result(&self) -> Option<&str> {
        self.0.result.as_deref()
    }
    /// People who took part.
    async fn participants(&self) -> Option<i32> {
        self.0.participants
    }
    /// The cases it involves that the caller may see.
    async fn cases(&self, ctx: &Context<'_>) -> Result<Vec<Case>> {
        let links = children(&mahalla_loaders(ctx)?.cases_by_activity, self.0.id).await?;
        visible_cases(ctx, links.into_iter().map(|l| l.case_id)).await
    }
}

/// Fetch a programme for `node(id)`.
pub async fn fetch_programme(ctx: &Context<'_>, id: i64) -> Result<Option<PreventionProgramme>> {
    let p = principal(ctx)?;
    let Some(row) = one(&mahalla_loaders(ctx)?.programmes, id).await? else {
        return Ok(None);
    };
    let Some(m) = one(&loaders(ctx)?.mahallas, row.mahalla_id).await? else {
        return Ok(None);
    };
    Ok(right_in(p, &m).map(|_| PreventionProgramme(row)))
}

#[derive(Default)]
pub struct ProgrammeQuery;

#[Object]
impl ProgrammeQuery {
    /// Prevention programmes of a mahalla, or of every mahalla the caller works in,
    /// newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn prevention_programmes(
        &self,
        ctx: &Context<'_>,
        mahalla_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<PreventionProgramme>> {
        let p = principal(ctx)?;
        let mahalla = ids::decode_opt(mahalla_id.as_ref(), "Mahalla", "mahallaId")?;
        let page = page(ctx, first, after)?;
        let rows = service::list(&state(ctx)?.db, p, mahalla, page).await?;
        Ok(rows.into_connection(|m| m.id, PreventionProgramme))
    }
}

#[derive(InputObject)]
pub struct CreatePreventionProgrammeInput {
    pub mahalla_id: ID,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub objectives: String,
}

#[derive(InputObject)]
pub struct AddProgrammeActivityInput {
    pub programme_id: ID,
    pub kind: ActivityKind,
    pub title: String,
    /// Within the programme's period.
    pub planned_on: NaiveDate,
    pub place: Option<String>,
    /// A member holding a seat of the mahalla's seven.
    pub responsible_member_id: Option<ID>,
    /// Cases of the mahalla it involves (at most 50).
    #[graphql(default)]
    pub case_ids: Vec<ID>,
}

/// What was done at an activity (status DONE, with `doneOn` and `result`), or that it
/// was called off (CANCELLED).
#[derive(InputObject)]
pub struct RecordProgrammeActivityInput {
    pub id: ID,
    pub status: ActivityStatus,
    /// The activity's `version` the change started from: CONFLICT, with the activity
    /// as it is in `extensions.current`, when it changed since.
    pub expected_version: Option<i32>,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub participants: Option<i32>,
}

#[derive(Default)]
pub struct ProgrammeMutation;

#[Object]
impl ProgrammeMutation {
    /// Draw up a mahalla's prevention programme (the seven or the prevention inspector).
    async fn create_prevention_programme(
        &self,
        ctx: &Context<'_>,
        input: CreatePreventionProgrammeInput,
    ) -> Result<PreventionProgramme> {
        let p = principal(ctx)?;
        let new = NewProgramme {
            mahalla_id: ids::decode_as(&input.mahalla_id, "Mahalla", "input.mahallaId")?,
            title: input.title,
            period_start: input.period_start,
            period_end: input.period_end,
            objectives: input.objectives,
        };
        Ok(PreventionProgramme(
            service::create(&state(ctx)?.db, p, new).await?,
        ))
    }

    /// Plan an activity of a programme.
    async fn add_programme_activity(
        &self,
        ctx: &Context<'_>,
        input: AddProgrammeActivityInput,
    ) -> Result<ProgrammeActivity> {
        let p = principal(ctx)?;
        let new = NewActivity {
            programme_id: ids::decode_as(&input.programme_id, "PreventionProgramme", "input.programmeId")?,
            kind: input.kind,
            title: input.title,
            planned_on: input.planned_on,
            place: input.place,
            responsible_member_id: ids::decode_opt(
                input.responsible_member_id.as_ref(),
                "MahallaMember",
                "input.responsibleMemberId",
            )?,
            case_ids: ids::decode_list(&input.case_ids, "Case", "input.caseIds")?,
        };
        Ok(ProgrammeActivity(
            service::add_activity(&state(ctx)?.db, p, new).await?,
        ))
    }

    /// Record what was done at a planned activity, or call it off.
    async fn record_programme_activity(
        &self,
        ctx: &Context<'_>,
        input: RecordProgrammeActivityInput,
    ) -> Result<ProgrammeActivity> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "ProgrammeActivity", "input.id")?;
        let report = ActivityReport {
            status: input.status,
            expected_version: input.expected_version,
            done_on: input.done_on,
            result: input.result,
            participants: input.participants,
        };
        Ok(ProgrammeActivity(
            service::record_activity(&state(ctx)?.db, p, id, report).await?,
        ))
    }
}
