//! The one statement of a validation: every assessed case of the period in the caller's
//! scope, labelled by the outcome definition, counted in one `GROUP BY` by sex, age
//! band, region, total, level, outcome and whether the case is labelled yet.
//!
//! Per case, the first assessment of the instrument in the period is the index
//! assessment (`ROW_NUMBER()` over the case's assessments, from `(case_id, id)`); the
//! outcome is an `EXISTS` probe into the case's violations (`(case_id, occurred_at)`) and
//! status changes (`(case_id, id)`) within the window. Only counts leave the database.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection};

use crate::case::entity::{CaseStatus, RiskLevel, case};
use crate::error::{ApiError, ApiResult};
use crate::person::entity::Sex;
use crate::risk::entity as assessment;
use crate::risk::outcome::OutcomeDefinition;

/// Age bands at the assessment: under 25, 25–34, 35–44, 45–54, 55 and over.
pub const AGE_BANDS: [&str; 5] = ["UNDER_25", "25_34", "35_44", "45_54", "55_PLUS"];

/// One grouped row.
#[derive(Debug, Clone)]
pub struct Row {
    pub sex: Option<Sex>,
    /// Index into [`AGE_BANDS`].
    pub age_band: usize,
    pub region_id: i64,
    pub total: i32,
    pub level: RiskLevel,
    pub outcome: bool,
    pub labelled: bool,
    pub count: u64,
}

/// What to count: the instrument, the period of the index assessments, the definition
/// and the cases (access and territory, as a condition on `cases`).
pub struct Counting<'a> {
    pub instrument: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub outcome: &'a OutcomeDefinition,
    pub cases: Condition,
    pub now: DateTime<Utc>,
}

fn quoted(values: impl IntoIterator<Item = String>) -> Option<String> {
    let v: Vec<String> = values
        .into_iter()
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect();
    (!v.is_empty()).then(|| v.join(", "))
}

/// `EXISTS` a recorded outcome of the case within the window after the assessment.
pub(crate) fn outcome_sql(backend: DatabaseBackend, d: &OutcomeDefinition) -> String {
    let days = d.window_days;
    let within = |col: &str| match backend {
        DatabaseBackend::Postgres => {
            format!("{col} > ia.assessed_at AND {col} <= ia.assessed_at + INTERVAL '{days} days'")
        }
        _ => format!(
            "julianday({col}) > julianday(ia.assessed_at) AND julianday({col}) <= julianday(ia.assessed_at) + {days}"
        ),
    };
    let mut any = Vec::new();
    let mut kinds = Vec::new();
    if let Some(k) = quoted(d.violation_kinds.iter().map(|k| k.to_value())) {
        kinds.push(format!("v.kind IN ({k})"));
    }
    if let Some(s) = quoted(d.violation_severities.iter().map(|s| s.to_value())) {
        kinds.push(format!("v.severity IN ({s})"));
    }
    if !kinds.is_empty() {
        any.push(format!(
            "EXISTS (SELECT 1 FROM violations v WHERE v.case_id = ia.case_id AND ({}) AND {})",
            kinds.join(" OR "),
            within("v.occurred_at")
        ));
    }
    if let Some(st) = quoted(d.case_statuses.iter().map(|s| s.to_value())) {
        any.push(format!(
            "EXISTS (SELECT 1 FROM case_status_changes sc WHERE sc.case_id = ia.case_id AND sc.to_status IN ({st}) AND {})",
            within("sc.changed_at")
        ));
    }
    if any.is_empty() {
        return "0".into();
    }
    format!("CASE WHEN {} THEN 1 ELSE 0 END", any.join(" OR "))
}

/// Age in whole years at the assessment.
pub(crate) fn age_sql(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => {
            "CAST(EXTRACT(YEAR FROM AGE(CAST(risk_assessments.assessed_at AT TIME ZONE 'UTC' AS DATE), persons.birth_date)) AS INTEGER)"
        }
        _ => {
            "(CAST(strftime('%Y', risk_assessments.assessed_at) AS INTEGER) - CAST(strftime('%Y', persons.birth_date) AS INTEGER) \
             - (strftime('%m-%d', risk_assessments.assessed_at) < strftime('%m-%d', persons.birth_date)))"
        }
    }
}

/// Assessments joined to their case and person, with the case's region, the person's
/// sex and age at the assessment, and `rn`, the assessment's place among its case's (1
/// for the first): the base the instrument's validation and the learned model both
/// read. Callers add the assessment columns they need and their condition.
pub(crate) fn numbered_assessments(backend: DatabaseBackend) -> SelectStatement {
    let ra = || Alias::new("risk_assessments");
    let mut q = Query::select();
    q.column((case::Entity, case::Column::RegionId))
        .expr_as(Expr::cust("persons.sex"), Alias::new("sex"))
        .expr_as(Expr::cust(age_sql(backend)), Alias::new("age"))
        .expr_as(
            Expr::cust(
                "ROW_NUMBER() OVER (PARTITION BY risk_assessments.case_id ORDER BY risk_assessments.assessed_at, risk_assessments.id)",
            ),
            Alias::new("rn"),
        )
        .from(ra())
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id)).equals((ra(), assessment::Column::CaseId)),
        )
        .inner_join(
            Alias::new("persons"),
            Expr::col((Alias::new("persons"), Alias::new("id"))).equals((case::Entity, case::Column::PersonId)),
        );
    q
}

/// Run the count.
pub async fn count(db: &DatabaseConnection, c: Counting<'_>) -> ApiResult<Vec<Row>> {
    let backend = db.get_database_backend();
    let ra = || Alias::new("risk_assessments");
    let mut inner = numbered_assessments(backend);
    inner
        .column((ra(), assessment::Column::CaseId))
        .column((ra(), assessment::Column::Total))
        .column((ra(), assessment::Column::ComputedLevel))
        .column((ra(), assessment::Column::AssessedAt))
        .column((case::Entity, case::Column::Status))
        .cond_where(
            Condition::all()
                .add(c.cases)
                .add(assessment::Column::InstrumentVersion.eq(c.instrument))
                .add(assessment::Column::AssessedAt.gte(c.start))
                .add(assessment::Column::AssessedAt.lt(c.end)),
        );
    let window_passed = c.now - Duration::days(i64::from(c.outcome.window_days));
    let closed = [CaseStatus::Completed, CaseStatus::Revoked].map(|s| s.to_value());
    let labelled = Expr::col((Alias::new("ia"), Alias::new("assessed_at")))
        .lte(window_passed)
        .or(Expr::col((Alias::new("ia"), Alias::new("status"))).is_in(closed));
    let band = "CASE WHEN ia.age < 25 THEN 0 WHEN ia.age < 35 THEN 1 WHEN ia.age < 45 THEN 2 WHEN ia.age < 55 THEN 3 ELSE 4 END";
    let mut labelled_cases = Query::select();
    labelled_cases
        .expr_as(Expr::cust("ia.sex"), Alias::new("sex"))
        .expr_as(Expr::cust(band), Alias::new("age_band"))
        .expr_as(Expr::cust("ia.region_id"), Alias::new("region_id"))
        .expr_as(Expr::cust("ia.total"), Alias::new("total"))
        .expr_as(Expr::cust("ia.computed_level"), Alias::new("level"))
        .expr_as(Expr::cust(outcome_sql(backend, c.outcome)), Alias::new("outcome"))
        .expr_as(
            Expr::case(labelled, Expr::val(1)).finally(Expr::val(0)),
            Alias::new("labelled"),
        )
        .from_subquery(inner, Alias::new("ia"))
        .and_where(Expr::cust("ia.rn = 1"));
    let cols = [
        "sex",
        "age_band",
        "region_id",
        "total",
        "level",
        "outcome",
        "labelled",
    ];
    let mut grouped = Query::select();
    for col in cols {
        grouped.column((Alias::new("lc"), Alias::new(col)));
        grouped.add_group_by([Expr::col((Alias::new("lc"), Alias::new(col)))]);
    }
    grouped
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(labelled_cases, Alias::new("lc"));
    let rows = db.query_all_raw(backend.build(&grouped)).await?;
    rows.iter()
        .map(|r| {
            let sex: Option<String> = r.try_get("", "sex")?;
            let level: String = r.try_get("", "level")?;
            let int = |col: &str| -> ApiResult<i64> {
                // SQLite hands integers back as i64 whatever the expression; PostgreSQL's
                // CASE and COUNT are int4 and int8.
                r.try_get::<i64>("", col)
                    .or_else(|_| r.try_get::<i32>("", col).map(i64::from))
                    .map_err(Into::into)
            };
            Ok(Row {
                sex: sex.and_then(|s| Sex::try_from_value(&s).ok()),
                age_band: usize::try_from(int("age_band")?)
                    .unwrap_or(0)
                    .min(AGE_BANDS.len() - 1),
                region_id: int("region_id")?,
                total: i32::try_from(int("total")?).unwrap_or(0),
                level: RiskLevel::try_from_value(&level)
                    .map_err(|_| ApiError::Internal(anyhow::anyhow!("unknown level {level}")))?,
                outcome: int("outcome")? == 1,
                labelled: int("labelled")? == 1,
                count: u64::try_from(int("n")?).unwrap_or(0),
            })
        })
        .collect()
}
