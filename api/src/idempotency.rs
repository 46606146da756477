//! Idempotent mutations: a client that sends an `Idempotency-Key` header with a
//! mutation may retry it safely.
//!
//! Keys belong to the caller (a user or service account) and live at least
//! [`KEEP_HOURS`] hours. The first request with a key records a hash of the operation
//! (query, operation name and variables, with object keys sorted) and, once it has run,
//! its response. Then:
//! - the same key with the same operation answers the stored response, without running
//!   the operation again;
//! - the same key with another operation answers `CONFLICT`;
//! - the same key while the first request still runs answers `CONFLICT` (retry later).
//!
//! Which responses are kept: a response in which at least one root field produced data
//! is stored, errors included, because something may have changed. A response in which
//! nothing produced data (every field failed, or the request was invalid) changed
//! nothing; it is not stored and the key is released, so the client can fix the request
//! and retry with the same key. A request that was cut off mid-way (the server stopped)
//! keeps its key in progress, answering `CONFLICT` until the key expires: whether it
//! changed something cannot be known, so it is never run twice.

use chrono::Duration;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How long a key is kept, in hours.
pub const KEEP_HOURS: i64 = 24;
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub request_hash: String,
        /// The stored response; absent while the first request runs.
        #[sea_orm(column_type = "JsonBinary", nullable)]
        pub response: Option<Json>,
        pub created_at: DateTimeUtc,
        pub completed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Whether a header value is an acceptable key: 1 to 255 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The hash of an operation: the same for the same query, operation name and variables
/// whatever the order of object keys.
pub fn request_hash(query: &str, operation_name: Option<&str>, variables: Option<&Value>) -> String {
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<_> = map.keys().collect();
                keys.sort();
                out.push('{');
                for k in keys {
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(&map[k], out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    canonical(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canonical(
        &serde_json::json!([query, operation_name, variables.unwrap_or(&Value::Null)]),
        &mut text,
    );
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Begin {
    /// First use: run it, then [`finish`].
    Run,
    /// Already done: answer this stored response.
    Replay(Value),
    /// Used with another operation, or still running.
    Conflict(&'static str),
}

/// Claim `key` for `user_id` and this operation.
pub async fn begin(db: &DatabaseConnection, user_id: i64, key: &str, hash: &str) -> Result<Begin, DbErr> {
    let now = crate::db::now();
    // Expired keys go first, so that a key older than the retention may be used again.
    entity::Entity::delete_many()
        .filter(entity::Column::CreatedAt.lt(now - Duration::hours(KEEP_HOURS)))
        .exec(db)
        .await?;
    let inserted = entity::Entity::insert(entity::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        response: Set(None),
        created_at: Set(now),
        completed_at: Set(None),
    })
    .exec_without_returning(db)
    .await;
    match inserted {
        Ok(_) => return Ok(Begin::Run),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
        Err(e) => return Err(e),
    }
    let Some(row) = entity::Entity::find_by_id((user_id, key.to_owned()))
        .one(db)
        .await?
    else {
        // Purged or released in between: the caller may simply retry.
        return Ok(Begin::Conflict("this Idempotency-Key was just released; retry"));
    };
    Ok(if row.request_hash != hash {
        Begin::Conflict("this Idempotency-Key was already used for a different request")
    } else {
        match row.response {
            Some(response) => Begin::Replay(response),
            None => Begin::Conflict("a request with this Idempotency-Key is still in progress"),
        }
    })
}

/// Whether a response may have changed something: some root field produced data.
pub fn acted(response: &Value) -> bool {
    response["data"]
        .as_object()
        .is_some_and(|fields| fields.values().any(|v| !v.is_null()))
}

/// Store the response of a claimed key, or release the key when nothing was done.
pub async fn finish(db: &DatabaseConnection, user_id: i64, key: &str, response: &Value) -> Result<(), DbErr> {
    if acted(response) {
        entity::Entity::update_many()
            .col_expr(
                entity::Column::Response,
                sea_orm::sea_query::Expr::value(response.clone()),
            )
            .col_expr(
                entity::Column::CompletedAt,
                sea_orm::sea_query::Expr::value(crate::db::now()),
            )
            .filter(entity::Column::UserId.eq(user_id))
            .filter(entity::Column::Key.eq(key))
            .exec(db)
            .await?;
    } else {
        entity::Entity::delete_by_id((user_id, key.to_owned()))
            .exec(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_hash_ignores_the_order_of_variables() {
        let a = request_hash(
            "mutation M { x }",
            Some("M"),
            Some(&json!({"a": 1, "b": {"c": 2, "d": 3}})),
        );
        let b = request_hash(
            "mutation M { x }",
            Some("M"),
            Some(&json!({"b": {"d": 3, "c": 2}, "a": 1})),
        );
        assert_eq!(a, b);
        let c = request_hash(
            "mutation M { x }",
            Some("M"),
            Some(&json!({"a": 2, "b": {"c": 2, "d": 3}})),
        );
        assert_ne!(a, c);
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(valid_key("3f1c-22aa"));
        assert!(!valid_key(""));
        assert!(!valid_key("with space"));
        assert!(!valid_key(&"k".repeat(256)));
    }

    #[test]
    fn only_responses_with_data_count_as_acted() {
        assert!(acted(&json!({"data": {"a": {"id": 1}, "b": null}})));
        assert!(!acted(&json!({"data": {"a": null}, "errors": [{}]})));
        assert!(!acted(&json!({"errors": [{}]})));
    }
}
