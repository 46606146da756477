//! Claiming due deliveries with a lease, in one statement.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

use super::Sender;

impl Sender {
    /// Claim up to `limit` due deliveries for `lease`, and return their ids.
    pub async fn claim(&self, limit: u64) -> Result<Vec<i64>, DbErr> {
        let backend = self.db.get_database_backend();
        let lock = match backend {
            DatabaseBackend::Postgres => "FOR UPDATE OF d SKIP LOCKED",
            _ => "",
        };
        let now = crate::db::now();
        let until = now + chrono::Duration::from_std(self.lease).unwrap_or_default();
        let sql = format!(
            "UPDATE webhook_deliveries SET claimed_until = ? WHERE id IN (\
               SELECT d.id FROM webhook_deliveries d \
               JOIN webhook_endpoints e ON e.id = d.endpoint_id \
               WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? \
                 AND (d.claimed_until IS NULL OR d.claimed_until < ?) \
                 AND e.active = ? \
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o \
                   WHERE o.endpoint_id = d.endpoint_id AND o.status = 'PENDING' AND o.id < d.id) \
               ORDER BY d.id LIMIT ? {lock}) \
             RETURNING id"
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                numbered(&sql, backend),
                [
                    until.into(),
                    now.into(),
                    now.into(),
                    true.into(),
                    (limit as i64).into(),
                ],
            ))
            .await?;
        rows.iter().map(|r| r.try_get::<i64>("", "id")).collect()
    }
}

/// `?` placeholders as PostgreSQL's `$1, $2, …`; SQLite takes them as they are.
fn numbered(sql: &str, backend: DatabaseBackend) -> String {
    if backend != DatabaseBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        assert_eq!(
            numbered("a = ? AND b = ?", DatabaseBackend::Postgres),
            "a = $1 AND b = $2"
        );
        assert_eq!(numbered("a = ?", DatabaseBackend::Sqlite), "a = ?");
    }
}
