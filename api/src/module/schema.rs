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
