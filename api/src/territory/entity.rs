//! Territory tables: regions, districts, mahallas.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// Kind of a district-level unit in the national classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum DistrictKind {
    /// A rural district (tuman).
    District,
    /// A district-level city (shahar).
    City,
    /// A district of a city (e.g. of Tashkent).
    CityDistrict,
}

pub mod region {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "regions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub soato: String,
        pub name_uz: String,
        pub name_ru: Option<String>,
        pub name_en: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod district {
    use super::DistrictKind;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "districts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub region_id: i64,
        pub soato: String,
        pub kind: DistrictKind,
        pub name_uz: String,
        pub name_ru: Option<String>,
        pub name_en: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod mahalla {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mahallas")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub district_id: i64,
        pub region_id: i64,
        pub name: String,
        pub code: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
