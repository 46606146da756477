//! PostgreSQL only: `em_positions` is partitioned by range of `fix_at`, one partition a
//! UTC day (`em_positions_pYYYYMMDD`), and a default partition for a fix outside them (a
//! device's clock far off, a buffered upload older than the oldest day), so no fix is
//! ever refused. The retention sweep creates the days ahead and drops the days past
//! retention whole; SQLite keeps one plain table and deletes in bulk.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, TransactionTrait};

/// The positions table.
pub const PARENT: &str = "em_positions";
/// Days of partitions kept ready ahead of today.
pub const DAYS_AHEAD: i64 = 3;
/// Serialises partition changes between replicas (`pg_advisory_xact_lock`).
const LOCK_KEY: i64 = 0x656d_7061_7274; // "emp art"

/// The name of the partition of `day`.
pub fn name(day: NaiveDate) -> String {
    format!("{PARENT}_p{}", day.format("%Y%m%d"))
}

/// The default partition of `parent`.
pub fn default_of(parent: &str) -> String {
    format!("{parent}_default")
}

fn day_of(partition: &str) -> Option<NaiveDate> {
    let digits = partition.strip_prefix(PARENT)?.strip_prefix("_p")?;
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

async fn exec<C: ConnectionTrait>(db: &C, sql: String) -> Result<(), DbErr> {
    db.execute_unprepared(&sql).await.map(|_| ())
}

/// The day partitions of `em_positions`, by day.
pub async fn days<C: ConnectionTrait>(db: &C) -> Result<Vec<NaiveDate>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT c.relname::text AS name FROM pg_inherits i \
                 JOIN pg_class c ON c.oid = i.inhrelid \
                 WHERE i.inhparent = '{PARENT}'::regclass"
            ),
        ))
        .await?;
    let mut out: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "name").ok())
        .filter_map(|n| day_of(&n))
        .collect();
    out.sort();
    Ok(out)
}

/// Create the partition of `day` under `parent` unless it is there, inside the caller's
/// transaction: the default partition is locked, any of its rows of that day move into
/// the new partition, which is then attached. Returns whether it was created.
pub async fn ensure_day<C: ConnectionTrait>(db: &C, parent: &str, day: NaiveDate) -> Result<bool, DbErr> {
    let part = name(day);
    let dflt = default_of(parent);
    exec(db, format!("SELECT pg_advisory_xact_lock({LOCK_KEY})")).await?;
    let found = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT to_regclass('{part}') IS NOT NULL AS found"),
        ))
        .await?
        .and_then(|r| r.try_get::<bool>("", "found").ok())
        .unwrap_or(false);
    if found {
        return Ok(false);
    }
    let next = day + Duration::days(1);
    let range = format!("fix_at >= '{day} 00:00:00+00' AND fix_at < '{next} 00:00:00+00'");
    // EXCLUSIVE keeps writers out of the default partition until the day is attached.
    exec(db, format!("LOCK TABLE {dflt} IN EXCLUSIVE MODE")).await?;
    exec(
        db,
        format!("CREATE TABLE {part} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"),
    )
    .await?;
    exec(
        db,
        format!("INSERT INTO {part} SELECT * FROM {dflt} WHERE {range}"),
    )
    .await?;
    exec(db, format!("DELETE FROM {dflt} WHERE {range}")).await?;
    exec(
        db,
        format!(
            "ALTER TABLE {parent} ATTACH PARTITION {part} \
             FOR VALUES FROM ('{day} 00:00:00+00') TO ('{next} 00:00:00+00')"
        ),
    )
    .await?;
    Ok(true)
}

/// What a pass over the partitions did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Maintained {
    pub created: usize,
    pub dropped: usize,
}

/// Create the partitions from today to [`DAYS_AHEAD`] days ahead, and drop those whose
/// whole day lies before `cutoff`. Each change is a transaction of its own.
pub async fn maintain(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
    cutoff: DateTime<Utc>,
) -> Result<Maintained, DbErr> {
    let mut done = Maintained::default();
    let today = at.date_naive();
    for d in 0..=DAYS_AHEAD {
        let txn = db.begin().await?;
        if ensure_day(&txn, PARENT, today + Duration::days(d)).await? {
            done.created += 1;
        }
        txn.commit().await?;
    }
    let last_whole_day = cutoff.date_naive() - Duration::days(1);
    for day in days(db).await? {
        if day > last_whole_day {
            continue;
        }
        let txn = db.begin().await?;
        exec(&txn, format!("SELECT pg_advisory_xact_lock({LOCK_KEY})")).await?;
        exec(&txn, format!("DROP TABLE IF EXISTS {}", name(day))).await?;
        txn.commit().await?;
        done.dropped += 1;
    }
    Ok(done)
}

/// The PostgreSQL migration: `em_positions` recreated partitioned by day (primary key
/// and the vendor-event key include `fix_at`, as a partitioned table's unique keys must),
/// with a default partition and the days from the oldest stored fix (at most 400 days
/// back) to [`DAYS_AHEAD`] ahead; the stored fixes are copied over.
pub async fn partition_positions<C: ConnectionTrait>(db: &C, today: NaiveDate) -> Result<(), DbErr> {
    let new = "em_positions_by_day";
    exec(
        db,
        format!(
            "CREATE TABLE {new} (
                id bigserial NOT NULL,
                activation_id bigint NOT NULL REFERENCES em_activations (id) ON DELETE CASCADE,
                vendor_id bigint NOT NULL,
                vendor_event_id varchar(128) NOT NULL,
                fix_at timestamp with time zone NOT NULL,
                lat double precision NOT NULL,
                lon double precision NOT NULL,
                accuracy_m double precision NOT NULL,
                speed_mps double precision NULL,
                heading_deg double precision NULL,
                received_at timestamp with time zone NOT NULL,
                PRIMARY KEY (id, fix_at)
            ) PARTITION BY RANGE (fix_at)"
        ),
    )
    .await?;
    exec(
        db,
        format!("CREATE TABLE {} PARTITION OF {new} DEFAULT", default_of(PARENT)),
    )
    .await?;
    let oldest = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT MIN(fix_at) AS oldest FROM {PARENT}"),
        ))
        .await?
        .and_then(|r| r.try_get::<Option<DateTime<Utc>>>("", "oldest").ok().flatten())
        .map_or(today, |t| t.date_naive())
        .max(today - Duration::days(400));
    let mut day = oldest.min(today - Duration::days(7));
    while day <= today + Duration::days(DAYS_AHEAD) {
        // The default partition is still named after the final table; the day
        // partitions attach to the new one.
        ensure_day_under(db, new, day).await?;
        day += Duration::days(1);
    }
    exec(
        db,
        format!(
            "INSERT INTO {new} (id, activation_id, vendor_id, vendor_event_id, fix_at, lat, lon, \
             accuracy_m, speed_mps, heading_deg, received_at) \
             SELECT id, activation_id, vendor_id, vendor_event_id, fix_at, lat, lon, accuracy_m, \
             speed_mps, heading_deg, received_at FROM {PARENT}"
        ),
    )
    .await?;
    exec(
        db,
        format!(
            "SELECT setval(pg_get_serial_sequence('{new}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {new}), 0) + 1, false)"
        ),
    )
    .await?;
    exec(db, format!("DROP TABLE {PARENT}")).await?;
    exec(db, format!("ALTER TABLE {new} RENAME TO {PARENT}")).await?;
    for sql in [
        format!("CREATE INDEX idx_em_positions_activation_id_fix_at ON {PARENT} (activation_id, fix_at)"),
        format!("CREATE INDEX idx_em_positions_fix_at ON {PARENT} (fix_at)"),
        format!(
            "CREATE UNIQUE INDEX idx_em_positions_vendor_id_vendor_event_id_fix_at \
             ON {PARENT} (vendor_id, vendor_event_id, fix_at)"
        ),
    ] {
        exec(db, sql).await?;
    }
    Ok(())
}

/// [`ensure_day`] while the default partition is named after [`PARENT`] but hangs under
/// `parent` (during the migration).
async fn ensure_day_under<C: ConnectionTrait>(db: &C, parent: &str, day: NaiveDate) -> Result<(), DbErr> {
    let part = name(day);
    let next = day + Duration::days(1);
    exec(
        db,
        format!(
            "CREATE TABLE {part} PARTITION OF {parent} \
             FOR VALUES FROM ('{day} 00:00:00+00') TO ('{next} 00:00:00+00')"
        ),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_carry_their_day() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        assert_eq!(name(d), "em_positions_p20261207");
        assert_eq!(day_of(&name(d)), Some(d));
        assert_eq!(day_of("em_positions_default"), None);
    }
}
