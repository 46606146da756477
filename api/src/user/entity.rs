//! Users, their roles and their territorial scope.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// A role; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Role {
    /// Manages organisations, territories and the module catalogue; sees no case content.
    PlatformAdmin,
    /// Manages the users of their own organisation.
    OrgAdmin,
    /// Owns cases of their organisation and territory.
    ProbationOfficer,
    /// Supervises the cases of their mahallas (home visits, check-ins, violations).
    PreventionInspector,
    /// A member of a mahalla's "seven": sees their own mahalla's cases, within limits.
    MahallaMember,
    /// Staff of a partner organisation (employment, health, education, NGO).
    PartnerStaff,
    /// Reads the audit log, never case content.
    Auditor,
}

/// A person who logs in, or a machine client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum UserKind {
    /// A person with a username and password.
    Person,
    /// A machine client with a client id and secret.
    ServiceAccount,
    /// A person under supervision using their own app: bound to one person record by
    /// the module that enrolled them, signed in through a device session (never with a
    /// password), holding no roles and no territory. The GraphQL gate
    /// (`graphql::self_service`) lets them reach only the fields modules allow.
    SupervisedPerson,
}

pub mod user {
    use super::UserKind;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub organisation_id: i64,
        pub username: String,
        pub display_name: String,
        pub kind: UserKind,
        pub password_hash: Option<String>,
        pub client_id: Option<String>,
        pub client_secret_hash: Option<String>,
        /// A service account's secret before its last rotation, valid until
        /// `previous_secret_until`.
        pub previous_secret_hash: Option<String>,
        pub previous_secret_until: Option<DateTimeUtc>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user_role {
    use super::Role;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role: Role,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user_territory {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_territories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub region_id: Option<i64>,
        pub district_id: Option<i64>,
        pub mahalla_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
