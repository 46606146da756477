//! Shorthands for a module's migrations. Migrations spell table and column names out
//! (they never import entities, so they keep meaning the same thing when the entities
//! change); these helpers keep that short:
//!
//! - columns: [`id`], [`big`], [`enum_col`], [`ts`], [`text`] and their `_null` forms
//!   (anything else through `sea_orm_migration::schema` with [`a`]);
//! - a table with its foreign keys declared with it (SQLite cannot add one later):
//!   [`table`]; an index named after its table and columns: [`index`], [`indexes`];
//! - external ids on existing tables: [`add_external_id`], [`AddExternalIds`].
//!
//! Migrations that already ran were written with these exact statements: changing what
//! a helper emits changes the schema those migrations stand for. Add a helper instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

/// A table or column name.
pub fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// `id`: the auto-incremented big-integer primary key.
pub fn id() -> ColumnDef {
    schema::big_pk_auto(a("id"))
}

/// A big-integer column (another row's id, an amount), not null.
pub fn big(name: &str) -> ColumnDef {
    schema::big_integer(a(name))
}

/// A big-integer column that may be null.
pub fn big_null(name: &str) -> ColumnDef {
    schema::big_integer_null(a(name))
}

/// An enumeration stored as its name (`String(32)`, see `string_enum!`), not null.
pub fn enum_col(name: &str) -> ColumnDef {
    schema::string_len(a(name), 32)
}

/// An enumeration stored as its name that may be null.
pub fn enum_col_null(name: &str) -> ColumnDef {
    schema::string_len_null(a(name), 32)
}

/// A timestamp with time zone, not null.
pub fn ts(name: &str) -> ColumnDef {
    schema::timestamp_with_time_zone(a(name))
}

/// A timestamp with time zone that may be null.
pub fn ts_null(name: &str) -> ColumnDef {
    schema::timestamp_with_time_zone_null(a(name))
}

/// Unbounded text, not null.
pub fn text(name: &str) -> ColumnDef {
    schema::text(a(name))
}

/// Unbounded text that may be null.
pub fn text_null(name: &str) -> ColumnDef {
    schema::text_null(a(name))
}

/// What deleting a referenced row does to the rows that reference it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// The delete is refused.
    Restrict,
    /// They are deleted with it.
    Cascade,
}

/// `table.col` references `to.id`; deleting the referenced row is refused.
pub fn foreign_key(table: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    foreign_key_with(table, col, to, OnDelete::Restrict)
}

/// `table.col` references `to.id`, with `on_delete`.
pub fn foreign_key_with(table: &str, col: &str, to: &str, on_delete: OnDelete) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(table), a(col))
        .to(a(to), a("id"))
        .on_delete(match on_delete {
            OnDelete::Restrict => ForeignKeyAction::Restrict,
            OnDelete::Cascade => ForeignKeyAction::Cascade,
        })
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

/// A table of `cols`, with its foreign keys `(column, referenced table, on delete)`, in
/// that order.
pub fn table(name: &str, cols: Vec<ColumnDef>, refs: &[(&str, &str, OnDelete)]) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(a(name));
    for mut c in cols {
        t.col(&mut c);
    }
    for (col, to, on_delete) in refs {
        t.foreign_key(&mut foreign_key_with(name, col, to, *on_delete));
    }
    t.take()
}

/// An index `idx_<table>_<cols>` (unique when asked).
pub fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    named_index(table, &format!("idx_{table}_{}", cols.join("_")), cols, unique)
}

/// An index of its own name (unique when asked).
pub fn named_index(table: &str, name: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(a(table));
    for c in cols {
        idx.col(a(c));
    }
    if unique {
        idx.unique();
    }
    idx.take()
}

/// Create the (not unique) [`index`] of each of `sets` of columns of `table`.
pub async fn indexes(manager: &SchemaManager<'_>, table: &str, sets: &[&[&str]]) -> Result<(), DbErr> {
    for cols in sets {
        manager.create_index(index(table, cols, false)).await?;
    }
    Ok(())
}

/// Add `external_id` (a partner's own reference, see [`crate::external_id`]) to `table`,
/// unique among the rows of one owning organisation (`owner`); any number of rows may
/// have none.
pub async fn add_external_id(manager: &SchemaManager<'_>, table: &str, owner: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(a(table))
                .add_column(
                    ColumnDef::new(a("external_id"))
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
                        .table(a(table))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(a(table))
                        .drop_column(a("external_id"))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;

    #[test]
    fn an_index_is_named_after_its_table_and_columns() {
        let sql = index("t", &["a", "b"], true).to_string(SqliteQueryBuilder);
        assert_eq!(sql, r#"CREATE UNIQUE INDEX "idx_t_a_b" ON "t" ("a", "b")"#);
    }

    #[test]
    fn a_table_declares_its_foreign_keys_in_order() {
        let t = table(
            "notes",
            vec![id(), big("case_id"), big_null("user_id"), text("body")],
            &[
                ("case_id", "cases", OnDelete::Cascade),
                ("user_id", "users", OnDelete::Restrict),
            ],
        );
        let sql = t.to_string(PostgresQueryBuilder);
        let cascade = sql.find("ON DELETE CASCADE").expect("cascade");
        let restrict = sql.find("ON DELETE RESTRICT").expect("restrict");
        assert!(cascade < restrict, "{sql}");
        assert!(sql.contains(r#""body" text NOT NULL"#), "{sql}");
    }
}
