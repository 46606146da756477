//! A zone on the map on a case condition: a curfew's home zone, an area to stay within
//! or out of (GeoJSON; a circle as `{"type": "Circle", "coordinates": [lon, lat],
//! "radiusM": r}`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::json_binary_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseConditions {
    Table,
    Geofence,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CaseConditions::Table)
                    .add_column(json_binary_null(CaseConditions::Geofence))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CaseConditions::Table)
                    .drop_column(CaseConditions::Geofence)
                    .take(),
            )
            .await
    }
}
