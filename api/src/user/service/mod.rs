//! Managing users. The platform admin manages everyone; an organisation admin manages the
//! users of their own organisation and cannot grant platform-wide roles.
//!
//! Creating, changing, reading and listing users are here; which roles and territories
//! fit is `roles.rs`, passwords `password.rs`, service accounts `super::service_account`.

mod password;
mod roles;

use std::collections::BTreeSet;

use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter,
};
use secrecy::SecretString;
use serde_json::json;

pub use password::{change_own_password, reset_password, revoke_sessions};
pub(crate) use roles::check_roles_and_scope;
pub use roles::{MAX_TERRITORIES, can_manage, parse_username, role_fits_organisation};

use super::entity::{Role, UserKind, user, user_role, user_territory};
use crate::audit::service::{self as audit, Entry};
use crate::auth::password::{self as passwords, PasswordHasher};
use crate::auth::principal::Principal;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::events::service::{self as events, NewEvent};
use crate::filters::contains_ci;
use crate::organisation;
use crate::pagination::{Order, Page, Paged, paginate};
use crate::territory::resolve::Place;
use crate::validate;

/// A user to create.
pub struct NewUser {
    pub organisation_id: i64,
    pub username: String,
    pub display_name: String,
    pub password: SecretString,
    pub roles: BTreeSet<Role>,
    pub territories: Vec<Place>,
}

/// Create a user. `p` is the acting admin; `None` means a trusted local task (first
/// start, command line), which may grant any role.
pub async fn create(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    p: Option<&Principal>,
    new: NewUser,
) -> ApiResult<user::Model> {
    if let Some(p) = p
        && !can_manage(p, new.organisation_id)
    {
        return Err(ApiError::forbidden());
    }
    let username = parse_username("input.username", &new.username)?;
    let display_name = validate::required("input.displayName", &new.display_name, validate::SHORT_TEXT)?;
    passwords::check_policy("input.password", &new.password)?;
    let org = organisation::Entity::find_by_id(new.organisation_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Organisation"))?;
    check_roles_and_scope(p, &org, &new.roles, &new.territories)?;
    let hash = hasher.hash(&new.password).await?;

    let txn = write_txn(db).await?;
    let at = now();
    let row = user::ActiveModel {
        organisation_id: Set(org.id),
        username: Set(username),
        display_name: Set(display_name),
        kind: Set(UserKind::Person),
        password_hash: Set(Some(hash)),
        client_id: Set(None),
        client_secret_hash: Set(None),
        previous_secret_hash: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| ApiError::conflict_on_unique(e, "this username is taken"))?;
    write_roles_and_scope(&txn, row.id, &new.roles, &new.territories).await?;
    record_change(&txn, p, "user.create", &row, &new.roles).await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes to a user; absent fields stay as they are.
#[derive(Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub roles: Option<BTreeSet<Role>>,
    pub territories: Option<Vec<Place>>,
    pub active: Option<bool>,
}

pub async fn update(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    patch: UserPatch,
) -> ApiResult<user::Model> {
    let current = user::Entity::find_by_id(id).one(db).await?;
    let current = match current {
        Some(u) if can_manage(p, u.organisation_id) => u,
        // Users of other organisations are not the caller's business, not even their existence.
        _ => return Err(ApiError::NotFound("User")),
    };
    if current.kind == UserKind::SupervisedPerson && patch.roles.as_ref().is_some_and(|r| !r.is_empty()) {
        return Err(ApiError::bad_input(
            "input.roles",
            "a supervised person's account holds no roles",
        ));
    }
    if current.id == p.user_id && (patch.active == Some(false) || patch.roles.is_some()) {
        return Err(ApiError::bad_input(
            "input",
            "you cannot deactivate yourself or change your own roles",
        ));
    }
    let display_name = patch
        .display_name
        .as_deref()
        .map(|n| validate::required("input.displayName", n, validate::SHORT_TEXT))
        .transpose()?;
    let org = organisation::Entity::find_by_id(current.organisation_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("Organisation"))?;
    let roles = match &patch.roles {
        Some(r) => r.clone(),
        None => load_roles(db, id).await?,
    };
    let territories = match &patch.territories {
        Some(t) => t.clone(),
        None => load_places(db, id).await?,
    };
    if patch.roles.is_some() || patch.territories.is_some() {
        check_roles_and_scope(Some(p), &org, &roles, &territories)?;
    }

    let txn = write_txn(db).await?;
    let mut row: user::ActiveModel = current.into();
    if let Some(name) = display_name {
        row.display_name = Set(name);
    }
    if let Some(active) = patch.active {
        row.active = Set(active);
    }
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    if patch.roles.is_some() || patch.territories.is_some() {
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        user_territory::Entity::delete_many()
            .filter(user_territory::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        write_roles_and_scope(&txn, id, &roles, &territories).await?;
    }
    if patch.active == Some(false) {
        revoke_sessions(&txn, id).await?;
    }
    record_change(&txn, Some(p), "user.update", &row, &roles).await?;
    txn.commit().await?;
    Ok(row)
}

pub(crate) async fn write_roles_and_scope<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    roles: &BTreeSet<Role>,
    territories: &[Place],
) -> ApiResult<()> {
    user_role::Entity::insert_many(roles.iter().map(|r| user_role::ActiveModel {
        user_id: Set(user_id),
        role: Set(*r),
    }))
    .exec_without_returning(db)
    .await?;
    if !territories.is_empty() {
        user_territory::Entity::insert_many(territories.iter().map(|t| {
            // Only the finest level is stored: a row names exactly one territory.
            let (region_id, district_id, mahalla_id) = match (t.mahalla_id, t.district_id) {
                (Some(m), _) => (None, None, Some(m)),
                (None, Some(d)) => (None, Some(d), None),
                (None, None) => (t.region_id, None, None),
            };
            user_territory::ActiveModel {
                user_id: Set(user_id),
                region_id: Set(region_id),
                district_id: Set(district_id),
                mahalla_id: Set(mahalla_id),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

pub(crate) async fn record_change<C: ConnectionTrait>(
    db: &C,
    p: Option<&Principal>,
    action: &'static str,
    row: &user::Model,
    roles: &BTreeSet<Role>,
) -> ApiResult<()> {
    let entry = Entry::new(action)
        .target("User", row.id)
        .detail(json!({"roles": roles.iter().map(ActiveEnum::to_value).collect::<Vec<_>>(), "active": row.active, "organisationId": row.organisation_id}));
    match p {
        Some(p) => audit::record(db, p, entry).await?,
        None => {
            let meta = crate::auth::principal::RequestMeta {
                client: Some("cli".to_owned()),
                ..Default::default()
            };
            audit::record_anonymous(db, None, &meta, entry).await?
        }
    }
    events::emit(
        db,
        p,
        NewEvent::new(
            if action.ends_with("create") {
                "user.created"
            } else {
                "user.updated"
            },
            "User",
            row.id,
        )
        .organisation(row.organisation_id),
    )
    .await?;
    Ok(())
}

/// A user's roles.
pub async fn load_roles<C: ConnectionTrait>(db: &C, user_id: i64) -> ApiResult<BTreeSet<Role>> {
    Ok(user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role)
        .collect())
}

/// A user's territories as places (finest level only).
pub async fn load_places<C: ConnectionTrait>(db: &C, user_id: i64) -> ApiResult<Vec<Place>> {
    Ok(user_territory::Entity::find()
        .filter(user_territory::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| Place {
            region_id: t.region_id,
            district_id: t.district_id,
            mahalla_id: t.mahalla_id,
        })
        .collect())
}

/// Filters of the user list.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub organisation_id: Option<i64>,
    pub role: Option<Role>,
    pub kind: Option<UserKind>,
    pub active: Option<bool>,
    pub search: Option<String>,
}

/// Users the caller manages: all for the platform admin, their own organisation's for an
/// organisation admin.
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    filter: UserFilter,
    page: Page,
) -> ApiResult<Paged<user::Model>> {
    let cond = match filter.organisation_id {
        Some(org) => {
            may_list(p, org)?;
            Condition::all().add(user::Column::OrganisationId.eq(org))
        }
        None if p.has_role(Role::PlatformAdmin) => Condition::all(),
        None if p.has_role(Role::OrgAdmin) => {
            Condition::all().add(user::Column::OrganisationId.eq(p.organisation_id))
        }
        None => return Err(ApiError::forbidden()),
    };
    paginate(
        db,
        user::Entity::find().filter(cond.add(filter_condition(filter))),
        user::Column::Id,
        page,
        Order::Ascending,
    )
    .await
}

/// Whether the caller may list the users of `organisation_id`: the platform admin any
/// organisation's, an organisation admin their own.
pub fn may_list(p: &Principal, organisation_id: i64) -> ApiResult<()> {
    if p.has_role(Role::PlatformAdmin) || (p.has_role(Role::OrgAdmin) && organisation_id == p.organisation_id)
    {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The condition of a user list's filter, beyond the organisation (an organisation's
/// users list is this under its organisation).
pub fn filter_condition(filter: UserFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(role) = filter.role {
        cond = cond.add(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.eq(role))
                    .to_owned(),
            ),
        );
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(user::Column::Kind.eq(kind));
    }
    if let Some(active) = filter.active {
        cond = cond.add(user::Column::Active.eq(active));
    }
    if let Some(q) = filter.search {
        cond = cond.add(
            Condition::any()
                .add(contains_ci(user::Column::Username, &q))
                .add(contains_ci(user::Column::DisplayName, &q)),
        );
    }
    cond
}
