//! `Mutation.psychSupport`: every change is validated, authorised, audited and emits its
//! domain event in one transaction (see the services).

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::error::ApiError;
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use super::clinical::{AddConfidentialNoteInput, ConfidentialNote, RecordScreeningInput, Screening};
use super::practitioner::{Practitioner, SavePractitionerInput};
use super::psych_visible;
use super::session::{
    PsychSession, RecordSessionAttendanceInput, ReschedulePsychSessionInput, SchedulePsychSessionInput,
    SessionParticipant,
};
use super::support::{
    AcceptPsychReferralInput, AssignPractitionerInput, CloseSupportInput, PsychSupportRecord,
    SetSupportPlanInput, ShareSupportSummaryInput,
};
use crate::ID as MODULE;
use crate::service::closing::{self, Outcome};
use crate::service::plans::{self, PlannedSessions};
use crate::service::sessions::{self, NewSession};
use crate::service::{notes, practitioners, screenings, session_search, support};

/// `Mutation.psychSupport`.
#[derive(Default)]
pub struct PsychSupportMutationRoot;

#[Object]
impl PsychSupportMutationRoot {
    /// Psychological support: practitioners, referrals, plans, sessions, screenings, notes.
    #[graphql(visible = "psych_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn psych_support(&self) -> PsychSupportMutation {
        PsychSupportMutation
    }
}

pub struct PsychSupportMutation;

fn referral_id(id: &ID) -> Result<i64> {
    Ok(ids::decode_as(id, "Referral", "input.referralId")?)
}

#[Object(visible = "psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PsychSupportMutation {
    /// Create or replace the practitioner profile of a PARTNER_STAFF user of the caller's
    /// organisation (its admin, or the practitioner themself).
    async fn save_practitioner(
        &self,
        ctx: &Context<'_>,
        input: SavePractitionerInput,
    ) -> Result<Practitioner> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let row = practitioners::save(
            db,
            p,
            practitioners::Profile {
                user_id: ids::decode_as(&input.user_id, "User", "input.userId")?,
                specialisms: input.specialisms,
                languages: input.languages,
                active: input.active,
            },
        )
        .await?;
        Ok(Practitioner(row))
    }

    /// Accept a referral sent to the caller's organisation and assign its practitioner.
    async fn accept_referral(
        &self,
        ctx: &Context<'_>,
        input: AcceptPsychReferralInput,
    ) -> Result<PsychSupportRecord> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let pr = ids::decode_as(&input.practitioner_id, "Practitioner", "input.practitionerId")?;
        let s = support::accept(db, p, referral_id(&input.referral_id)?, pr, input.note.as_deref()).await?;
        Ok(PsychSupportRecord(s))
    }

    /// Assign (or change) the practitioner of an accepted referral.
    async fn assign_practitioner(
        &self,
        ctx: &Context<'_>,
        input: AssignPractitionerInput,
    ) -> Result<PsychSupportRecord> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let pr = ids::decode_as(&input.practitioner_id, "Practitioner", "input.practitionerId")?;
        let s = support::assign(db, p, referral_id(&input.referral_id)?, pr).await?;
        Ok(PsychSupportRecord(s))
    }

    /// Draw up (or redraw) the support plan; the first one starts the referral.
    async fn set_support_plan(
        &self,
        ctx: &Context<'_>,
        input: SetSupportPlanInput,
    ) -> Result<PsychSupportRecord> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let planned = input
            .sessions
            .iter()
            .map(|s| PlannedSessions {
                kind: s.kind,
                count: s.count,
            })
            .collect();
        let s = plans::set_plan(db, p, referral_id(&input.referral_id)?, planned, input.goals).await?;
        Ok(PsychSupportRecord(s))
    }

    /// Schedule an individual or group session.
    async fn schedule_session(
        &self,
        ctx: &Context<'_>,
        input: SchedulePsychSessionInput,
    ) -> Result<PsychSession> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let s = sessions::schedule(
            db,
            p,
            NewSession {
                referral_ids: ids::decode_list(&input.referral_ids, "Referral", "input.referralIds")?,
                format: input.format,
                kind: input.kind,
                mode: input.mode,
                place: input.place,
                starts_at: input.starts_at,
                duration_minutes: input.duration_minutes,
                practitioner_id: ids::decode_opt(
                    input.practitioner_id.as_ref(),
                    "Practitioner",
                    "input.practitionerId",
                )?,
            },
        )
        .await?;
        Ok(PsychSession(s))
    }

    /// Move a session to another time, with the reason.
    async fn reschedule_session(
        &self,
        ctx: &Context<'_>,
        input: ReschedulePsychSessionInput,
    ) -> Result<PsychSession> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let s = sessions::reschedule(
            db,
            p,
            ids::decode_as(&input.session_id, "PsychSession", "input.sessionId")?,
            input.starts_at,
            &input.reason,
            input.mode,
            input.place.as_deref(),
        )
        .await?;
        Ok(PsychSession(s))
    }

    /// Record (or correct) one person's attendance of a session.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordSessionAttendanceInput,
    ) -> Result<SessionParticipant> {
        let p = principal(ctx)?;
        let x = sessions::record_attendance(
            &state(ctx)?.db,
            p,
            ids::decode_as(&input.session_id, "PsychSession", "input.sessionId")?,
            referral_id(&input.referral_id)?,
            input.attendance,
            input.reason.as_deref(),
        )
        .await?;
        Ok(SessionParticipant(x))
    }

    /// Write a confidential note (read only by the provider's practitioners).
    async fn add_confidential_note(
        &self,
        ctx: &Context<'_>,
        input: AddConfidentialNoteInput,
    ) -> Result<ConfidentialNote> {
        let p = principal(ctx)?;
        let n = notes::add(
            &state(ctx)?.db,
            p,
            referral_id(&input.referral_id)?,
            ids::decode_opt(input.session_id.as_ref(), "PsychSession", "input.sessionId")?,
            &input.body,
        )
        .await?;
        Ok(ConfidentialNote(n))
    }

    /// Share a summary with the agencies supervising the case.
    async fn share_summary(
        &self,
        ctx: &Context<'_>,
        input: ShareSupportSummaryInput,
    ) -> Result<PsychSupportRecord> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let s = support::share_summary(db, p, referral_id(&input.referral_id)?, &input.summary).await?;
        Ok(PsychSupportRecord(s))
    }

    /// Record a PHQ-9 or GAD-7 screening; the server scores it.
    async fn record_screening(&self, ctx: &Context<'_>, input: RecordScreeningInput) -> Result<Screening> {
        let p = principal(ctx)?;
        let s = screenings::record(
            &state(ctx)?.db,
            p,
            referral_id(&input.referral_id)?,
            input.instrument,
            &input.items,
            input.administered_at,
        )
        .await?;
        Ok(Screening(s))
    }

    /// Set (or clear, with null or "") the provider's own reference of a session: its
    /// staff. Unique among the provider's sessions (CONFLICT otherwise).
    async fn set_session_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<PsychSession> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "PsychSession", "id")?;
        let s = session_search::set_external_id(&state(ctx)?.db, p, id, external_id.as_deref()).await?;
        Ok(PsychSession(s))
    }

    /// End support: outcomes for every plan goal and a closing summary. Completes the
    /// referral and writes the result onto the rehabilitation plan.
    async fn close_support(&self, ctx: &Context<'_>, input: CloseSupportInput) -> Result<PsychSupportRecord> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let outcomes = input
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| {
                Ok(Outcome {
                    goal_id: ids::decode_as(&o.goal_id, "PsychGoal", &format!("input.outcomes[{i}].goalId"))?,
                    outcome: o.outcome,
                    note: o.note.clone(),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let s = closing::close(db, p, referral_id(&input.referral_id)?, &input.summary, outcomes).await?;
        Ok(PsychSupportRecord(s))
    }
}
