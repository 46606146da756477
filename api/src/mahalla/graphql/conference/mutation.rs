//! Mutations of case conferences: convening one, recording what was said and decided
//! at it, and cancelling it.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::CaseConference;
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::mahalla::conference::{
    self as service, DecisionAction, DecisionTask, NewConference, NewDecision, NewMinute, Outcome,
};
use crate::supervision::entity::NoteVisibility;

#[derive(InputObject)]
pub struct ScheduleCaseConferenceInput {
    pub mahalla_id: ID,
    /// One to ten open cases of the mahalla that the caller supervises.
    pub case_ids: Vec<ID>,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub place: Option<String>,
    pub agenda: String,
    /// Agency staff to invite; each must be able to see every case on the agenda.
    #[graphql(default)]
    pub invited_user_ids: Vec<ID>,
    /// Members of the seven to invite.
    #[graphql(default)]
    pub invited_member_ids: Vec<ID>,
    /// Invite every member holding a seat today (default false).
    #[graphql(default)]
    pub invite_seven: bool,
}

/// An entry of the minutes.
#[derive(InputObject)]
pub struct ConferenceMinuteInput {
    /// The case it is about; absent for the meeting as a whole.
    pub case_id: Option<ID>,
    /// At most the recorder's own level.
    pub visibility: NoteVisibility,
    pub body: String,
}

/// The task a decision gives a member of the seven.
#[derive(InputObject)]
pub struct DecisionTaskInput {
    pub member_id: ID,
    pub title: String,
    pub due_on: NaiveDate,
}

/// The plan action a decision adds under a goal of the case's plan.
#[derive(InputObject)]
pub struct DecisionPlanActionInput {
    pub goal_id: ID,
    pub owner_organisation_id: ID,
    pub due_date: Option<NaiveDate>,
}

/// A decision on one case: a task, a plan action, or both.
#[derive(InputObject)]
pub struct ConferenceDecisionInput {
    pub case_id: ID,
    pub body: String,
    pub task: Option<DecisionTaskInput>,
    pub plan_action: Option<DecisionPlanActionInput>,
}

/// What happened at a conference: recorded at once, or not at all.
#[derive(InputObject)]
pub struct RecordCaseConferenceInput {
    pub id: ID,
    /// Participants who attended; the others did not.
    pub attended_participant_ids: Vec<ID>,
    #[graphql(default)]
    pub minutes: Vec<ConferenceMinuteInput>,
    #[graphql(default)]
    pub decisions: Vec<ConferenceDecisionInput>,
}

#[derive(InputObject)]
pub struct CancelCaseConferenceInput {
    pub id: ID,
    pub reason: String,
}

#[derive(Default)]
pub struct ConferenceMutation;

#[Object]
impl ConferenceMutation {
    /// Convene a conference on cases of one mahalla (an officer or inspector who
    /// supervises every case on the agenda).
    async fn schedule_case_conference(
        &self,
        ctx: &Context<'_>,
        input: ScheduleCaseConferenceInput,
    ) -> Result<CaseConference> {
        let p = principal(ctx)?;
        let new = NewConference {
            mahalla_id: ids::decode_as(&input.mahalla_id, "Mahalla", "input.mahallaId")?,
            case_ids: ids::decode_list(&input.case_ids, "Case", "input.caseIds")?,
            title: input.title,
            scheduled_at: input.scheduled_at,
            place: input.place,
            agenda: input.agenda,
            user_ids: ids::decode_list(&input.invited_user_ids, "User", "input.invitedUserIds")?,
            member_ids: ids::decode_list(
                &input.invited_member_ids,
                "MahallaMember",
                "input.invitedMemberIds",
            )?,
            invite_seven: input.invite_seven,
        };
        Ok(CaseConference(service::schedule(&state(ctx)?.db, p, new).await?))
    }

    /// Record attendance, minutes and decisions: each decision becomes an owned task
    /// and/or plan action, all in one transaction.
    async fn record_case_conference(
        &self,
        ctx: &Context<'_>,
        input: RecordCaseConferenceInput,
    ) -> Result<CaseConference> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "CaseConference", "input.id")?;
        let attended = ids::decode_list(
            &input.attended_participant_ids,
            "ConferenceParticipant",
            "input.attendedParticipantIds",
        )?;
        let mut minutes = Vec::with_capacity(input.minutes.len());
        for (i, m) in input.minutes.into_iter().enumerate() {
            minutes.push(NewMinute {
                case_id: ids::decode_opt(m.case_id.as_ref(), "Case", &format!("input.minutes.{i}.caseId"))?,
                visibility: m.visibility,
                body: m.body,
            });
        }
        let mut decisions = Vec::with_capacity(input.decisions.len());
        for (i, d) in input.decisions.into_iter().enumerate() {
            let f = format!("input.decisions.{i}");
            let task = match d.task {
                Some(t) => Some(DecisionTask {
                    member_id: ids::decode_as(&t.member_id, "MahallaMember", &format!("{f}.task.memberId"))?,
                    title: t.title,
                    due_on: t.due_on,
                }),
                None => None,
            };
            let plan_action = match d.plan_action {
                Some(a) => Some(DecisionAction {
                    goal_id: ids::decode_as(&a.goal_id, "PlanGoal", &format!("{f}.planAction.goalId"))?,
                    owner_organisation_id: ids::decode_as(
                        &a.owner_organisation_id,
                        "Organisation",
                        &format!("{f}.planAction.ownerOrganisationId"),
                    )?,
                    due_date: a.due_date,
                }),
                None => None,
            };
            decisions.push(NewDecision {
                case_id: ids::decode_as(&d.case_id, "Case", &format!("{f}.caseId"))?,
                body: d.body,
                task,
                plan_action,
            });
        }
        let out = Outcome {
            attended,
            minutes,
            decisions,
        };
        Ok(CaseConference(
            service::record(&state(ctx)?.db, p, id, out).await?,
        ))
    }

    /// Call a scheduled conference off.
    async fn cancel_case_conference(
        &self,
        ctx: &Context<'_>,
        input: CancelCaseConferenceInput,
    ) -> Result<CaseConference> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "CaseConference", "input.id")?;
        Ok(CaseConference(
            service::cancel(&state(ctx)?.db, p, id, &input.reason).await?,
        ))
    }
}
