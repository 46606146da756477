//! Everything a request needs to know about its caller, read in one statement: the user,
//! their organisation, the session the token names, their roles and territories, and the
//! modules their organisation has switched on (and the platform has not withdrawn).
//!
//! Read fresh on every request — no cache — so a logout, a role change, a revoked
//! account or organisation and a module switched off all show on the very next request,
//! on every replica. The lists come back as text aggregated by the database
//! (`group_concat` on SQLite, `string_agg` on PostgreSQL) and are split here.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, QueryResult, Statement, Value};

use crate::organisation::entity::OrganisationKind;
use crate::territory::resolve::Place;
use crate::user::entity::{Role, UserKind};

/// The caller's row, as read.
#[derive(Debug, Clone)]
pub struct CallerRow {
    pub user_id: i64,
    pub user_active: bool,
    pub user_kind: UserKind,
    pub client_id: Option<String>,
    pub organisation_id: i64,
    pub organisation_active: bool,
    pub organisation_kind: OrganisationKind,
    pub organisation_place: Place,
    /// The session the token names, when it exists: its user, revocation and expiry.
    pub session: Option<(i64, Option<DateTime<Utc>>, DateTime<Utc>)>,
    pub roles: Vec<Role>,
    pub places: Vec<Place>,
    /// Modules switched on for the organisation and not withdrawn from the platform
    /// (whether each is compiled in is the caller's to check).
    pub modules: Vec<String>,
}

/// The statement, with `{agg}` standing for the backend's string aggregate and `{p1}`,
/// `{p2}` for the placeholders of the session id and the user id.
const SQL: &str = "SELECT u.id AS user_id, u.active AS user_active, u.kind AS user_kind, u.client_id,
  o.id AS organisation_id, o.active AS organisation_active, o.kind AS organisation_kind,
  o.region_id, o.district_id, o.mahalla_id,
  s.user_id AS session_user_id, s.revoked_at AS session_revoked_at, s.expires_at AS session_expires_at,
  (SELECT {agg}(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles,
  (SELECT {agg}(COALESCE(CAST(t.region_id AS TEXT), '') || ':' || COALESCE(CAST(t.district_id AS TEXT), '')
     || ':' || COALESCE(CAST(t.mahalla_id AS TEXT), ''), ',')
     FROM user_territories t WHERE t.user_id = u.id) AS places,
  (SELECT {agg}(m.module_id, ',') FROM organisation_modules m
     WHERE m.organisation_id = o.id AND m.enabled = TRUE
       AND NOT EXISTS (SELECT 1 FROM modules w WHERE w.id = m.module_id AND w.available = FALSE)) AS modules
FROM users u
JOIN organisations o ON o.id = u.organisation_id
LEFT JOIN sessions s ON s.id = {p1}
WHERE u.id = {p2}";

/// Read the caller `user_id` (with session `session_id`, if any) in one statement.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    session_id: Option<i64>,
) -> Result<Option<CallerRow>, DbErr> {
    let backend = db.get_database_backend();
    let (agg, p1, p2) = match backend {
        DatabaseBackend::Postgres => ("string_agg", "$1", "$2"),
        _ => ("group_concat", "?", "?"),
    };
    let sql = SQL.replace("{agg}", agg).replace("{p1}", p1).replace("{p2}", p2);
    let values = vec![Value::BigInt(session_id), Value::BigInt(Some(user_id))];
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
    else {
        return Ok(None);
    };
    from_row(&row).map(Some)
}

fn from_row(row: &QueryResult) -> Result<CallerRow, DbErr> {
    let get_text = |col: &str| -> Result<String, DbErr> {
        Ok(row.try_get::<Option<String>>("", col)?.unwrap_or_default())
    };
    let session = match row.try_get::<Option<i64>>("", "session_user_id")? {
        Some(user) => Some((
            user,
            row.try_get::<Option<DateTime<Utc>>>("", "session_revoked_at")?,
            row.try_get::<DateTime<Utc>>("", "session_expires_at")?,
        )),
        None => None,
    };
    Ok(CallerRow {
        user_id: row.try_get("", "user_id")?,
        user_active: row.try_get("", "user_active")?,
        user_kind: parse(&get_text("user_kind")?)?,
        client_id: row.try_get("", "client_id")?,
        organisation_id: row.try_get("", "organisation_id")?,
        organisation_active: row.try_get("", "organisation_active")?,
        organisation_kind: parse(&get_text("organisation_kind")?)?,
        organisation_place: Place {
            region_id: row.try_get("", "region_id")?,
            district_id: row.try_get("", "district_id")?,
            mahalla_id: row.try_get("", "mahalla_id")?,
        },
        session,
        roles: split(&get_text("roles")?).map(parse).collect::<Result<_, _>>()?,
        places: split(&get_text("places")?)
            .map(parse_place)
            .collect::<Result<_, _>>()?,
        modules: split(&get_text("modules")?).map(str::to_owned).collect(),
    })
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').filter(|s| !s.is_empty())
}

/// A stored enum value (`SCREAMING_SNAKE_CASE` text) back as its type.
fn parse<T: sea_orm::ActiveEnum<Value = String>>(text: &str) -> Result<T, DbErr> {
    T::try_from_value(&text.to_owned())
}

/// A `region:district:mahalla` triple (empty for none) back as a place.
fn parse_place(text: &str) -> Result<Place, DbErr> {
    let mut ids = text.split(':').map(|part| {
        if part.is_empty() {
            Ok(None)
        } else {
            part.parse::<i64>()
                .map(Some)
                .map_err(|e| DbErr::Type(format!("territory id {part:?}: {e}")))
        }
    });
    let mut next = || ids.next().unwrap_or(Ok(None));
    Ok(Place {
        region_id: next()?,
        district_id: next()?,
        mahalla_id: next()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territories_read_back_at_every_level() {
        let p = parse_place("1:10:").ok();
        assert_eq!(
            p.map(|p| (p.region_id, p.district_id, p.mahalla_id)),
            Some((Some(1), Some(10), None))
        );
        let national = parse_place("::").ok();
        assert_eq!(
            national.map(|p| p.region_id.is_none() && p.mahalla_id.is_none()),
            Some(true)
        );
        assert!(parse_place("x::").is_err());
    }

    #[test]
    fn stored_roles_read_back() {
        assert_eq!(parse::<Role>("PLATFORM_ADMIN").ok(), Some(Role::PlatformAdmin));
        assert!(parse::<Role>("NOBODY").is_err());
    }
}
