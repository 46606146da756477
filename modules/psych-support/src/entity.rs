//! The module's tables and enumerations. Enumerations are stored as their GraphQL names.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

hamkor_api::string_enum! {
    #![derive(Serialize, Deserialize)]
    #![serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #![graphql(visible = "crate::psych_visible")]

    /// A practitioner's area of expertise.
    Specialism {
        MotivationalInterviewing,
        /// Cognitive behavioural therapy.
        Cbt,
        FamilyTherapy,
        GroupWork,
        CrisisIntervention,
        Addiction,
        Trauma,
    }

    /// The kind of work a session does (and the support plan counts).
    SessionKind {
        MotivationalInterviewing,
        /// Cognitive behavioural therapy.
        Cbt,
        Family,
        Group,
        Crisis,
    }

    /// One person, or several people together.
    SessionFormat {
        Individual,
        Group,
    }

    /// How the session is held.
    SessionMode {
        InPerson,
        Phone,
        Video,
    }

    /// Whether a person came to a session.
    SessionAttendance {
        Attended,
        /// Came, but late (a reason is required).
        Late,
        /// Did not come (a reason is required).
        DidNotAttend,
    }

    /// How far a goal of the support plan was reached when support ended.
    SupportGoalOutcome {
        Achieved,
        Partly,
        NotAchieved,
    }

    /// How soon the referring agency asks for a first session.
    Urgency {
        Routine,
        Soon,
        Urgent,
    }

    /// The severity band of a screening total.
    ScreeningBand {
        Minimal,
        Mild,
        Moderate,
        /// PHQ-9 only (15–19).
        ModeratelySevere,
        Severe,
    }

    /// What a practitioner tag records.
    TagKind {
        Specialism,
        Language,
    }
}

/// A standard screening questionnaire.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[graphql(name = "ScreeningInstrument", visible = "crate::psych_visible")]
pub enum Instrument {
    /// Patient Health Questionnaire (depression): 9 items, total 0–27.
    #[sea_orm(string_value = "PHQ9")]
    #[graphql(name = "PHQ9")]
    #[serde(rename = "PHQ9")]
    Phq9,
    /// Generalised Anxiety Disorder scale: 7 items, total 0–21.
    #[sea_orm(string_value = "GAD7")]
    #[graphql(name = "GAD7")]
    #[serde(rename = "GAD7")]
    Gad7,
}

pub mod practitioner {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_practitioners")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub organisation_id: i64,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod practitioner_tag {
    use sea_orm::entity::prelude::*;

    use super::TagKind;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_practitioner_tags")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub practitioner_id: i64,
        pub organisation_id: i64,
        pub tag_kind: TagKind,
        /// A specialism's name, or a language code (`uz`, `ru`, `kaa`).
        pub code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod support {
    use sea_orm::entity::prelude::*;

    /// The provider's work on one referral.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_supports")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub referral_id: i64,
        pub case_id: i64,
        pub person_id: i64,
        /// The provider organisation (the referral's recipient).
        pub organisation_id: i64,
        pub practitioner_id: Option<i64>,
        pub shared_summary: Option<String>,
        pub shared_summary_at: Option<DateTimeUtc>,
        pub urgent_flag_at: Option<DateTimeUtc>,
        pub plan_review_suggested: bool,
        pub closing_summary: Option<String>,
        pub closed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod plan_item {
    use sea_orm::entity::prelude::*;

    use super::SessionKind;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_plan_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub support_id: i64,
        pub kind: SessionKind,
        pub sessions: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod plan_goal {
    use sea_orm::entity::prelude::*;

    use super::SupportGoalOutcome;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_plan_goals")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub support_id: i64,
        pub description: String,
        pub outcome: Option<SupportGoalOutcome>,
        pub outcome_note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    use super::{SessionFormat, SessionKind, SessionMode};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub organisation_id: i64,
        /// The provider's own reference (unique within it).
        pub external_id: Option<String>,
        pub practitioner_id: i64,
        pub format: SessionFormat,
        pub kind: SessionKind,
        pub mode: SessionMode,
        pub place: Option<String>,
        pub starts_at: DateTimeUtc,
        pub duration_minutes: i32,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl hamkor_api::module::kit::external_id::ExternalIdRecord for Entity {
        const TYPE_NAME: &'static str = "PsychSession";
        const ACTION: &'static str = "psych.session.set_external_id";
        const OWNER: Column = Column::OrganisationId;
        const EXTERNAL_ID: Column = Column::ExternalId;
    }
}

pub mod participant {
    use sea_orm::entity::prelude::*;

    use super::SessionAttendance;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_session_participants")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub session_id: i64,
        pub support_id: i64,
        pub referral_id: i64,
        pub case_id: i64,
        pub attendance: Option<SessionAttendance>,
        pub attendance_reason: Option<String>,
        pub attendance_recorded_at: Option<DateTimeUtc>,
        pub attendance_recorded_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod reschedule {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_session_reschedules")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub session_id: i64,
        pub from_starts_at: DateTimeUtc,
        pub to_starts_at: DateTimeUtc,
        pub reason: String,
        pub rescheduled_by: i64,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod note {
    use sea_orm::entity::prelude::*;

    /// A confidential note: only the provider's practitioners ever read `body`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_notes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub support_id: i64,
        pub session_id: Option<i64>,
        pub case_id: i64,
        pub organisation_id: i64,
        pub author_user_id: i64,
        pub body: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod screening {
    use sea_orm::entity::prelude::*;

    use super::{Instrument, ScreeningBand};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "psych_screenings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub support_id: i64,
        pub person_id: i64,
        pub case_id: i64,
        pub organisation_id: i64,
        pub instrument: Instrument,
        /// The item answers, in order (0–3 each).
        #[sea_orm(column_type = "JsonBinary")]
        pub items: Json,
        pub total: i32,
        pub band: ScreeningBand,
        pub safety_flag: bool,
        pub plan_review_suggested: bool,
        pub administered_at: DateTimeUtc,
        pub recorded_by: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
