//! Tables of the mahalla's work: the seven's roster, prevention programmes and their
//! activities, tasks for the seven on a case, joint case conferences.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// A seat in a mahalla's "seven".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "MahallaSubRole")]
pub enum SubRole {
    /// The chair of the mahalla committee.
    Chair,
    /// The prevention inspector of the internal-affairs bodies serving the mahalla.
    PreventionInspector,
    /// The women's activist (works with families and women).
    WomensActivist,
    /// The youth leader.
    YouthLeader,
    /// The representative for religious affairs and enlightenment.
    ReligiousAffairs,
    /// The member of the elders' (nuroniylar) council.
    EldersCouncil,
    /// The education representative.
    EducationRep,
}

/// What a prevention programme activity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "ProgrammeActivityKind")]
pub enum ActivityKind {
    FamilyVisit,
    CommunityEvent,
    /// A talk on the law and the person's rights and duties.
    LegalEducation,
    JobFair,
    /// Sports and youth work.
    SportsYouth,
    Other,
}

/// Where a programme activity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "ProgrammeActivityStatus")]
pub enum ActivityStatus {
    Planned,
    Done,
    Cancelled,
}

/// Where a task for a member of the seven stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "MahallaTaskStatus")]
pub enum TaskStatus {
    Open,
    Done,
    Cancelled,
}

/// Where a case conference stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "CaseConferenceStatus")]
pub enum ConferenceStatus {
    Scheduled,
    /// Held: attendance, minutes and decisions are recorded.
    Held,
    Cancelled,
}

pub mod member {
    use super::SubRole;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mahalla_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub mahalla_id: i64,
        pub district_id: i64,
        pub region_id: i64,
        pub sub_role: SubRole,
        pub full_name: String,
        pub phone: Option<String>,
        pub user_id: Option<i64>,
        pub starts_on: Date,
        pub ends_on: Option<Date>,
        pub end_reason: Option<String>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod programme {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "prevention_programmes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub mahalla_id: i64,
        pub district_id: i64,
        pub region_id: i64,
        pub title: String,
        pub period_start: Date,
        pub period_end: Date,
        pub objectives: String,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod activity {
    use super::{ActivityKind, ActivityStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "programme_activities")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub programme_id: i64,
        pub kind: ActivityKind,
        pub title: String,
        pub planned_on: Date,
        pub place: Option<String>,
        pub responsible_member_id: Option<i64>,
        pub status: ActivityStatus,
        pub done_on: Option<Date>,
        pub result: Option<String>,
        pub participants: Option<i32>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Incremented by every change (optimistic concurrency, offline sync).
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod activity_case {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "programme_activity_cases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub activity_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub case_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod conference {
    use super::ConferenceStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_conferences")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub mahalla_id: i64,
        pub district_id: i64,
        pub region_id: i64,
        pub title: String,
        pub scheduled_at: DateTimeUtc,
        pub place: Option<String>,
        pub agenda: String,
        pub status: ConferenceStatus,
        pub convened_by: i64,
        pub held_at: Option<DateTimeUtc>,
        pub recorded_by: Option<i64>,
        pub cancel_reason: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod conference_case {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "conference_cases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub conference_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub case_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod participant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "conference_participants")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub conference_id: i64,
        pub user_id: Option<i64>,
        pub member_id: Option<i64>,
        pub attended: Option<bool>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod minute {
    use crate::supervision::entity::NoteVisibility;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "conference_minutes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub conference_id: i64,
        pub case_id: Option<i64>,
        pub visibility: NoteVisibility,
        pub body: String,
        pub written_by: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task {
    use super::TaskStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mahalla_tasks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub mahalla_id: i64,
        pub member_id: i64,
        pub title: String,
        pub details: Option<String>,
        pub due_on: Date,
        pub status: TaskStatus,
        pub outcome: Option<String>,
        pub completed_at: Option<DateTimeUtc>,
        pub completed_by: Option<i64>,
        pub cancel_reason: Option<String>,
        pub assigned_by: i64,
        pub conference_id: Option<i64>,
        pub overdue_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Incremented by every change (optimistic concurrency, offline sync).
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "conference_decisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub conference_id: i64,
        pub case_id: i64,
        pub body: String,
        pub task_id: Option<i64>,
        pub plan_action_id: Option<i64>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
