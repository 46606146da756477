//! The remote check-in module's tables and enumerations.

pub use hamkor_api::module::kit::enums::enum_name;

hamkor_api::string_enum! {
    #![graphql(visible = "crate::remote_check_in_visible")]

    /// The language the person reads their messages and questions in.
    CheckInLanguage {
        /// Uzbek in Latin script.
        UzLatn,
        /// Uzbek in Cyrillic script.
        UzCyrl,
        Ru,
    }

    /// Where an enrolment stands.
    CheckInEnrolmentStatus {
        /// Enrolled: the activation code is out, or a device is active.
        Active,
        /// Revoked by the officer, or replaced by a new enrolment.
        Revoked,
    }

    /// Where one scheduled check-in stands.
    ///
    /// ```text
    /// SCHEDULED ─▶ SUBMITTED ─▶ REVIEWED
    ///     └──────▶ EXPIRED (window and grace period passed)
    /// ```
    CheckInStatus {
        Scheduled,
        Submitted,
        Reviewed,
        Expired,
        /// The enrolment ended before it was due.
        Cancelled,
    }

    /// How the person says they are.
    Wellbeing {
        VeryWell,
        Well,
        Okay,
        NotGreat,
        Struggling,
    }

    /// What the person may ask support with.
    SupportNeed {
        Housing,
        Money,
        WorkOrStudy,
        Health,
        AlcoholOrDrugs,
        Family,
        Other,
    }

    /// The officer's judgement of the photo against the person.
    IdentityOutcome {
        Match,
        NoMatch,
        Concern,
    }

    /// Why a message was sent.
    MessagePurpose {
        ActivationCode,
        WindowOpen,
        WindowClosing,
    }

    /// Where a message stands in its delivery.
    MessageStatus {
        Queued,
        Sent,
        Failed,
    }
}

impl CheckInLanguage {
    /// The BCP 47 tag (`uz-Latn`, `uz-Cyrl`, `ru`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::UzLatn => "uz-Latn",
            Self::UzCyrl => "uz-Cyrl",
            Self::Ru => "ru",
        }
    }
}

pub mod enrolment {
    use super::{CheckInEnrolmentStatus, CheckInLanguage};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rci_enrolments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The probation service of the case.
        pub organisation_id: i64,
        pub case_id: i64,
        pub person_id: i64,
        /// The person's own account (`users.kind = SUPERVISED_PERSON`).
        pub user_id: i64,
        pub phone: String,
        pub language: CheckInLanguage,
        /// Every so many days, or else on one weekday (1 = Monday … 7 = Sunday).
        pub every_days: Option<i32>,
        pub weekday: Option<i32>,
        /// How long a check-in's window stays open.
        pub window_hours: i32,
        pub first_due_at: DateTimeUtc,
        /// Plan goals the officer shares with the person, comma-separated ids.
        pub shared_goal_ids: String,
        pub status: CheckInEnrolmentStatus,
        pub enrolled_by: i64,
        pub created_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod activation_code {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rci_activation_codes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        /// SHA-256 of the enrolment id and the code: the code itself is never stored.
        pub code_hash: String,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
        /// Wrong codes or birth dates tried against it; at the limit it is spent.
        pub failed_attempts: i32,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod device {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rci_devices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        /// The login session its tokens belong to (revoking the device ends it).
        pub session_id: i64,
        /// The app's own identifier of the device.
        pub device_id: String,
        pub created_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod check_in {
    use super::{CheckInStatus, IdentityOutcome, Wellbeing};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "rci_check_ins")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub organisation_id: i64,
        pub case_id: i64,
        pub opens_at: DateTimeUtc,
        pub closes_at: DateTimeUtc,
        pub status: CheckInStatus,
        /// The client's id of the submission: a retry finds the check-in it made.
        pub submission_id: Option<String>,
        pub submitted_at: Option<DateTimeUtc>,
        /// The answers as given (`{questionId: value}`), validated.
        pub answers: Option<Json>,
        pub wellbeing: Option<Wellbeing>,
        /// Support needs named, comma-separated `SupportNeed` names.
        pub support_needs: String,
        pub callback_requested: bool,
        pub callback_done_at: Option<DateTimeUtc>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        /// Whether the location lay inside the case's areas (none: no location or areas).
        pub location_inside: Option<bool>,
        pub photo_key: Option<String>,
        pub photo_content_type: Option<String>,
        pub photo_bytes: Option<i64>,
        pub photo_removed_at: Option<DateTimeUtc>,
        pub photo_removed_reason: Option<String>,
        /// Higher first in the review queue.
        pub urgency: i32,
        pub identity: Option<IdentityOutcome>,
        pub review_note: Option<String>,
        pub reviewed_by: Option<i64>,
        pub reviewed_at: Option<DateTimeUtc>,
        pub opening_reminded_at: Option<DateTimeUtc>,
        pub closing_reminded_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod message {
    use super::{CheckInLanguage, MessagePurpose, MessageStatus};
    use sea_orm::entity::prelude::*;

    /// The outbox of messages to the person and their delivery log.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rci_messages")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub phone: String,
        pub language: CheckInLanguage,
        pub purpose: MessagePurpose,
        pub body: String,
        /// The notifier that delivered it (`outbox`, `http`, `capture`).
        pub adapter: String,
        pub status: MessageStatus,
        pub attempts: i32,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod photo_upload {
    use sea_orm::entity::prelude::*;

    /// An uploaded photo: attached to the check-in that named it, or an orphan the sweep
    /// removes after the organisation's `orphanPhotoHours`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rci_photo_uploads")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub object_key: String,
        pub bytes: i64,
        pub uploaded_at: DateTimeUtc,
        /// The submitted check-in that named it (none: not attached yet).
        pub check_in_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
