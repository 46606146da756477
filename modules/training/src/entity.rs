//! The training module's tables and enumerations.

pub use hamkor_api::module::kit::enums::enum_name;

hamkor_api::string_enum! {
    #![graphql(visible = "crate::training_visible")]

    /// What a course teaches.
    TrainingTopic {
        /// Psychological counselling of the people supervised.
        PsychologicalCounselling,
        /// Motivational interviewing (substance use, ambivalence about change).
        MotivationalInterviewing,
        /// Techniques of social reintegration: work, housing, family.
        SocialReintegration,
        /// Mediation between the person, the family and the neighbourhood.
        Mediation,
        /// The law of the sentence and of prevention.
        LegalBasics,
        /// Stress resilience of the staff themselves.
        StressResilience,
        Communication,
        Other,
    }

    /// How a course is taught.
    TrainingFormat {
        InPerson,
        Online,
        /// Partly in person, partly online.
        Blended,
    }

    /// Where a learner's place in a session stands.
    ///
    /// ```text
    /// WAITLISTED ─▶ ENROLLED ─▶ PASSED | FAILED
    ///      └──────────┴──────▶ CANCELLED
    /// ```
    TrainingEnrolmentStatus {
        /// Holds one of the session's seats.
        Enrolled,
        /// Waiting for a seat; promoted in order when one is freed.
        Waitlisted,
        /// Withdrawn before the assessment (frees the seat).
        Cancelled,
        /// Assessed and passed: a certificate was issued.
        Passed,
        /// Assessed and failed.
        Failed,
    }
}

impl TrainingEnrolmentStatus {
    /// Whether an enrolment in this status holds one of its session's seats.
    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Enrolled | Self::Passed | Self::Failed)
    }
}

pub mod course {
    use super::{TrainingFormat, TrainingTopic};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_courses")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The organisation that publishes it (an academy, a university, an NGO).
        pub organisation_id: i64,
        pub title: String,
        pub topic: TrainingTopic,
        /// Roles the course is for, comma-separated names (`PREVENTION_INSPECTOR`).
        pub audience_roles: String,
        /// Mahalla seats the course is for, comma-separated names (`CHAIR`).
        pub audience_seats: String,
        pub format: TrainingFormat,
        pub hours: i32,
        /// ISO 639-1 code (uz, ru, kaa …).
        pub language: String,
        /// Months a certificate of the course stays valid; null when it never expires.
        pub validity_months: Option<i32>,
        pub description: Option<String>,
        pub active: bool,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub course_id: i64,
        /// The course's organisation (whose staff run the session).
        pub organisation_id: i64,
        pub starts_on: Date,
        pub ends_on: Date,
        pub place: Option<String>,
        pub link: Option<String>,
        pub trainer: String,
        pub capacity: i32,
        /// Seats held by ENROLLED, PASSED and FAILED enrolments; changed only by a
        /// conditional update, so it never exceeds `capacity`.
        pub seats_taken: i32,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod enrolment {
    use super::TrainingEnrolmentStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_enrolments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub session_id: i64,
        pub course_id: i64,
        /// The provider (the course's organisation).
        pub organisation_id: i64,
        /// The learner and their organisation.
        pub user_id: i64,
        pub learner_organisation_id: i64,
        pub status: TrainingEnrolmentStatus,
        /// Assessment score, 0–100.
        pub score: Option<i32>,
        pub enrolled_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attendance {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_attendance")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub on_date: Date,
        pub present: bool,
        pub recorded_by: i64,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod certificate {
    use super::TrainingTopic;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_certificates")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub course_id: i64,
        /// The course's topic (what the casework suggestions ask about).
        pub topic: TrainingTopic,
        pub user_id: i64,
        pub learner_organisation_id: i64,
        /// Unique across the platform.
        pub number: String,
        pub issued_on: Date,
        /// Null when the course's certificates never expire.
        pub expires_on: Option<Date>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod requirement {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_requirements")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The organisation that states it.
        pub organisation_id: i64,
        pub course_id: i64,
        /// The role of the organisation's users that must hold the course (a name), or
        pub role: Option<String>,
        /// the mahalla seat, in the organisation's territory, that must hold it.
        pub seat: Option<String>,
        /// Renewed every so many months (null: once is enough, unless the certificate
        /// itself expires).
        pub renew_months: Option<i32>,
        pub active: bool,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod reminder {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_reminders")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub certificate_id: i64,
        /// The learner reminded; their organisation's admins see it too.
        pub user_id: i64,
        pub learner_organisation_id: i64,
        pub expires_on: Date,
        /// Certificate and expiry: one reminder per certificate expiry.
        pub dedup_key: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
