//! A partner's own id ("external id") on a record its organisation owns, so that its
//! system can find the record again by its own reference instead of keeping Hamkor's
//! ids. An external id is at most [`MAX_LEN`] characters and unique among the owning
//! organisation's records of one kind (a unique index `(organisation_id, external_id)`
//! on the record's table, added by [`crate::module::schema::add_external_id`]); other
//! organisations may use the same value for their own records.
//!
//! Referrals keep theirs on the receiving side (`referral::service::set_external_id`,
//! which also moves the referral's own state); the modules' records use [`set`]. Every
//! kind is looked up with [`find`].

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Select,
};
use serde_json::json;

use crate::access::require_partner_staff;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::validate;

/// Longest external id.
pub const MAX_LEN: usize = 128;

/// An external id given as an argument to look a record up by (required).
pub fn lookup(field: &str, raw: &str) -> ApiResult<String> {
    validate::required(field, raw, MAX_LEN)
}

/// An external id to set: trimmed, at most [`MAX_LEN`] characters; empty or absent
/// clears it.
pub fn to_set(field: &str, raw: Option<&str>) -> ApiResult<Option<String>> {
    validate::optional(field, raw, MAX_LEN)
}

/// A record kind that carries an external id.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// Its table, with `id`, `organisation_id` (the owner), `external_id` and
    /// `updated_at` columns.
    pub table: &'static str,
    /// Its GraphQL type name (errors and the audit log name it).
    pub type_name: &'static str,
    /// The audit action of a change.
    pub action: &'static str,
}

/// Set (or clear, with `None`) the external id of record `id` of `kind`: for the partner
/// staff of the organisation that owns it. `visible` is the condition of the records
/// the caller may see (on the kind's table): one outside it does not exist for them
/// (NOT_FOUND), one inside that their organisation does not own is FORBIDDEN. Audited;
/// a value another record of the same organisation and kind holds answers CONFLICT.
pub async fn set(
    db: &DatabaseConnection,
    p: &Principal,
    kind: Kind,
    id: i64,
    raw: Option<&str>,
    visible: Condition,
) -> ApiResult<()> {
    let external_id = to_set("externalId", raw)?;
    let txn = write_txn(db).await?;
    let table = Alias::new(kind.table);
    let owner = Query::select()
        .column(Alias::new("organisation_id"))
        .from(table.clone())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .cond_where(visible)
        .to_owned();
    let row = txn
        .query_one(&owner)
        .await?
        .ok_or(ApiError::NotFound(kind.type_name))?;
    let organisation_id: i64 = row.try_get("", "organisation_id")?;
    require_partner_staff(p, organisation_id)?;
    let update = Query::update()
        .table(table)
        .value(Alias::new("external_id"), external_id.clone())
        .value(Alias::new("updated_at"), now())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    txn.execute(&update).await.map_err(|e| {
        ApiError::conflict_on_unique(
            e,
            format!(
                "another {} of your organisation has this external id",
                kind.type_name
            ),
        )
    })?;
    audit::record(
        &txn,
        p,
        Entry::new(kind.action)
            .target(kind.type_name, id)
            .detail(json!({"externalId": external_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The record of `select` (already narrowed to what the caller may see) that the
/// caller's organisation (`owner` column) keeps under `raw` (`column`).
pub async fn find<E: EntityTrait>(
    db: &DatabaseConnection,
    p: &Principal,
    select: Select<E>,
    owner: E::Column,
    column: E::Column,
    raw: &str,
) -> ApiResult<Option<E::Model>> {
    let external_id = lookup("externalId", raw)?;
    Ok(select
        .filter(owner.eq(p.organisation_id))
        .filter(column.eq(external_id))
        .one(db)
        .await?)
}

/// Read a record again after [`set`] changed it.
pub async fn reload<E: EntityTrait>(
    db: &DatabaseConnection,
    select: Select<E>,
    type_name: &'static str,
) -> ApiResult<E::Model> {
    select.one(db).await?.ok_or(ApiError::NotFound(type_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_bounded_and_empty_clears() {
        assert_eq!(to_set("f", Some("  CRM-17 ")).ok(), Some(Some("CRM-17".into())));
        assert_eq!(to_set("f", Some("   ")).ok(), Some(None));
        assert_eq!(to_set("f", None).ok(), Some(None));
        assert!(to_set("f", Some(&"x".repeat(MAX_LEN + 1))).is_err());
        assert!(lookup("f", " ").is_err());
        assert_eq!(lookup("f", "A-1").ok().as_deref(), Some("A-1"));
    }
}
