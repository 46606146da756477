//! What the benchmark binaries share: timing one GraphQL request over many runs and
//! summarising the times.

use std::time::{Duration, Instant};

use async_graphql::Request;

use crate::HamkorSchema;

/// Not generic (`make` is a trait object, the request runs through [`crate::execute`]):
/// the benchmark binaries compile none of the schema's code again.
///
/// Run the request `make` builds `warmups + iterations` times and keep the times of the
/// last `iterations`; also returns the data of the first run, for a sanity check. Any
/// error fails the benchmark, named `name`.
pub async fn time(
    schema: &HamkorSchema,
    name: &str,
    warmups: usize,
    iterations: usize,
    make: &mut dyn FnMut() -> Request,
) -> anyhow::Result<(Timings, serde_json::Value)> {
    let mut times = Vec::with_capacity(iterations);
    let mut first = serde_json::Value::Null;
    for i in 0..warmups + iterations {
        let req = make();
        let started = Instant::now();
        let resp = crate::execute(schema, req).await;
        let took = started.elapsed();
        if !resp.errors.is_empty() {
            anyhow::bail!("{name}: {:?}", resp.errors);
        }
        if i == 0 {
            first = resp.data.into_json()?;
        }
        if i >= warmups {
            times.push(took);
        }
    }
    times.sort();
    Ok((Timings(times), first))
}

/// Sorted run times.
pub struct Timings(Vec<Duration>);

impl Timings {
    /// The `p` quantile (0 to 1), in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        let Some(last) = self.0.len().checked_sub(1) else {
            return 0.0;
        };
        self.0[(last as f64 * p).round() as usize].as_secs_f64() * 1000.0
    }

    /// The slowest run, in milliseconds.
    pub fn max_ms(&self) -> f64 {
        self.ms(1.0)
    }
}

/// The first column of the first row of `sql`, as an integer.
pub async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    use anyhow::Context as _;
    use sea_orm::ConnectionTrait as _;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Fill an empty database with national-scale data (every district, ~9,400 mahallas,
/// `cases` people and cases, 15 appointments each); a database that has cases is reused.
/// Reports its progress on the terminal, as the benchmark binaries do.
#[allow(clippy::print_stdout)]
pub async fn seed_if_empty(st: &hamkor_api::state::AppState, cases: usize) -> anyhow::Result<()> {
    use hamkor_api::seed::national::{self, Scale};
    let existing = scalar(&st.db, "SELECT COUNT(*) FROM cases").await?;
    if existing > 0 {
        println!("reusing the {existing} cases already in the database");
        return Ok(());
    }
    println!(
        "seeding {cases} cases into {} ...",
        hamkor_api::db::redact(&st.settings.database_url)
    );
    let started = Instant::now();
    let scale = Scale {
        cases,
        ..Scale::default()
    };
    let out = national::generate(st, scale, |step| println!("  {step}")).await?;
    println!(
        "seeded {} mahallas, {} cases, {} appointments in {:.0?}",
        out.mahallas,
        out.cases,
        out.appointments,
        started.elapsed()
    );
    Ok(())
}

/// Who and what the benchmarks read as: the busiest district's officer and inspector,
/// one of its mahallas, its newest active case and that case's person.
pub struct Subjects {
    pub district: i64,
    pub cases_in_district: i64,
    pub officer: i64,
    pub inspector: i64,
    pub mahalla: i64,
    pub case: i64,
    pub person: i64,
}

impl Subjects {
    pub async fn find(db: &sea_orm::DatabaseConnection) -> anyhow::Result<Self> {
        let district = scalar(
            db,
            "SELECT district_id FROM cases GROUP BY district_id ORDER BY COUNT(*) DESC, district_id LIMIT 1",
        )
        .await?;
        let in_district = |sql: &str| sql.replace("$district", &district.to_string());
        let case = scalar(
            db,
            &in_district("SELECT MAX(id) FROM cases WHERE district_id = $district AND status = 'ACTIVE'"),
        )
        .await?;
        Ok(Self {
            district,
            cases_in_district: scalar(
                db,
                &in_district("SELECT COUNT(*) FROM cases WHERE district_id = $district"),
            )
            .await?,
            officer: scalar(
                db,
                &in_district("SELECT officer_id FROM cases WHERE district_id = $district LIMIT 1"),
            )
            .await?,
            inspector: scalar(
                db,
                &in_district("SELECT inspector_id FROM cases WHERE district_id = $district LIMIT 1"),
            )
            .await?,
            mahalla: scalar(
                db,
                &in_district("SELECT MIN(mahalla_id) FROM cases WHERE district_id = $district"),
            )
            .await?,
            case,
            person: scalar(db, &format!("SELECT person_id FROM cases WHERE id = {case}")).await?,
        })
    }
}
