//! `Mutation.education`: each change decodes its input, calls one service function
//! with the caller (which validates, authorises, audits and emits its event in one
//! transaction), and wraps the result.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::error::ApiResult;
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use super::enrolment::{
    ApplyForEnrolmentInput, CompleteEnrolmentInput, DropOutInput, EducationEnrolment, EnrolmentStepInput,
    RecordAttendanceInput, RejectEnrolmentInput,
};
use super::programme::{
    AddEducationIntakeInput, EducationIntake, EducationProgramme, EducationProgrammeInput,
};
use crate::ID as MODULE;
use crate::service::decisions::{self, Decision, DecisionDetails};
use crate::service::{attendance, enrolment, enrolment_search, intakes, programmes};

/// `Mutation.education`.
#[derive(Default)]
pub struct EducationMutationRoot;

#[Object]
impl EducationMutationRoot {
    /// The education module's changes (organisations that enabled it only).
    #[graphql(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn education(&self) -> EducationMutation {
        EducationMutation
    }
}

pub struct EducationMutation;

fn enrolment_id(id: &ID) -> ApiResult<i64> {
    ids::decode_as(id, "EducationEnrolment", "input.enrolmentId")
}

/// Take one step of an enrolment's lifecycle.
async fn step(
    ctx: &Context<'_>,
    id: &ID,
    decision: Decision,
    details: DecisionDetails,
) -> Result<EducationEnrolment> {
    let p = principal(ctx)?;
    let row = decisions::decide(&state(ctx)?.db, p, enrolment_id(id)?, decision, details).await?;
    Ok(EducationEnrolment(row))
}

/// Take a step whose only detail is a note.
async fn decide(
    ctx: &Context<'_>,
    id: &ID,
    decision: Decision,
    note: Option<String>,
) -> Result<EducationEnrolment> {
    let details = DecisionDetails {
        note,
        ..Default::default()
    };
    step(ctx, id, decision, details).await
}

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationMutation {
    /// Publish a programme of the caller's organisation (provider staff).
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        input: EducationProgrammeInput,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let spec = input.spec(ctx).await?;
        Ok(EducationProgramme(
            programmes::create(&state(ctx)?.db, p, spec).await?,
        ))
    }

    /// Replace a programme's description (its provider's staff).
    async fn update_programme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: EducationProgrammeInput,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        let spec = input.spec(ctx).await?;
        Ok(EducationProgramme(
            programmes::update(&state(ctx)?.db, p, id, spec).await?,
        ))
    }

    /// Open or close a programme to new applications.
    async fn set_programme_active(
        &self,
        ctx: &Context<'_>,
        id: ID,
        active: bool,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        Ok(EducationProgramme(
            programmes::set_active(&state(ctx)?.db, p, id, active).await?,
        ))
    }

    /// Open an intake of a programme (one already running may be registered up to a
    /// year after its start).
    async fn add_intake(&self, ctx: &Context<'_>, input: AddEducationIntakeInput) -> Result<EducationIntake> {
        let p = principal(ctx)?;
        let programme_id = ids::decode_as(&input.programme_id, "EducationProgramme", "input.programmeId")?;
        Ok(EducationIntake(
            intakes::add_intake(
                &state(ctx)?.db,
                p,
                programme_id,
                input.starts_on,
                input.ends_on,
                input.seats,
            )
            .await?,
        ))
    }

    /// Change an intake's seats (never below those taken).
    async fn set_intake_seats(&self, ctx: &Context<'_>, id: ID, seats: i32) -> Result<EducationIntake> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationIntake", "id")?;
        Ok(EducationIntake(
            intakes::set_seats(&state(ctx)?.db, p, id, seats).await?,
        ))
    }

    /// Apply for an intake on behalf of a referred person (provider staff): accepts a
    /// SENT referral; refused when the person is not eligible or the programme breaks
    /// the sentence's conditions.
    async fn apply_for_enrolment(
        &self,
        ctx: &Context<'_>,
        input: ApplyForEnrolmentInput,
    ) -> Result<EducationEnrolment> {
        let p = principal(ctx)?;
        let referral_id = ids::decode_as(&input.referral_id, "Referral", "input.referralId")?;
        let intake_id = ids::decode_as(&input.intake_id, "EducationIntake", "input.intakeId")?;
        let row = enrolment::apply(&state(ctx)?.db, p, referral_id, intake_id, input.note.as_deref()).await?;
        Ok(EducationEnrolment(row))
    }

    /// Admit an applicant (or a waitlisted person) into a seat: CONFLICT when no seat is
    /// left (two enrolments can never take the same last seat).
    async fn enrol(&self, ctx: &Context<'_>, input: EnrolmentStepInput) -> Result<EducationEnrolment> {
        decide(ctx, &input.enrolment_id, Decision::Enrol, input.note).await
    }

    /// Put an applicant on the waiting list.
    async fn waitlist_enrolment(
        &self,
        ctx: &Context<'_>,
        input: EnrolmentStepInput,
    ) -> Result<EducationEnrolment> {
        decide(ctx, &input.enrolment_id, Decision::Waitlist, input.note).await
    }

    /// Reject an application (the referral stays open for another intake).
    async fn reject_enrolment(
        &self,
        ctx: &Context<'_>,
        input: RejectEnrolmentInput,
    ) -> Result<EducationEnrolment> {
        decide(
            ctx,
            &input.enrolment_id,
            Decision::Reject(input.reason),
            input.note,
        )
        .await
    }

    /// The person started classes: the referral moves IN_PROGRESS.
    async fn start_attending(
        &self,
        ctx: &Context<'_>,
        input: EnrolmentStepInput,
    ) -> Result<EducationEnrolment> {
        decide(ctx, &input.enrolment_id, Decision::StartAttending, input.note).await
    }

    /// Record attendance (ATTENDING only); may raise or close the absence alert.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<EducationEnrolment> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let id = enrolment_id(&input.enrolment_id)?;
        let row = attendance::record(&st.db, &st.modules, p, id, input.entries()).await?;
        Ok(EducationEnrolment(row))
    }

    /// Finish with a result (and the certificate on passing, when the programme awards
    /// one): completes the referral and writes the result onto the plan goal it serves.
    async fn complete_enrolment(
        &self,
        ctx: &Context<'_>,
        input: CompleteEnrolmentInput,
    ) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::Complete { result: input.result },
            DecisionDetails {
                note: input.note,
                certificate_number: input.certificate_number,
                certificate_date: input.certificate_date,
            },
        )
        .await
    }

    /// Set (or clear, with null or "") the provider's own reference of a programme: its
    /// staff. Unique among the provider's programmes (CONFLICT otherwise).
    async fn set_programme_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        let row = programmes::set_external_id(&state(ctx)?.db, p, id, external_id.as_deref()).await?;
        Ok(EducationProgramme(row))
    }

    /// Set (or clear) the provider's own reference of an enrolment: its staff. Unique
    /// among the provider's enrolments.
    async fn set_enrolment_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<EducationEnrolment> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationEnrolment", "id")?;
        let row = enrolment_search::set_external_id(&state(ctx)?.db, p, id, external_id.as_deref()).await?;
        Ok(EducationEnrolment(row))
    }

    /// The person stopped taking part: frees the seat and withdraws the referral.
    async fn drop_out(&self, ctx: &Context<'_>, input: DropOutInput) -> Result<EducationEnrolment> {
        decide(
            ctx,
            &input.enrolment_id,
            Decision::DropOut(input.reason),
            input.note,
        )
        .await
    }
}
