//! Shorthands for a module's migrations: a foreign key declared with its table (SQLite
//! cannot add one later) and an index named after its table and columns.

use sea_orm_migration::prelude::*;

/// `table.col` references `to.id`; deleting the referenced row is refused.
pub fn foreign_key(table: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(table), Alias::new(col))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

/// An index `idx_<table>_<cols>` (unique when asked).
pub fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("idx_{table}_{}", cols.join("_")))
        .table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    idx.take()
}

/// Add `external_id` (a partner's own reference, see [`crate::external_id`]) to `table`,
/// unique among the rows of one owning organisation (`owner`); any number of rows may
/// have none.
pub async fn add_external_id(manager: &SchemaManager<'_>, table: &str, owner: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(
                    ColumnDef::new(Alias::new("external_id"))
                        .string_len(crate::external_id::MAX_LEN as u32)
                        .null(),
                )
                .take(),
        )
        .await?;
    manager
        .create_index(index(table, &[owner, "external_id"], true))
        .await
}

/// A module migration that adds external ids to some of its tables, each owned through
/// its `organisation_id`.
pub struct AddExternalIds {
    /// The migration's name (`m<date>_<n>_<module>_external_ids`).
    pub name: &'static str,
    pub tables: &'static [&'static str],
}

impl MigrationName for AddExternalIds {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddExternalIds {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in self.tables {
            add_external_id(manager, table, "organisation_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in self.tables {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("idx_{table}_organisation_id_external_id"))
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(*table))
                        .drop_column(Alias::new("external_id"))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
