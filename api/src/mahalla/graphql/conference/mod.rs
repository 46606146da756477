//! Joint case conferences: the meeting, its participants, minutes and decisions, and
//! the query of them. Convening, recording and cancelling are `mutation.rs`.

mod mutation;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

pub use mutation::ConferenceMutation;

use super::roster::MahallaMember;
use super::tasks::MahallaTask;
use super::{mahalla_loaders, visible_cases};
use crate::access::case_access;
use crate::case::graphql::{Case, case_of};
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::{children, many, one};
use crate::mahalla::conference::{self as service};
use crate::mahalla::entity::{ConferenceStatus, conference, decision, minute, participant};
use crate::pagination::Conn;
use crate::plan::graphql::{PlanAction, fetch_action};
use crate::supervision::entity::NoteVisibility;
use crate::territory::graphql::Mahalla;
use crate::user::graphql::User;

/// A joint meeting of the agencies and the seven on one or several cases of a mahalla.
pub struct CaseConference(pub conference::Model);

#[Object]
impl CaseConference {
    pub async fn id(&self) -> ID {
        ids::encode("CaseConference", self.0.id)
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(one(&loaders(ctx)?.mahallas, self.0.mahalla_id)
            .await?
            .map(Mahalla))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.scheduled_at
    }
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    async fn agenda(&self) -> &str {
        &self.0.agenda
    }
    async fn status(&self) -> ConferenceStatus {
        self.0.status
    }
    async fn convened_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.convened_by).await?.map(User))
    }
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// The cases on the agenda that the caller may see.
    async fn cases(&self, ctx: &Context<'_>) -> Result<Vec<Case>> {
        let links = children(&mahalla_loaders(ctx)?.cases_by_conference, self.0.id).await?;
        visible_cases(ctx, links.into_iter().map(|l| l.case_id)).await
    }
    /// Who was invited, and who attended (once recorded).
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<ConferenceParticipant>> {
        let rows = children(&mahalla_loaders(ctx)?.participants_by_conference, self.0.id).await?;
        Ok(rows.into_iter().map(ConferenceParticipant).collect())
    }
    /// The minutes, for participants: each entry only up to the caller's visibility
    /// level on its case. Reading is audited.
    // Batched: a page of conferences reads its participants, cases and minutes in a
    // few queries in all.
    async fn minutes(&self, ctx: &Context<'_>) -> Result<Vec<ConferenceMinute>> {
        let p = principal(ctx)?;
        let ml = mahalla_loaders(ctx)?;
        let invited = children(&ml.participants_by_conference, self.0.id).await?;
        let mut participant = invited.iter().any(|r| r.user_id == Some(p.user_id));
        if !participant {
            let seats = many(&ml.members, invited.iter().filter_map(|r| r.member_id)).await?;
            participant = seats.iter().any(|m| m.user_id == Some(p.user_id));
        }
        if !participant {
            return Ok(Vec::new());
        }
        let links = children(&ml.cases_by_conference, self.0.id).await?;
        let cases = many(&loaders(ctx)?.cases, links.iter().map(|l| l.case_id)).await?;
        let rows = children(&ml.minutes_by_conference, self.0.id).await?;
        let Some(readable) = service::readable_minutes(p, &cases, rows) else {
            return Ok(Vec::new());
        };
        service::audit_minutes_read(&state(ctx)?.db, p, self.0.id, readable.len()).await?;
        Ok(readable.into_iter().map(ConferenceMinute).collect())
    }
    /// Decisions on the cases the caller may see, with the task and plan action each
    /// became.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<ConferenceDecision>> {
        let p = principal(ctx)?;
        let rows = children(&mahalla_loaders(ctx)?.decisions_by_conference, self.0.id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let visible = one(&loaders(ctx)?.cases, row.case_id)
                .await?
                .is_some_and(|c| case_access(p, &c).is_some());
            if visible {
                out.push(ConferenceDecision(row));
            }
        }
        Ok(out)
    }
}

/// Someone invited to a conference: agency staff (a user) or a member of the seven.
pub struct ConferenceParticipant(pub participant::Model);

#[Object]
impl ConferenceParticipant {
    /// Global id, for recording attendance.
    async fn id(&self) -> ID {
        ids::encode("ConferenceParticipant", self.0.id)
    }
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.user_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<MahallaMember>> {
        let Some(id) = self.0.member_id else {
            return Ok(None);
        };
        Ok(one(&mahalla_loaders(ctx)?.members, id).await?.map(MahallaMember))
    }
    /// Absent until the conference is recorded.
    async fn attended(&self) -> Option<bool> {
        self.0.attended
    }
}

/// An entry of a conference's minutes.
pub struct ConferenceMinute(pub minute::Model);

#[Object]
impl ConferenceMinute {
    /// The case it is about (absent for the meeting as a whole).
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        match self.0.case_id {
            Some(id) => case_of(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Who may read it, as for case notes.
    async fn visibility(&self) -> NoteVisibility {
        self.0.visibility
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn written_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.written_by).await?.map(User))
    }
    async fn written_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A decision of a conference on one case.
pub struct ConferenceDecision(pub decision::Model);

#[Object]
impl ConferenceDecision {
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The task it gave a member of the seven (if the caller may see it).
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<MahallaTask>> {
        match self.0.task_id {
            Some(id) => super::tasks::fetch_task(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The plan action it added (if the caller may see it).
    async fn plan_action(&self, ctx: &Context<'_>) -> Result<Option<PlanAction>> {
        match self.0.plan_action_id {
            Some(id) => fetch_action(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// Fetch a conference for `node(id)`.
pub async fn fetch_conference(ctx: &Context<'_>, id: i64) -> Result<Option<CaseConference>> {
    let p = principal(ctx)?;
    match service::get(&state(ctx)?.db, p, id).await {
        Ok(row) => Ok(Some(CaseConference(row))),
        Err(crate::error::ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Default)]
pub struct ConferenceQuery;

#[Object]
impl ConferenceQuery {
    /// Conferences of a mahalla, or of every mahalla the caller works in, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn case_conferences(
        &self,
        ctx: &Context<'_>,
        mahalla_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<CaseConference>> {
        let p = principal(ctx)?;
        let mahalla = ids::decode_opt(mahalla_id.as_ref(), "Mahalla", "mahallaId")?;
        let page = page(ctx, first, after)?;
        let rows = service::list(&state(ctx)?.db, p, mahalla, page).await?;
        Ok(rows.into_connection(|m| m.id, CaseConference))
    }
}
