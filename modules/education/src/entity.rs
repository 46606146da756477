//! The education module's tables and enumerations.

pub use hamkor_api::module::kit::enums::enum_name;
pub use hamkor_api::person::education::EducationLevel;

hamkor_api::string_enum! {
    #![graphql(visible = "crate::education_visible")]

    /// What a programme teaches.
    ProgrammeKind {
        /// A trade or vocational course (welding, sewing, driving, IT).
        Vocational,
        /// Reading and writing.
        Literacy,
        /// Finishing general secondary school.
        SchoolCompletion,
        /// The person's rights and obligations, the law of their sentence.
        LegalEducation,
        HigherEducation,
        Other,
    }

    /// Where an enrolment stands.
    ///
    /// ```text
    /// APPLIED ─▶ ENROLLED ─▶ ATTENDING ─▶ COMPLETED
    ///    │  ╲        │            └──────▶ DROPPED_OUT
    ///    │   ▶ WAITLISTED ─▶ ENROLLED      ▲
    ///    ▼           │         └───────────┘ (ENROLLED ─▶ DROPPED_OUT)
    /// REJECTED ◀─────┘
    /// ```
    EnrolmentStatus {
        /// The provider has the application and has not decided.
        Applied,
        /// A seat is held for the person.
        Enrolled,
        /// Eligible, waiting for a seat.
        Waitlisted,
        /// Not admitted (see `reason`).
        Rejected,
        /// Taking part in classes.
        Attending,
        /// Finished, with a result.
        Completed,
        /// Stopped taking part (see `reason`).
        DroppedOut,
    }

    /// Why an application was rejected.
    RejectionReason {
        /// The person does not meet the programme's age or education requirements.
        NotEligible,
        /// No seat, and no waiting list.
        NoSeats,
        /// The schedule or place conflicts with the sentence's conditions.
        ConditionsConflict,
        /// The person declined the place.
        PersonDeclined,
        Other,
    }

    /// Why a person stopped taking part.
    DropOutReason {
        /// The person chose to stop.
        PersonWithdrew,
        /// Absent too often to continue.
        NonAttendance,
        /// New sentence conditions (curfew, area) made attendance impossible.
        ConditionsChanged,
        /// Health or family circumstances.
        Circumstances,
        /// Found work that clashes with the classes.
        Employment,
        Other,
    }

    /// The result of a completed programme.
    CompletionResult {
        /// Assessed and passed.
        Passed,
        /// Assessed and failed.
        Failed,
        /// Attended to the end; the programme has no assessment.
        AttendedWithoutAssessment,
    }

    /// What one attendance entry covers.
    AttendancePeriod {
        /// One class.
        Class,
        /// One week of classes (starting on `on`).
        Week,
    }

    /// Attendance at a class or over a week.
    AttendanceStatus {
        Present,
        Late,
        Absent,
        /// Absent for an accepted reason: neither counted nor breaking a run of absences.
        Excused,
    }
}

impl EnrolmentStatus {
    /// A status no transition leaves.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Completed | Self::DroppedOut)
    }

    /// Whether an enrolment in this status holds one of its intake's seats.
    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Enrolled | Self::Attending | Self::Completed)
    }
}

pub mod programme {
    use super::{EducationLevel, ProgrammeKind};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "education_programmes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The provider.
        pub organisation_id: i64,
        /// The provider's own reference (unique within it).
        pub external_id: Option<String>,
        pub title: String,
        pub kind: ProgrammeKind,
        /// Subject or trade taught.
        pub subject: String,
        /// Language of teaching (ISO 639-1: uz, ru, kk, tg, kaa, en).
        pub language: String,
        pub description: Option<String>,
        pub remote: bool,
        pub region_id: Option<i64>,
        pub district_id: Option<i64>,
        pub mahalla_id: Option<i64>,
        pub address: Option<String>,
        /// Class days, a bit per weekday (Monday = 1 … Sunday = 64); 0 when self-paced.
        pub days: i32,
        /// Class hours, minutes after midnight; both null when self-paced.
        pub start_minute: Option<i32>,
        pub end_minute: Option<i32>,
        pub duration_weeks: i32,
        pub min_age: Option<i32>,
        pub max_age: Option<i32>,
        pub min_education: Option<EducationLevel>,
        /// Cost to the person in so'm; 0 when free.
        pub cost_uzs: i64,
        /// The certificate awarded on passing, if any.
        pub certificate: Option<String>,
        pub active: bool,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl hamkor_api::module::kit::external_id::ExternalIdRecord for Entity {
        const TYPE_NAME: &'static str = "EducationProgramme";
        const ACTION: &'static str = "education.programme.set_external_id";
        const OWNER: Column = Column::OrganisationId;
        const EXTERNAL_ID: Column = Column::ExternalId;
    }
}

pub mod intake {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "education_intakes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub programme_id: i64,
        pub starts_on: Date,
        pub ends_on: Option<Date>,
        pub seats: i32,
        /// Seats held by ENROLLED, ATTENDING and COMPLETED enrolments; changed only by a
        /// conditional update, so it never exceeds `seats`.
        pub seats_taken: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod enrolment {
    use super::{CompletionResult, EducationLevel, EnrolmentStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "education_enrolments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub referral_id: i64,
        pub case_id: i64,
        pub programme_id: i64,
        pub intake_id: i64,
        /// The provider (the referral's recipient).
        pub organisation_id: i64,
        /// The provider's own reference (unique within it).
        pub external_id: Option<String>,
        pub status: EnrolmentStatus,
        /// The reason of the last rejection or drop-out (an enumeration name).
        pub reason: Option<String>,
        pub note: Option<String>,
        pub prior_education: Option<EducationLevel>,
        pub consecutive_absences: i32,
        pub absence_alert_open: bool,
        pub result: Option<CompletionResult>,
        pub certificate_number: Option<String>,
        pub certificate_date: Option<Date>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub closed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl hamkor_api::module::kit::external_id::ExternalIdRecord for Entity {
        const TYPE_NAME: &'static str = "EducationEnrolment";
        const ACTION: &'static str = "education.enrolment.set_external_id";
        const OWNER: Column = Column::OrganisationId;
        const EXTERNAL_ID: Column = Column::ExternalId;
    }
}

pub mod transition {
    use super::EnrolmentStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "education_enrolment_transitions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub from_status: Option<EnrolmentStatus>,
        pub to_status: EnrolmentStatus,
        pub reason: Option<String>,
        pub note: Option<String>,
        pub actor_user_id: i64,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attendance {
    use super::{AttendancePeriod, AttendanceStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "education_attendance")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: i64,
        pub on_date: Date,
        pub period: AttendancePeriod,
        pub status: AttendanceStatus,
        pub note: Option<String>,
        pub recorded_by: i64,
        pub recorded_at: DateTimeUtc,
        /// Incremented by every correction.
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
