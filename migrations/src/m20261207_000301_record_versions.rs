//! A version on every record a field user can change (appointments and check-ins, case
//! notes, mahalla tasks, programme activities): each change increments it, so a client
//! that started from an older version is told instead of overwriting.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Appointments {
    Table,
}

#[derive(DeriveIden)]
enum CaseNotes {
    Table,
}

#[derive(DeriveIden)]
enum MahallaTasks {
    Table,
}

#[derive(DeriveIden)]
enum ProgrammeActivities {
    Table,
}

#[derive(DeriveIden)]
enum Versioned {
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One ALTER per table: SQLite takes one change per statement. Existing rows
        // start at version 1, as a new row does.
        let tables: [DynIden; 4] = [
            Appointments::Table.into_iden(),
            CaseNotes::Table.into_iden(),
            MahallaTasks::Table.into_iden(),
            ProgrammeActivities::Table.into_iden(),
        ];
        for table in tables {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(Versioned::Version).integer().not_null().default(1))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
