//! External ids on a module's records: the record kind is declared once, on its entity
//! ([`ExternalIdRecord`]), and every module sets and finds its records with [`set`] and
//! [`find`] (the rules are [`crate::external_id`]'s).

use sea_orm::{Condition, DatabaseConnection, EntityTrait, PrimaryKeyTrait, QueryFilter};

use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::external_id::{self, Kind};

/// A module's table whose rows carry an external id: `id`, `organisation_id` (the owner),
/// `external_id` and `updated_at` columns (the external id added by
/// [`super::migration::AddExternalIds`]).
pub trait ExternalIdRecord: EntityTrait {
    /// Its GraphQL type name (errors and the audit log name it).
    const TYPE_NAME: &'static str;
    /// The audit action of a change (`employment.vacancy.set_external_id`).
    const ACTION: &'static str;
    /// The owning organisation's column.
    const OWNER: Self::Column;
    /// The external id's column.
    const EXTERNAL_ID: Self::Column;

    /// The kind as [`crate::external_id`] names it.
    fn kind() -> Kind {
        Kind {
            table: Self::default().table_name(),
            type_name: Self::TYPE_NAME,
            action: Self::ACTION,
        }
    }
}

/// Set (or clear, with `None` or "") the external id of record `id`, for the staff of the
/// organisation that owns it, and read the record again. `visible` is the condition of
/// the records the caller may see: one outside it does not exist for them (NOT_FOUND).
/// Audited; a value another record of the organisation holds answers CONFLICT.
pub async fn set<E>(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    raw: Option<&str>,
    visible: Condition,
) -> ApiResult<E::Model>
where
    E: ExternalIdRecord,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    external_id::set(db, p, E::kind(), id, raw, visible.clone()).await?;
    external_id::reload(db, E::find_by_id(id).filter(visible), E::TYPE_NAME).await
}

/// The record among those the caller may see (`visible`) that the caller's organisation
/// keeps under `raw`.
pub async fn find<E: ExternalIdRecord>(
    db: &DatabaseConnection,
    p: &Principal,
    visible: Condition,
    raw: &str,
) -> ApiResult<Option<E::Model>> {
    external_id::find(db, p, E::find().filter(visible), E::OWNER, E::EXTERNAL_ID, raw).await
}
