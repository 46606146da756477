//! The roster of the seven.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date, date_null, string_len, string_len_null, text_null};

use super::{Mahallas, Users};
use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts};

#[derive(DeriveIden)]
pub(super) enum MahallaMembers {
    Table,
    Id,
    MahallaId,
    DistrictId,
    RegionId,
    SubRole,
    FullName,
    Phone,
    UserId,
    StartsOn,
    EndsOn,
    EndReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

/// The roster of the seven: one row per term in a seat, at most one open term per seat.
pub(super) async fn create_members(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(MahallaMembers::Table)
                .col(id(MahallaMembers::Id))
                .col(fk(MahallaMembers::MahallaId))
                .col(fk(MahallaMembers::DistrictId))
                .col(fk(MahallaMembers::RegionId))
                .col(enum_str(MahallaMembers::SubRole))
                .col(string_len(MahallaMembers::FullName, 200))
                .col(string_len_null(MahallaMembers::Phone, 32))
                .col(fk_null(MahallaMembers::UserId))
                .col(date(MahallaMembers::StartsOn))
                .col(date_null(MahallaMembers::EndsOn))
                .col(text_null(MahallaMembers::EndReason))
                .col(fk(MahallaMembers::CreatedBy))
                .col(ts(MahallaMembers::CreatedAt))
                .col(ts(MahallaMembers::UpdatedAt))
                .check(Expr::cust("ends_on IS NULL OR ends_on >= starts_on"))
                .foreign_key(&mut foreign(
                    MahallaMembers::Table,
                    MahallaMembers::MahallaId,
                    Mahallas::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    MahallaMembers::Table,
                    MahallaMembers::UserId,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    MahallaMembers::Table,
                    MahallaMembers::CreatedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    manager
        .create_index(index(
            MahallaMembers::Table,
            "idx_mahalla_members_role",
            &["mahalla_id", "sub_role", "starts_on"],
            false,
        ))
        .await?;
    manager
        .create_index(index(
            MahallaMembers::Table,
            "idx_mahalla_members_user",
            &["user_id"],
            false,
        ))
        .await?;
    // One active holder per sub-role: the database refuses a second open term even
    // when two appointments race. Partial indexes read the same on both backends.
    manager
        .get_connection()
        .execute_unprepared(
            "CREATE UNIQUE INDEX uq_mahalla_members_active \
             ON mahalla_members (mahalla_id, sub_role) WHERE ends_on IS NULL",
        )
        .await?;
    Ok(())
}
