//! The roster of a mahalla's "seven": one active holder per seat, terms with start and
//! end dates, the history kept. Kept by the mahalla committee's administrator.

use chrono::{Duration, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use super::entity::{SubRole, member};
use crate::access::mahalla::{MahallaRight, readable, require};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::{Principal, RequestMeta};
use crate::auth::service::{Via, load_principal};
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::pagination::{Order, Page, Paged, paginate};
use crate::territory::entity::mahalla;
use crate::user::entity::Role;
use crate::validate;

/// A member to appoint to a seat.
pub struct NewMember {
    pub mahalla_id: i64,
    pub sub_role: SubRole,
    pub full_name: String,
    pub phone: Option<String>,
    /// The member's login, if they have one (they then see their own tasks).
    pub user_id: Option<i64>,
    pub starts_on: NaiveDate,
    /// End the current holder's term the day before `starts_on`, in the same step.
    pub replace_current: bool,
}

/// The member's login must be able to work in this mahalla, in a role that fits the seat.
async fn check_login(
    db: &DatabaseConnection,
    field: &str,
    user_id: i64,
    seat: SubRole,
    m: &mahalla::Model,
) -> ApiResult<()> {
    let Ok(other) = load_principal(db, user_id, Via::LocalTask, RequestMeta::default()).await else {
        return Err(ApiError::bad_input(field, "no such active user"));
    };
    let role = if seat == SubRole::PreventionInspector {
        Role::PreventionInspector
    } else {
        Role::MahallaMember
    };
    if !other.has_role(role) {
        return Err(ApiError::bad_input(
            field,
            format!("the user does not hold the role {}", enum_name(role)),
        ));
    }
    if other.scope.national || !other.scope.covers(m.region_id, m.district_id, m.id) {
        return Err(ApiError::bad_input(
            field,
            "the user does not work in this mahalla",
        ));
    }
    Ok(())
}

/// Holders of the seat whose term is open or runs on or after `from`.
async fn holders_from<C: ConnectionTrait>(
    db: &C,
    mahalla_id: i64,
    seat: SubRole,
    from: NaiveDate,
) -> ApiResult<Vec<member::Model>> {
    Ok(member::Entity::find()
        .filter(member::Column::MahallaId.eq(mahalla_id))
        .filter(member::Column::SubRole.eq(seat))
        .filter(
            sea_orm::Condition::any()
                .add(member::Column::EndsOn.is_null())
                .add(member::Column::EndsOn.gte(from)),
        )
        .all(db)
        .await?)
}

/// Appoint a member to a seat of the seven.
pub async fn appoint(db: &DatabaseConnection, p: &Principal, new: NewMember) -> ApiResult<member::Model> {
    let full_name = validate::required("input.fullName", &new.full_name, validate::SHORT_TEXT)?;
    let phone = validate::phone("input.phone", new.phone.as_deref())?;
    if new.starts_on > now().date_naive() + Duration::days(366) {
        return Err(ApiError::bad_input(
            "input.startsOn",
            "must be within a year from today",
        ));
    }
    let m = require(db, p, new.mahalla_id, MahallaRight::Manage).await?;
    if let Some(uid) = new.user_id {
        check_login(db, "input.userId", uid, new.sub_role, &m).await?;
    }
    let txn = write_txn(db).await?;
    let at = now();
    for held in holders_from(&txn, m.id, new.sub_role, new.starts_on).await? {
        let replaceable = new.replace_current && held.ends_on.is_none() && held.starts_on < new.starts_on;
        if !replaceable {
            return Err(ApiError::Conflict(format!(
                "the seat {} is held from {} by another member; end that term first or replace the current holder",
                enum_name(new.sub_role),
                held.starts_on
            )));
        }
        let id = held.id;
        let mut row: member::ActiveModel = held.into();
        row.ends_on = Set(Some(new.starts_on - Duration::days(1)));
        row.end_reason = Set(Some("replaced".into()));
        row.updated_at = Set(at);
        row.update(&txn).await?;
        audit::record(
            &txn,
            p,
            Entry::new("mahalla_member.end").target("MahallaMember", id),
        )
        .await?;
    }
    let row = member::ActiveModel {
        mahalla_id: Set(m.id),
        district_id: Set(m.district_id),
        region_id: Set(m.region_id),
        sub_role: Set(new.sub_role),
        full_name: Set(full_name),
        phone: Set(phone),
        user_id: Set(new.user_id),
        starts_on: Set(new.starts_on),
        ends_on: Set(None),
        end_reason: Set(None),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "the seat already has an active holder"))?;
    audit::record(
        &txn,
        p,
        Entry::new("mahalla_member.appoint")
            .target("MahallaMember", row.id)
            .detail(json!({"mahallaId": m.id, "subRole": enum_name(row.sub_role)})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("mahalla.member_appointed", "MahallaMember", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"mahallaId": m.id, "subRole": enum_name(row.sub_role)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn get_for_change<C: ConnectionTrait>(db: &C, p: &Principal, id: i64) -> ApiResult<member::Model> {
    let row = member::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("MahallaMember"))?;
    require(db, p, row.mahalla_id, MahallaRight::Manage)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("MahallaMember"),
            other => other,
        })?;
    Ok(row)
}

/// End a member's term on `ends_on` (their tasks stay, with their history).
pub async fn end_term(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    ends_on: NaiveDate,
    reason: Option<&str>,
) -> ApiResult<member::Model> {
    let reason = validate::optional("input.reason", reason, validate::SHORT_TEXT)?;
    let txn = write_txn(db).await?;
    let row = get_for_change(&txn, p, id).await?;
    if row.ends_on.is_some() {
        return Err(ApiError::Conflict("the term has already ended".into()));
    }
    if ends_on < row.starts_on {
        return Err(ApiError::bad_input(
            "input.endsOn",
            "must not be before the term started",
        ));
    }
    let mut active: member::ActiveModel = row.into();
    active.ends_on = Set(Some(ends_on));
    active.end_reason = Set(reason);
    active.updated_at = Set(now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("mahalla_member.end").target("MahallaMember", row.id),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("mahalla.member_term_ended", "MahallaMember", row.id)
            .organisation(p.organisation_id)
            .payload(json!({"mahallaId": row.mahalla_id, "subRole": enum_name(row.sub_role)})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Change a member's name or contact; absent fields stay as they are.
pub async fn update_contact(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    full_name: Option<&str>,
    phone: Option<Option<&str>>,
) -> ApiResult<member::Model> {
    let full_name = full_name
        .map(|n| validate::required("input.fullName", n, validate::SHORT_TEXT))
        .transpose()?;
    let phone = phone.map(|v| validate::phone("input.phone", v)).transpose()?;
    let txn = write_txn(db).await?;
    let row = get_for_change(&txn, p, id).await?;
    let mut active: member::ActiveModel = row.into();
    if let Some(n) = full_name {
        active.full_name = Set(n);
    }
    if let Some(ph) = phone {
        active.phone = Set(ph);
    }
    active.updated_at = Set(now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("mahalla_member.update").target("MahallaMember", row.id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Whether a member holds their seat on `day`.
pub fn holds_on(m: &member::Model, day: NaiveDate) -> bool {
    m.starts_on <= day && m.ends_on.is_none_or(|end| end >= day)
}

/// A member who holds a seat of `mahalla_id` today, for giving them work.
pub async fn active_member<C: ConnectionTrait>(
    db: &C,
    field: &str,
    member_id: i64,
    mahalla_id: i64,
) -> ApiResult<member::Model> {
    let row = member::Entity::find_by_id(member_id).one(db).await?;
    match row {
        Some(m) if m.mahalla_id == mahalla_id && holds_on(&m, now().date_naive()) => Ok(m),
        Some(m) if m.mahalla_id == mahalla_id => Err(ApiError::bad_input(
            field,
            "the member does not hold a seat today",
        )),
        _ => Err(ApiError::bad_input(
            field,
            "no such member of this mahalla's seven",
        )),
    }
}

/// The seven of a mahalla: current holders by seat, or the whole history.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    mahalla_id: i64,
    current_only: bool,
    page: Page,
) -> ApiResult<Paged<member::Model>> {
    require(db, p, mahalla_id, MahallaRight::Read).await?;
    let mut q = member::Entity::find()
        .filter(member::Column::MahallaId.eq(mahalla_id))
        .filter(readable(
            p,
            member::Column::RegionId,
            member::Column::DistrictId,
            member::Column::MahallaId,
        ));
    if current_only {
        let today = now().date_naive();
        q = q.filter(member::Column::StartsOn.lte(today)).filter(
            sea_orm::Condition::any()
                .add(member::Column::EndsOn.is_null())
                .add(member::Column::EndsOn.gte(today)),
        );
    }
    paginate(db, q, member::Column::Id, page, Order::Ascending).await
}
