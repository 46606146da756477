//! The staff's types: enrolments and check-ins as the officer sees them.

use async_graphql::{Context, ID, Json, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;

use crate::ID as MODULE;
use crate::entity::{
    CheckInEnrolmentStatus, CheckInLanguage, CheckInStatus, IdentityOutcome, SupportNeed, Wellbeing,
    check_in, enrolment,
};

/// A person's enrolment in remote check-in.
pub struct RemoteCheckInEnrolment(pub enrolment::Model);

#[Object(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl RemoteCheckInEnrolment {
    async fn id(&self) -> ID {
        ids::encode("RemoteCheckInEnrolment", self.0.id)
    }
    async fn case_id(&self) -> ID {
        ids::encode("Case", self.0.case_id)
    }
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    async fn language(&self) -> CheckInLanguage {
        self.0.language
    }
    async fn every_days(&self) -> Option<i32> {
        self.0.every_days
    }
    async fn weekday(&self) -> Option<i32> {
        self.0.weekday
    }
    async fn window_hours(&self) -> i32 {
        self.0.window_hours
    }
    async fn first_due_at(&self) -> DateTime<Utc> {
        self.0.first_due_at
    }
    async fn status(&self) -> CheckInEnrolmentStatus {
        self.0.status
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// One scheduled check-in, as its officer sees it.
pub struct RemoteCheckIn(pub check_in::Model);

#[Object(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl RemoteCheckIn {
    async fn id(&self) -> ID {
        ids::encode("RemoteCheckIn", self.0.id)
    }
    async fn case_id(&self) -> ID {
        ids::encode("Case", self.0.case_id)
    }
    async fn opens_at(&self) -> DateTime<Utc> {
        self.0.opens_at
    }
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }
    async fn status(&self) -> CheckInStatus {
        self.0.status
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// The answers as given (`{questionId: value}`).
    async fn answers(&self) -> Option<Json<serde_json::Value>> {
        self.0.answers.clone().map(Json)
    }
    async fn wellbeing(&self) -> Option<Wellbeing> {
        self.0.wellbeing
    }
    async fn support_needs(&self) -> Vec<SupportNeed> {
        use sea_orm::Iterable;
        let named: Vec<&str> = self.0.support_needs.split(',').collect();
        SupportNeed::iter()
            .filter(|n| named.contains(&crate::entity::enum_name(*n).as_str()))
            .collect()
    }
    async fn callback_requested(&self) -> bool {
        self.0.callback_requested
    }
    async fn callback_done_at(&self) -> Option<DateTime<Utc>> {
        self.0.callback_done_at
    }
    /// Whether the device's location kept the case's areas (null: none given, or no
    /// zone on the map).
    async fn location_inside(&self) -> Option<bool> {
        self.0.location_inside
    }
    async fn has_photo(&self) -> bool {
        self.0.photo_key.is_some()
    }
    async fn photo_removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.photo_removed_at
    }
    /// Why the photo is gone (`retention: 28 days after MATCH`).
    async fn photo_removed_reason(&self) -> Option<&str> {
        self.0.photo_removed_reason.as_deref()
    }
    async fn urgency(&self) -> i32 {
        self.0.urgency
    }
    async fn identity(&self) -> Option<IdentityOutcome> {
        self.0.identity
    }
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
    /// The photo (base64), for the officer: each view is audited.
    async fn photo(&self, ctx: &Context<'_>) -> Result<Option<CheckInPhoto>> {
        let st = hamkor_api::graphql::context::state(ctx)?;
        let p = hamkor_api::graphql::context::principal(ctx)?;
        let store =
            crate::storage::current().map_err(|e| hamkor_api::error::ApiError::internal("photo store", e))?;
        Ok(crate::service::review::photo(&st.db, &store, p, self.0.id)
            .await?
            .map(|(content_type, bytes)| CheckInPhoto { content_type, bytes }))
    }
}

/// A check-in photo.
pub struct CheckInPhoto {
    content_type: String,
    bytes: Vec<u8>,
}

#[Object(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl CheckInPhoto {
    async fn content_type(&self) -> &str {
        &self.content_type
    }
    async fn base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }
}
