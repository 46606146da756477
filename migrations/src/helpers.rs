//! Column and constraint shorthands shared by the core's migrations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

/// A 64-bit auto-increment primary key (`bigserial`/identity on PostgreSQL,
/// `INTEGER PRIMARY KEY AUTOINCREMENT` on SQLite).
pub fn id<T: IntoIden>(name: T) -> ColumnDef {
    schema::big_pk_auto(name)
}

/// A non-null reference column.
pub fn fk<T: IntoIden>(name: T) -> ColumnDef {
    schema::big_integer(name)
}

/// A nullable reference column.
pub fn fk_null<T: IntoIden>(name: T) -> ColumnDef {
    schema::big_integer_null(name)
}

/// Short enumeration values are stored as strings: portable across backends and readable in SQL.
pub fn enum_str<T: IntoIden>(name: T) -> ColumnDef {
    schema::string_len(name, 32)
}

pub fn enum_str_null<T: IntoIden>(name: T) -> ColumnDef {
    schema::string_len_null(name, 32)
}

pub fn ts<T: IntoIden>(name: T) -> ColumnDef {
    schema::timestamp_with_time_zone(name)
}

pub fn ts_null<T: IntoIden>(name: T) -> ColumnDef {
    schema::timestamp_with_time_zone_null(name)
}

/// A foreign key declared with its table (SQLite cannot add one later).
pub fn foreign(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, Alias::new("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

/// A (possibly composite, possibly unique) index named after its table and columns.
pub fn index(table: impl IntoIden, name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    idx.take()
}
