//! The `persons` table: people under supervision.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Sex {
    Male,
    Female,
}

/// Family situation, as recorded by the probation officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum FamilyStatus {
    Single,
    Married,
    Divorced,
    Widowed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pinfl: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: Date,
    pub sex: Option<Sex>,
    pub mahalla_id: i64,
    pub district_id: i64,
    pub region_id: i64,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Language codes (JSON array of strings).
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: Json,
    pub family_status: Option<FamilyStatus>,
    pub dependants: Option<i32>,
    /// The organisation that registered the person.
    pub organisation_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// "Last First Patronymic".
    pub fn full_name(&self) -> String {
        match &self.patronymic {
            Some(p) => format!("{} {} {}", self.last_name, self.first_name, p),
            None => format!("{} {}", self.last_name, self.first_name),
        }
    }
}
