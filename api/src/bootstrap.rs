//! First start: a fresh database gets the platform operator's organisation and the
//! platform admin `admin`.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::password::random_token;
use crate::error::ApiError;
use crate::organisation::{self, OrganisationKind};
use crate::state::AppState;
use crate::territory::resolve::Place;
use crate::user::entity::{Role, user_role};
use crate::user::service::{NewUser, create};

/// Name of the platform operator's organisation.
pub const PLATFORM_ORGANISATION: &str = "Hamkor platform";
/// Username of the first platform admin.
pub const ADMIN_USERNAME: &str = "admin";

/// What the first start did.
pub enum Bootstrap {
    /// A platform admin already existed.
    AlreadyDone,
    /// `admin` was created with the configured password.
    AdminCreated,
    /// `admin` was created with this generated password (show it once).
    AdminCreatedWithPassword(SecretString),
}

/// Create the platform admin if the database has none.
pub async fn ensure_admin(st: &AppState) -> anyhow::Result<Bootstrap> {
    let admins = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::PlatformAdmin))
        .count(&st.db)
        .await?;
    if admins > 0 {
        return Ok(Bootstrap::AlreadyDone);
    }
    let org = match organisation::Entity::find()
        .filter(organisation::entity::Column::Name.eq(PLATFORM_ORGANISATION))
        .one(&st.db)
        .await?
    {
        Some(o) => o,
        None => {
            let at = crate::db::now();
            use sea_orm::{ActiveModelTrait, ActiveValue::Set};
            organisation::entity::ActiveModel {
                name: Set(PLATFORM_ORGANISATION.to_owned()),
                kind: Set(OrganisationKind::Other),
                region_id: Set(None),
                district_id: Set(None),
                mahalla_id: Set(None),
                active: Set(true),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(&st.db)
            .await?
        }
    };
    let (password, generated) = match &st.settings.admin_password {
        Some(p) => (p.clone(), false),
        None => (SecretString::from(random_token(18)), true),
    };
    let new = NewUser {
        organisation_id: org.id,
        username: ADMIN_USERNAME.to_owned(),
        display_name: "Platform administrator".to_owned(),
        password: password.clone(),
        roles: BTreeSet::from([Role::PlatformAdmin]),
        territories: Vec::<Place>::new(),
    };
    match create(&st.db, &st.hasher, None, new).await {
        Ok(_) => {}
        // Another replica created it at the same moment.
        Err(ApiError::Conflict(_)) => return Ok(Bootstrap::AlreadyDone),
        Err(ApiError::BadUserInput { field, message }) => {
            anyhow::bail!("HAMKOR_ADMIN_PASSWORD is not acceptable: {field}: {message}")
        }
        Err(ApiError::Internal(cause)) => return Err(cause.context("creating the platform admin")),
        Err(e) => anyhow::bail!("creating the platform admin failed: {}", e.message()),
    }
    Ok(if generated {
        Bootstrap::AdminCreatedWithPassword(password)
    } else {
        Bootstrap::AdminCreated
    })
}

/// The message shown once when a password was generated.
pub fn generated_password_notice(password: &SecretString) -> String {
    format!(
        "\n  Created the platform admin.\n    username: {ADMIN_USERNAME}\n    password: {}\n  \
         This password is shown only now. Change it with the changePassword mutation.\n",
        password.expose_secret()
    )
}
