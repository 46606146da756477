//! `Mutation.remoteCheckIn` (the officer's enrolment and review, the person's
//! submission) and `Mutation.activateRemoteCheckIn` (anonymous: the app's first call).

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::error::ApiError;
use hamkor_api::graphql::context::{meta, principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use super::check_in::{RemoteCheckIn, RemoteCheckInEnrolment};
use super::person::MyCheckInReceipt;
use crate::ID as MODULE;
use crate::entity::{CheckInLanguage, IdentityOutcome};
use crate::schedule::Schedule;
use crate::service::activation::{self, Activation};
use crate::service::check_ins::{self, Fix, Submission};
use crate::service::{enrolment, review};

/// `Mutation.remoteCheckIn` and `Mutation.activateRemoteCheckIn`.
#[derive(Default)]
pub struct RemoteCheckInMutationRoot;

#[Object]
impl RemoteCheckInMutationRoot {
    #[graphql(
        visible = "crate::remote_check_in_visible",
        guard = "ModuleGuard::new(MODULE)"
    )]
    async fn remote_check_in(&self) -> RemoteCheckInMutation {
        RemoteCheckInMutation
    }

    /// The remote check-in app's first call, without a token: the code from the SMS and
    /// the person's birth date, for tokens bound to this device. Errors:
    /// `ACTIVATION_CODE_INVALID` (wrong, used or spent code, or wrong birth date),
    /// `ACTIVATION_CODE_EXPIRED`, `MODULE_DISABLED` (the organisation switched remote
    /// check-in off after the enrolment; nothing is written).
    async fn activate_remote_check_in(
        &self,
        ctx: &Context<'_>,
        input: ActivateRemoteCheckInInput,
    ) -> Result<DeviceActivation> {
        let st = state(ctx)?;
        let t = activation::activate(
            st,
            meta(ctx)?,
            Activation {
                phone: input.phone,
                code: input.code,
                birth_date: input.birth_date,
                device_id: input.device_id,
            },
        )
        .await?;
        Ok(DeviceActivation {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
        })
    }
}

#[derive(InputObject)]
pub struct ActivateRemoteCheckInInput {
    pub phone: String,
    pub code: String,
    pub birth_date: NaiveDate,
    /// The app's own identifier of the device.
    pub device_id: String,
}

/// Tokens of an activated device (refresh with `refresh`).
#[derive(SimpleObject)]
pub struct DeviceActivation {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

#[derive(InputObject)]
#[graphql(visible = "crate::remote_check_in_visible")]
pub struct EnrolRemoteCheckInInput {
    pub case_id: ID,
    /// International form: `+998…`.
    pub phone: String,
    pub language: CheckInLanguage,
    /// Every so many days (1–90), or else …
    pub every_days: Option<i32>,
    /// … one weekday, 1 = Monday … 7 = Sunday.
    pub weekday: Option<i32>,
    /// How long each window stays open (1–72 hours).
    pub window_hours: i32,
    pub first_due_at: DateTime<Utc>,
    /// Plan goals of the case to share with the person.
    #[graphql(default)]
    pub shared_goal_ids: Vec<ID>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::remote_check_in_visible")]
pub struct CheckInLocationInput {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

#[derive(InputObject)]
#[graphql(visible = "crate::remote_check_in_visible")]
pub struct SubmitCheckInInput {
    /// The client's id of this submission: a retry with it returns the same check-in.
    pub submission_id: String,
    /// `{questionId: answer}` for the questions of `me.questions`.
    pub answers: Json<serde_json::Value>,
    /// The id `POST /remote-check-in/v1/photos` returned.
    pub photo_id: Option<String>,
    pub location: Option<CheckInLocationInput>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::remote_check_in_visible")]
pub struct ReviewCheckInInput {
    pub check_in_id: ID,
    pub identity: IdentityOutcome,
    pub note: Option<String>,
}

pub struct RemoteCheckInMutation;

#[Object(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl RemoteCheckInMutation {
    /// Enrol a case's person (the case's officer): an activation code goes by SMS;
    /// enrolling again revokes the earlier enrolment and its device.
    async fn enrol(
        &self,
        ctx: &Context<'_>,
        input: EnrolRemoteCheckInInput,
    ) -> Result<RemoteCheckInEnrolment> {
        let schedule = Schedule::new(
            input.first_due_at,
            input.every_days,
            input.weekday,
            input.window_hours,
        )?;
        let spec = enrolment::EnrolSpec {
            case_id: ids::decode_as(&input.case_id, "Case", "input.caseId")?,
            phone: input.phone,
            language: input.language,
            schedule,
            shared_goal_ids: ids::decode_list(&input.shared_goal_ids, "PlanGoal", "input.sharedGoalIds")?,
        };
        Ok(RemoteCheckInEnrolment(
            enrolment::enrol(&state(ctx)?.db, principal(ctx)?, spec).await?,
        ))
    }

    /// Send a new activation code (at most three an hour).
    async fn resend_code(&self, ctx: &Context<'_>, enrolment_id: ID) -> Result<RemoteCheckInEnrolment> {
        let id = ids::decode_as(&enrolment_id, "RemoteCheckInEnrolment", "enrolmentId")?;
        Ok(RemoteCheckInEnrolment(
            enrolment::resend_code(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }

    /// Revoke an enrolment: the device's tokens stop working at once.
    async fn revoke(&self, ctx: &Context<'_>, enrolment_id: ID) -> Result<RemoteCheckInEnrolment> {
        let id = ids::decode_as(&enrolment_id, "RemoteCheckInEnrolment", "enrolmentId")?;
        Ok(RemoteCheckInEnrolment(
            enrolment::revoke(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }

    /// The person submits the check-in whose window is open (their app's token only).
    /// Errors: `OUTSIDE_WINDOW`, BAD_USER_INPUT naming `input.answers.<id>`,
    /// `MODULE_DISABLED` (switched off since the enrolment; nothing is written).
    async fn submit_check_in(
        &self,
        ctx: &Context<'_>,
        input: SubmitCheckInInput,
    ) -> Result<MyCheckInReceipt> {
        let store = crate::storage::current().map_err(|e| ApiError::internal("photo store", e))?;
        let s = Submission {
            submission_id: input.submission_id,
            answers: input.answers.0,
            photo_id: input.photo_id,
            location: input.location.map(|l| Fix {
                lat: l.lat,
                lon: l.lon,
                accuracy_m: l.accuracy_m,
            }),
        };
        let st = state(ctx)?;
        let c = check_ins::submit(&st.db, &st.modules, &store, principal(ctx)?, s).await?;
        Ok(MyCheckInReceipt::of(&c))
    }

    /// Review a submitted check-in (its case's officer).
    async fn review(&self, ctx: &Context<'_>, input: ReviewCheckInInput) -> Result<RemoteCheckIn> {
        let id = ids::decode_as(&input.check_in_id, "RemoteCheckIn", "input.checkInId")?;
        Ok(RemoteCheckIn(
            review::review(
                &state(ctx)?.db,
                principal(ctx)?,
                id,
                input.identity,
                input.note.as_deref(),
            )
            .await?,
        ))
    }

    /// Mark a requested callback as made.
    async fn complete_callback(&self, ctx: &Context<'_>, check_in_id: ID) -> Result<RemoteCheckIn> {
        let id = ids::decode_as(&check_in_id, "RemoteCheckIn", "checkInId")?;
        Ok(RemoteCheckIn(
            review::complete_callback(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }
}
