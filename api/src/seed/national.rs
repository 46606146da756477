//! National-scale synthetic data for benchmarks: every district of the classifier with
//! its mahallas (about 46 each, 9,400 in all), a probation service and an internal-affairs
//! unit per district with an officer and an inspector, and a chosen number of people and
//! cases with their conditions, status history, appointments, violations and notes.
//!
//! Rows are written in multi-row INSERTs, not through the services: this is bulk test
//! data, and it must load in minutes. Ids are assigned here (after the highest existing
//! id) so that children can reference parents without reading them back.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
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
}

impl Default for Scale {
    fn default() -> Self {
        Self {
            cases: 200_000,
            mahallas_per_district: 46,
            appointments_per_case: 15,
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
    let mut mahalla_id = next_id(db, "mahallas").await?;
    let mut mahallas: Vec<(i64, i64, i64)> = Vec::new(); // (mahalla, district, region)
    let mut rows = Vec::new();
    for d in &districts {
        for n in 0..scale.mahallas_per_district {
            rows.push(vec![
                mahalla_id.into(),
                d.id.into(),
                d.region_id.into(),
                format!("{} mahalla {}", d.soato, n + 1).into(),
                Value::String(None),
                at.into(),
            ]);
            mahallas.push((mahalla_id, d.id, d.region_id));
            mahalla_id += 1;
        }
    }
    out.mahallas = insert(
        db,
        "mahallas",
        &["id", "district_id", "region_id", "name", "code", "created_at"],
        rows,
    )
    .await?;

    progress("organisations and staff");
    let hash = st
        .hasher
        .hash(&secrecy::SecretString::from(BENCH_PASSWORD))
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let mut org_id = next_id(db, "organisations").await?;
    let mut user_id = next_id(db, "users").await?;
    let (mut orgs, mut users, mut roles, mut scopes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for d in &districts {
        let (probation, police) = (org_id, org_id + 1);
        org_id += 2;
        for (id, name, kind) in [
            (
                probation,
                format!("Bench probation {}", d.soato),
                "PROBATION_SERVICE",
            ),
            (police, format!("Bench police {}", d.soato), "INTERNAL_AFFAIRS"),
        ] {
            orgs.push(vec![
                id.into(),
                name.into(),
                kind.into(),
                Some(d.region_id).into(),
                Some(d.id).into(),
                Value::BigInt(None),
                true.into(),
                at.into(),
                at.into(),
            ]);
        }
        let (officer, inspector) = (user_id, user_id + 1);
        user_id += 2;
        for (id, org, name, role) in [
            (
                officer,
                probation,
                format!("officer.{}", d.soato),
                "PROBATION_OFFICER",
            ),
            (
                inspector,
                police,
                format!("inspector.{}", d.soato),
                "PREVENTION_INSPECTOR",
            ),
        ] {
            users.push(vec![
                id.into(),
                org.into(),
                name.clone().into(),
                name.into(),
                "PERSON".into(),
                Some(hash.clone()).into(),
                Value::String(None),
                Value::String(None),
                true.into(),
                at.into(),
                at.into(),
            ]);
            roles.push(vec![id.into(), role.into()]);
        }
        scopes.push(vec![
            inspector.into(),
            Value::BigInt(None),
            Some(d.id).into(),
            Value::BigInt(None),
        ]);
        out.staff.push((d.id, officer, inspector));
    }
    insert(
        db,
        "organisations",
        &[
            "id",
            "name",
            "kind",
            "region_id",
            "district_id",
            "mahalla_id",
            "active",
            "created_at",
            "updated_at",
        ],
        orgs,
    )
    .await?;
    insert(
        db,
        "users",
        &[
            "id",
            "organisation_id",
            "username",
            "display_name",
            "kind",
            "password_hash",
            "client_id",
            "client_secret_hash",
            "active",
            "created_at",
            "updated_at",
        ],
        users,
    )
    .await?;
    insert(db, "user_roles", &["user_id", "role"], roles).await?;
    insert(
        db,
        "user_territories",
        &["user_id", "region_id", "district_id", "mahalla_id"],
        scopes,
    )
    .await?;

    // Officers and their probation services were numbered in step above.
    let first_org = org_id - 2 * out.staff.len() as i64;
    let by_district: std::collections::HashMap<i64, (i64, i64)> =
        out.staff.iter().map(|(d, o, i)| (*d, (*o, *i))).collect();
    let org_by_officer: std::collections::HashMap<i64, i64> = out
        .staff
        .iter()
        .enumerate()
        .map(|(idx, (_, o, _))| (*o, first_org + 2 * idx as i64))
        .collect();
    let staff_of = |district_id: i64| by_district.get(&district_id).copied().unwrap_or((0, 0));
    let org_of_officer = |officer: i64| org_by_officer.get(&officer).copied().unwrap_or(0);

    progress("people and cases");
    let first_person = next_id(db, "persons").await?;
    let first_case = next_id(db, "cases").await?;
    let today = at.date_naive();
    let statuses = [
        "ACTIVE",
        "ACTIVE",
        "ACTIVE",
        "ACTIVE",
        "ACTIVE",
        "ACTIVE",
        "ACTIVE",
        "PENDING",
        "SUSPENDED",
        "COMPLETED",
        "COMPLETED",
        "REVOKED",
    ];
    let risks = ["LOW", "MEDIUM", "MEDIUM", "HIGH", "VERY_HIGH"];
    let case_place = |i: usize| mahallas[(i * 7919) % mahallas.len()];
    let people = (0..scale.cases).map(|i| {
        let (m, d, r) = case_place(i);
        let (officer, _) = staff_of(d);
        let birth = NaiveDate::from_ymd_opt(1960 + (i % 45) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
            .unwrap_or_default();
        vec![
            (first_person + i as i64).into(),
            format!("3{:013}", first_person + i as i64).into(),
            format!("Familiya{}", i % 5000).into(),
            format!("Ism{}", i % 700).into(),
            Value::String(None),
            birth.into(),
            Value::String(None),
            m.into(),
            d.into(),
            r.into(),
            Value::String(None),
            Value::String(None),
            serde_json::json!(["uz"]).into(),
            Value::String(None),
            Value::Int(None),
            org_of_officer(officer).into(),
            at.into(),
            at.into(),
        ]
    });
    insert(
        db,
        "persons",
        &[
            "id",
            "pinfl",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "sex",
            "mahalla_id",
            "district_id",
            "region_id",
            "address",
            "phone",
            "languages",
            "family_status",
            "dependants",
            "organisation_id",
            "created_at",
            "updated_at",
        ],
        people,
    )
    .await?;
    let start_of = |i: usize| today - Duration::days(30 + (i % 700) as i64);
    let cases = (0..scale.cases).map(|i| {
        let (m, d, r) = case_place(i);
        let (officer, inspector) = staff_of(d);
        let start = start_of(i);
        vec![
            (first_case + i as i64).into(),
            (first_person + i as i64).into(),
            "RESTRICTION_OF_LIBERTY".into(),
            statuses[i % statuses.len()].into(),
            "Jinoyat ishlari bo'yicha tuman sudi".into(),
            (start - Duration::days(20)).into(),
            Some(format!("{}-modda", 100 + i % 200)).into(),
            start.into(),
            (start + Duration::days(365 * (1 + (i % 3) as i64))).into(),
            org_of_officer(officer).into(),
            Some(officer).into(),
            Some(inspector).into(),
            m.into(),
            d.into(),
            r.into(),
            Some(risks[i % risks.len()].to_owned()).into(),
            Value::String(None),
            at.into(),
            at.into(),
            at.into(),
        ]
    });
    out.cases = insert(
        db,
        "cases",
        &[
            "id",
            "person_id",
            "kind",
            "status",
            "court_name",
            "court_decision_date",
            "criminal_code_article",
            "sentence_start",
            "sentence_end",
            "organisation_id",
            "officer_id",
            "inspector_id",
            "mahalla_id",
            "district_id",
            "region_id",
            "risk_level",
            "status_reason",
            "status_changed_at",
            "created_at",
            "updated_at",
        ],
        cases,
    )
    .await?;

    progress("conditions and status history");
    let curfew = (
        NaiveTime::from_hms_opt(22, 0, 0),
        NaiveTime::from_hms_opt(6, 0, 0),
    );
    let conditions = (0..scale.cases).flat_map(|i| {
        let case = first_case + i as i64;
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        [
            vec![
                case.into(),
                "CURFEW".into(),
                curfew.0.into(),
                curfew.1.into(),
                Value::Int(None),
                officer.into(),
                at.into(),
            ],
            vec![
                case.into(),
                "REPORTING".into(),
                Option::<NaiveTime>::None.into(),
                Option::<NaiveTime>::None.into(),
                Some(14).into(),
                officer.into(),
                at.into(),
            ],
        ]
    });
    insert(
        db,
        "case_conditions",
        &[
            "case_id",
            "kind",
            "curfew_start",
            "curfew_end",
            "report_every_days",
            "created_by",
            "created_at",
        ],
        conditions,
    )
    .await?;
    let history = (0..scale.cases).map(|i| {
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        vec![
            (first_case + i as i64).into(),
            Option::<String>::None.into(),
            statuses[i % statuses.len()].into(),
            officer.into(),
            at.into(),
        ]
    });
    insert(
        db,
        "case_status_changes",
        &["case_id", "from_status", "to_status", "changed_by", "changed_at"],
        history,
    )
    .await?;

    progress("appointments");
    let kinds = ["OFFICE_REPORT", "OFFICE_REPORT", "HOME_VISIT", "PHONE"];
    let appointments = (0..scale.cases).flat_map(|i| {
        let case = first_case + i as i64;
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        let start = start_of(i);
        (0..scale.appointments_per_case).map(move |k| {
            let when = Utc.from_utc_datetime(&start.and_hms_opt(10, 0, 0).unwrap_or_default())
                + Duration::days(14 * k as i64);
            let past = when < at;
            let outcome = if !past {
                None
            } else if (i + k) % 11 == 0 {
                Some("MISSED")
            } else {
                Some("ATTENDED")
            };
            vec![
                case.into(),
                kinds[k % kinds.len()].into(),
                when.into(),
                outcome.map(str::to_owned).into(),
                past.then_some(when).into(),
                past.then_some(officer).into(),
                officer.into(),
                at.into(),
            ]
        })
    });
    out.appointments = insert(
        db,
        "appointments",
        &[
            "case_id",
            "kind",
            "scheduled_at",
            "outcome",
            "outcome_recorded_at",
            "outcome_recorded_by",
            "created_by",
            "created_at",
        ],
        appointments,
    )
    .await?;

    progress("violations and notes");
    let violations = (0..scale.cases).filter(|i| i % 4 == 0).map(|i| {
        let (_, d, _) = case_place(i);
        let (_, inspector) = staff_of(d);
        vec![
            (first_case + i as i64).into(),
            "CURFEW_BREACH".into(),
            "MINOR".into(),
            (at - Duration::days((i % 60) as i64)).into(),
            "Kechki nazoratda uyda bo'lmagan".into(),
            inspector.into(),
            at.into(),
        ]
    });
    insert(
        db,
        "violations",
        &[
            "case_id",
            "kind",
            "severity",
            "occurred_at",
            "description",
            "recorded_by",
            "created_at",
        ],
        violations,
    )
    .await?;
    let notes = (0..scale.cases).map(|i| {
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        vec![
            (first_case + i as i64).into(),
            officer.into(),
            org_of_officer(officer).into(),
            ["MAHALLA", "AGENCIES", "PROBATION"][i % 3].into(),
            "Nazorat rejasi bo'yicha suhbat o'tkazildi".into(),
            at.into(),
        ]
    });
    insert(
        db,
        "case_notes",
        &[
            "case_id",
            "author_id",
            "organisation_id",
            "visibility",
            "body",
            "created_at",
        ],
        notes,
    )
    .await?;

    progress("sequences and statistics");
    finish(db, &["mahallas", "organisations", "users", "persons", "cases"]).await?;
    Ok(out)
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
