//! The employment module's tables and enumerations.

pub use hamkor_api::module::kit::enums::enum_name;
pub use hamkor_api::person::education::EducationLevel;

hamkor_api::string_enum! {
    #![graphql(visible = "crate::employment_visible")]

    /// Whether an employer hires people with a criminal record.
    Openness {
        Yes,
        /// Looks at each person.
        CaseByCase,
        /// Never: its vacancies are not offered to people under supervision.
        No,
    }

    /// Where a vacancy stands.
    VacancyStatus {
        /// Being prepared; not offered.
        Draft,
        /// Offered between its open and close dates while seats remain.
        Open,
        /// Every seat filled.
        Filled,
        Closed,
    }

    /// How ready a person is to start work.
    WorkReadiness {
        /// Not able to work now (health, care duties, …).
        NotReady,
        /// Working on barriers (documents, training).
        Preparing,
        /// Ready to start.
        Ready,
        /// In work.
        Employed,
    }

    /// What stands between a person and work.
    Barrier {
        /// Missing passport, work record book, diploma.
        Documents,
        Health,
        Transport,
        Childcare,
        Housing,
        Debt,
        Literacy,
        Other,
    }

    /// Where an application stands.
    ///
    /// ```text
    /// APPLIED ─▶ INTERVIEW ─▶ OFFERED ─▶ HIRED
    ///    └──────────┴───────────┴─▶ REJECTED | WITHDRAWN
    /// ```
    ApplicationStatus {
        Applied,
        Interview,
        Offered,
        Hired,
        /// The employer said no.
        Rejected,
        /// The person (or the counsellor for them) withdrew.
        Withdrawn,
    }

    /// What a retention check found.
    RetentionOutcome {
        /// Still in the job.
        Employed,
        /// Left or lost the job.
        NotEmployed,
        /// Could not be reached; checked again later.
        Unreachable,
    }
}

impl Barrier {
    /// The barrier of a stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        use sea_orm::Iterable;
        Self::iter().find(|b| enum_name(*b) == name)
    }
}

impl ApplicationStatus {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Hired | Self::Rejected | Self::Withdrawn)
    }
}

pub mod employer {
    use super::Openness;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_employers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The organisation that registered and maintains it.
        pub organisation_id: i64,
        /// When the employer is itself an organisation on the platform.
        pub linked_organisation_id: Option<i64>,
        pub name: String,
        pub contact_name: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub region_id: i64,
        pub district_id: i64,
        pub openness: Openness,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod vacancy {
    use super::{EducationLevel, Openness, VacancyStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_vacancies")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub employer_id: i64,
        /// The organisation that published it.
        pub organisation_id: i64,
        /// The publisher's own reference (unique within it).
        pub external_id: Option<String>,
        pub title: String,
        /// ISCO-08 unit group (4 digits).
        pub occupation_code: String,
        /// Its first two digits (sub-major group), for near matches.
        pub occupation_group: String,
        pub min_education: Option<EducationLevel>,
        pub region_id: i64,
        pub district_id: i64,
        pub mahalla_id: Option<i64>,
        /// Shift hours, minutes after midnight (a night shift ends the next day); null
        /// for flexible hours.
        pub shift_start_minute: Option<i32>,
        pub shift_end_minute: Option<i32>,
        /// Work days, a bit per weekday (Monday = 1 … Sunday = 64).
        pub days: i32,
        pub wage_min_uzs: Option<i64>,
        pub wage_max_uzs: Option<i64>,
        pub seats: i32,
        pub seats_filled: i32,
        pub opens_on: Date,
        pub closes_on: Option<Date>,
        pub status: VacancyStatus,
        /// The employer's openness, copied so that matching reads one table.
        pub openness: Openness,
        /// 2 × required skills + preferred skills: the denominator of skill overlap.
        pub skill_weight: i32,
        pub description: Option<String>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl hamkor_api::module::kit::external_id::ExternalIdRecord for Entity {
        const TYPE_NAME: &'static str = "Vacancy";
        const ACTION: &'static str = "employment.vacancy.set_external_id";
        const OWNER: Column = Column::OrganisationId;
        const EXTERNAL_ID: Column = Column::ExternalId;
    }
}

pub mod vacancy_skill {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_vacancy_skills")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub vacancy_id: i64,
        /// Normalised skill name (lower case, single spaces).
        pub skill: String,
        pub required: bool,
        /// The vacancy's region and district (copied for matching).
        pub region_id: i64,
        pub district_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod profile {
    use super::{EducationLevel, WorkReadiness};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_profiles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub education: Option<EducationLevel>,
        pub readiness: WorkReadiness,
        /// ISCO-08 codes the person wants to work in.
        pub desired_occupations: Json,
        pub languages: Json,
        /// `Barrier` names.
        pub barriers: Json,
        /// `[{employer, title, from, until}]`.
        pub work_history: Json,
        pub updated_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod profile_skill {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_profile_skills")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub profile_id: i64,
        pub skill: String,
        /// 1 (beginner) to 5 (expert).
        pub level: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod application {
    use super::ApplicationStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_applications")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub referral_id: i64,
        pub case_id: i64,
        pub vacancy_id: i64,
        /// The organisation working the referral.
        pub organisation_id: i64,
        /// That organisation's own reference (unique within it).
        pub external_id: Option<String>,
        pub status: ApplicationStatus,
        pub note: Option<String>,
        pub start_date: Option<Date>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl hamkor_api::module::kit::external_id::ExternalIdRecord for Entity {
        const TYPE_NAME: &'static str = "JobApplication";
        const ACTION: &'static str = "employment.application.set_external_id";
        const OWNER: Column = Column::OrganisationId;
        const EXTERNAL_ID: Column = Column::ExternalId;
    }
}

pub mod application_transition {
    use super::ApplicationStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_application_transitions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub application_id: i64,
        pub from_status: Option<ApplicationStatus>,
        pub to_status: ApplicationStatus,
        pub note: Option<String>,
        pub actor_user_id: i64,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod retention {
    use super::RetentionOutcome;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employment_retention_checks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub application_id: i64,
        pub case_id: i64,
        /// 30, 90 or 180 days after the start.
        pub day: i32,
        pub due_on: Date,
        pub outcome: Option<RetentionOutcome>,
        pub checked_on: Option<Date>,
        pub note: Option<String>,
        pub recorded_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
