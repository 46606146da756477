//! National-scale synthetic data for benchmarks: every district of the classifier with
//! its mahallas (about 46 each, 9,400 in all), a probation service and an internal-affairs
//! unit per district with an officer and an inspector, and a chosen number of people and
//! cases with their conditions, status history, appointments, violations and notes.
//!
//! Rows are written in multi-row INSERTs, not through the services: this is bulk test
//! data, and it must load in minutes. Ids are assigned here (after the highest existing
//! id) so that children can reference parents without reading them back.
//!
//! `places.rs` writes the mahallas and the staff of every district, `cases.rs` the
//! people and cases, `records.rs` their appointments, violations and notes, `risk.rs`
//! one HRA-1 assessment per case and the outcomes that followed, drawn by the documented
//! process of [`crate::seed::risk_process`] (which also gives each person's sex, and
//! revokes the cases whose outcome was a revocation).

mod cases;
mod places;
mod records;
mod risk;

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};

use crate::db::now;
use crate::state::AppState;
use crate::territory::entity::district;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub cases: usize,
    pub mahallas_per_district: usize,
    pub appointments_per_case: usize,
    /// The process drawing assessments and outcomes (and its optional bias).
    pub risk: crate::seed::risk_process::Process,
}

impl Default for Scale {
    fn default() -> Self {
        Self {
            cases: 200_000,
            mahallas_per_district: 46,
            appointments_per_case: 15,
            risk: crate::seed::risk_process::Process::default(),
        }
    }
}

/// Password of the generated staff accounts.
pub const BENCH_PASSWORD: &str = "hamkor-bench-2026";

/// What was generated, and who to act as when measuring.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub mahallas: usize,
    pub cases: usize,
    pub appointments: usize,
    /// (district id, officer user id, inspector user id), per district.
    pub staff: Vec<(i64, i64, i64)>,
    /// What the risk process drew for each case, in case order (the truth a validation
    /// is checked against).
    pub risk: Vec<crate::seed::risk_process::Draw>,
}

const BATCH: usize = 1_000;

/// The next free id of `table` (seeding writes ids itself, then moves the sequences).
pub async fn next_id(db: &DatabaseConnection, table: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"),
        ))
        .await?;
    Ok(row.map(|r| r.try_get::<i64>("", "m")).transpose()?.unwrap_or(0) + 1)
}

/// Insert `rows` into `table` in batches.
pub async fn insert(
    db: &DatabaseConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> anyhow::Result<usize> {
    let mut count = 0;
    let mut batch = Vec::with_capacity(BATCH);
    let flush = |batch: Vec<Vec<Value>>| async move {
        if batch.is_empty() {
            return Ok::<(), anyhow::Error>(());
        }
        let mut stmt = Query::insert();
        stmt.into_table(Alias::new(table))
            .columns(columns.iter().map(|c| Alias::new(*c)));
        for row in batch {
            stmt.values_panic(row.into_iter().map(Expr::val));
        }
        db.execute(&stmt).await?;
        Ok(())
    };
    for row in rows {
        batch.push(row);
        count += 1;
        if batch.len() == BATCH {
            flush(std::mem::take(&mut batch)).await?;
        }
    }
    flush(batch).await?;
    Ok(count)
}

/// Generate national-scale data into `st`'s database (which must hold the admin, as
/// after a first start). `progress` is told what is being written.
pub async fn generate(st: &AppState, scale: Scale, progress: impl Fn(&str)) -> anyhow::Result<Generated> {
    use sea_orm::EntityTrait;
    let db = &st.db;
    progress("territorial classifier");
    super::territories::load(db).await?;
    let districts = district::Entity::find().all(db).await?;
    let at = now();
    let mut out = Generated::default();

    progress("mahallas");
    let (mahallas, written) = places::mahallas(st, &districts, scale, at).await?;
    out.mahallas = written;

    progress("organisations and staff");
    let (staff, first_org) = places::staff(st, &districts, at).await?;
    out.staff = staff;

    progress("people and cases");
    let world = World::new(db, mahallas, &out.staff, first_org, at, scale).await?;
    cases::people(db, &world, scale).await?;
    out.cases = cases::cases(db, &world, scale).await?;

    progress("conditions and status history");
    cases::conditions(db, &world, scale).await?;
    cases::history(db, &world, scale).await?;

    progress("appointments");
    out.appointments = records::appointments(db, &world, scale).await?;

    progress("violations and notes");
    records::violations(db, &world, scale).await?;
    records::notes(db, &world, scale).await?;

    progress("risk assessments and outcomes");
    risk::assessments(db, &world).await?;
    risk::outcomes(db, &world).await?;

    progress("sequences and statistics");
    finish(db, &["mahallas", "organisations", "users", "persons", "cases"]).await?;
    out.risk = world.draws;
    Ok(out)
}

/// Where the generated cases are and who works them, shared by the writers of the
/// cases and of their records.
struct World {
    at: DateTime<Utc>,
    today: NaiveDate,
    mahallas: places::Mahallas,
    /// District → (officer, inspector).
    by_district: HashMap<i64, (i64, i64)>,
    /// Officer → their probation service.
    org_by_officer: HashMap<i64, i64>,
    first_person: i64,
    first_case: i64,
    /// The risk process's draw of each case.
    draws: Vec<crate::seed::risk_process::Draw>,
}

impl World {
    async fn new(
        db: &DatabaseConnection,
        mahallas: places::Mahallas,
        staff: &[(i64, i64, i64)],
        first_org: i64,
        at: DateTime<Utc>,
        scale: Scale,
    ) -> anyhow::Result<Self> {
        let by_district = staff.iter().map(|(d, o, i)| (*d, (*o, *i))).collect();
        let org_by_officer = staff
            .iter()
            .enumerate()
            .map(|(idx, (_, o, _))| (*o, first_org + 2 * idx as i64))
            .collect();
        let mut w = Self {
            at,
            today: at.date_naive(),
            mahallas,
            by_district,
            org_by_officer,
            first_person: next_id(db, "persons").await?,
            first_case: next_id(db, "cases").await?,
            draws: Vec::new(),
        };
        w.draws = (0..scale.cases)
            .map(|i| {
                let facts = crate::seed::risk_process::CaseFacts {
                    index: i,
                    region_id: w.place(i).2,
                    birth: w.birth_of(i),
                    assessed_at: w.assessed_at(i),
                };
                crate::seed::risk_process::draw(&scale.risk, &facts)
            })
            .collect();
        Ok(w)
    }

    /// The birth date of the `i`-th person.
    fn birth_of(&self, i: usize) -> NaiveDate {
        NaiveDate::from_ymd_opt(1960 + (i % 45) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
            .unwrap_or_default()
    }

    /// When the `i`-th case was assessed: within two weeks of the sentence's start.
    fn assessed_at(&self, i: usize) -> DateTime<Utc> {
        let day = self.start_of(i) + Duration::days((i % 14) as i64);
        day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc()
    }

    /// The outcome of the `i`-th case, if it has happened by now.
    fn outcome_of(&self, i: usize) -> Option<(DateTime<Utc>, crate::seed::risk_process::Event)> {
        self.draws.get(i)?.event.filter(|(at, _)| *at <= self.at)
    }

    /// The status of the `i`-th case: REVOKED when its outcome was a revocation, else
    /// by turn (a revocation by turn becomes a completion: only outcomes revoke).
    fn status_of(&self, i: usize) -> &'static str {
        if let Some((_, crate::seed::risk_process::Event::Revocation)) = self.outcome_of(i) {
            return "REVOKED";
        }
        match cases::STATUSES[i % cases::STATUSES.len()] {
            "REVOKED" => "COMPLETED",
            s => s,
        }
    }

    /// The mahalla (with district and region) of the `i`-th case, spread over the country.
    fn place(&self, i: usize) -> (i64, i64, i64) {
        self.mahallas[(i * 7919) % self.mahallas.len()]
    }

    /// The officer and inspector of a district.
    fn staff_of(&self, district_id: i64) -> (i64, i64) {
        self.by_district.get(&district_id).copied().unwrap_or((0, 0))
    }

    /// The probation service of an officer.
    fn org_of_officer(&self, officer: i64) -> i64 {
        self.org_by_officer.get(&officer).copied().unwrap_or(0)
    }

    /// The sentence start of the `i`-th case.
    fn start_of(&self, i: usize) -> NaiveDate {
        self.today - Duration::days(30 + (i % 700) as i64)
    }
}

/// After seeding with explicit ids: move PostgreSQL's sequences of `tables` past them,
/// and refresh the planner's statistics.
pub async fn finish(db: &DatabaseConnection, tables: &[&str]) -> anyhow::Result<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        for table in tables {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}
