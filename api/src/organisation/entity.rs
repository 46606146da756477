//! The `organisations` table.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// What an organisation is; it decides which roles its users may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum OrganisationKind {
    /// The probation service (owns cases).
    ProbationService,
    /// Internal-affairs bodies (prevention inspectors).
    InternalAffairs,
    /// A mahalla committee (the "seven").
    MahallaCommittee,
    /// A state employment centre.
    EmploymentCentre,
    /// A health institution.
    Health,
    /// A school, college or other education provider.
    Education,
    /// A non-governmental organisation.
    Ngo,
    /// Anything else, including the platform operator.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: OrganisationKind,
    /// Territory served: the finest level set, with its parents (all empty: national).
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
    pub mahalla_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
