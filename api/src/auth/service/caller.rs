//! The caller a verified access token names: the user, their organisation and session
//! (all still active), their roles and their territorial scope.

use sea_orm::DatabaseConnection;

use super::caller_row;
use crate::auth::jwt::TokenError;
use crate::auth::principal::{Principal, RequestMeta, Scope};
use crate::db::now;
use crate::state::AppState;
use crate::user::entity::UserKind;

/// Why a bearer token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the account, organisation or session is no longer active")]
    Inactive,
    #[error("could not load the caller: {0:#}")]
    Internal(anyhow::Error),
}

impl From<sea_orm::DbErr> for AuthFailure {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(e.into())
    }
}

/// Verify a bearer token and load the caller it names, with roles and scope.
pub async fn authenticate(st: &AppState, token: &str, meta: RequestMeta) -> Result<Principal, AuthFailure> {
    Ok(authenticate_caller(st, token, meta).await?.0)
}

/// Verify a bearer token and load the caller it names, with roles and scope, and the
/// modules their organisation has switched on (not yet checked against the compiled-in
/// ones).
pub async fn authenticate_caller(
    st: &AppState,
    token: &str,
    meta: RequestMeta,
) -> Result<(Principal, Vec<String>), AuthFailure> {
    let claims = st.jwt.verify(token)?;
    let user_id = claims
        .user_id()
        .ok_or_else(|| TokenError::Invalid("subject".into()))?;
    load_caller(
        &st.db,
        user_id,
        Via::Token {
            session_id: claims.sid,
        },
        meta,
    )
    .await
}

/// How the caller was identified.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    /// A verified access token, with its login session (none for service accounts).
    Token { session_id: Option<i64> },
    /// A trusted local task (command line, demo seed) acting as the user.
    LocalTask,
}

/// Load a principal for a user (and session), checking that all are still active.
pub async fn load_principal(
    db: &DatabaseConnection,
    user_id: i64,
    via: Via,
    meta: RequestMeta,
) -> Result<Principal, AuthFailure> {
    Ok(load_caller(db, user_id, via, meta).await?.0)
}

/// Load a principal for a user (and session), checking that all are still active, with
/// the modules their organisation has switched on: one statement, read fresh every time.
pub async fn load_caller(
    db: &DatabaseConnection,
    user_id: i64,
    via: Via,
    mut meta: RequestMeta,
) -> Result<(Principal, Vec<String>), AuthFailure> {
    let session_id = match via {
        Via::Token { session_id } => session_id,
        Via::LocalTask => None,
    };
    let row = caller_row::load(db, user_id, session_id)
        .await?
        .filter(|r| r.user_active && r.organisation_active)
        .ok_or(AuthFailure::Inactive)?;
    match (via, session_id, row.user_kind) {
        (Via::LocalTask, _, _) => {}
        (_, Some(_), UserKind::Person | UserKind::SupervisedPerson) => {
            let live = row.session.is_some_and(|(owner, revoked_at, expires_at)| {
                owner == row.user_id && revoked_at.is_none() && expires_at > now()
            });
            if !live {
                return Err(AuthFailure::Inactive);
            }
        }
        (_, None, UserKind::ServiceAccount) => {
            meta.client = row.client_id.clone();
        }
        _ => return Err(AuthFailure::Inactive),
    }
    // A supervised person holds no role and no territory, whatever the rows say.
    let (roles, scope) = match row.user_kind {
        UserKind::SupervisedPerson => (Default::default(), Scope::default()),
        _ => (
            row.roles.into_iter().collect(),
            effective_scope(&row.places, &row.organisation_place),
        ),
    };
    let principal = Principal {
        user_id: row.user_id,
        organisation_id: row.organisation_id,
        organisation_kind: row.organisation_kind,
        kind: row.user_kind,
        roles,
        scope,
        session_id,
        meta,
    };
    Ok((principal, row.modules))
}

/// The user's own territories; without any, the organisation's territory; without that,
/// the whole country.
pub fn effective_scope(
    user_places: &[crate::territory::resolve::Place],
    org: &crate::territory::resolve::Place,
) -> Scope {
    let mut scope = Scope::default();
    let places: &[_] = if user_places.is_empty() {
        std::slice::from_ref(org)
    } else {
        user_places
    };
    for p in places {
        match (p.mahalla_id, p.district_id, p.region_id) {
            (Some(m), _, _) => scope.mahallas.push(m),
            (None, Some(d), _) => scope.districts.push(d),
            (None, None, Some(r)) => scope.regions.push(r),
            (None, None, None) => scope.national = true,
        }
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::territory::resolve::Place;

    #[test]
    fn a_user_without_territories_works_in_the_organisations_territory() {
        let org = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: None,
        };
        let scope = effective_scope(&[], &org);
        assert_eq!(scope.districts, vec![10]);
        assert!(!scope.national);
    }

    #[test]
    fn a_user_of_a_national_organisation_without_territories_is_national() {
        assert!(effective_scope(&[], &Place::default()).national);
    }

    #[test]
    fn the_users_own_territories_win() {
        let org = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: None,
        };
        let mine = [Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: Some(100),
        }];
        let scope = effective_scope(&mine, &org);
        assert_eq!(scope.mahallas, vec![100]);
        assert!(scope.districts.is_empty());
    }
}
