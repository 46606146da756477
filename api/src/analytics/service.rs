//! Mahalla-, district- and region-level figures, computed in the database.
//!
//! Each kind of record is counted by one `GROUP BY` over the cases the caller may
//! supervise (the access rule as a SQL condition, so the figures never leave the
//! caller's territory), joined on the case and filtered by the period with the
//! `(case_id, time)` indexes. Nothing is loaded into memory but one row per territory.
//!
//! Cases are counted as they stand now (status, and risk level of the active ones);
//! appointments, violations, alerts and referrals by when they happened in the period.

use std::collections::BTreeMap;

use async_graphql::Enum;
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryResult,
};

use crate::access::{CaseAccess, cases_with_access};
use crate::alert::entity::alert;
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::error::{ApiError, ApiResult};
use crate::referral::entity::referral;
use crate::supervision::entity::{appointment, violation};

/// The territorial level the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AnalyticsLevel {
    Region,
    District,
    Mahalla,
}

impl AnalyticsLevel {
    fn column(self) -> case::Column {
        match self {
            Self::Region => case::Column::RegionId,
            Self::District => case::Column::DistrictId,
            Self::Mahalla => case::Column::MahallaId,
        }
    }

    /// The GraphQL type name of a unit at this level.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Region => "Region",
            Self::District => "District",
            Self::Mahalla => "Mahalla",
        }
    }
}

/// What to compute: the level, the period (inclusive dates) and an optional narrowing.
#[derive(Debug, Clone, Copy)]
pub struct Dashboard {
    pub level: AnalyticsLevel,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
}

/// Longest period one dashboard covers.
pub const MAX_PERIOD_DAYS: u64 = 3 * 366;

impl Dashboard {
    /// Check the period, naming the offending field.
    pub fn check(&self) -> ApiResult<()> {
        if self.from > self.to {
            return Err(ApiError::bad_input("input.to", "must not be before input.from"));
        }
        if self.to > self.from + Days::new(MAX_PERIOD_DAYS) {
            return Err(ApiError::bad_input(
                "input.to",
                "the period is at most three years",
            ));
        }
        Ok(())
    }

    fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let end = (self.to + Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        (start, end)
    }
}

/// The figures of one territory (or the total over all of them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// The region, district or mahalla id (0 for the total).
    pub territory_id: i64,
    pub cases_pending: i64,
    pub cases_active: i64,
    pub cases_suspended: i64,
    pub cases_completed: i64,
    pub cases_revoked: i64,
    pub active_low: i64,
    pub active_medium: i64,
    pub active_high: i64,
    pub active_very_high: i64,
    pub active_unassessed: i64,
    pub appointments_attended: i64,
    pub appointments_missed: i64,
    pub appointments_excused: i64,
    pub violations: i64,
    pub alerts_raised: i64,
    pub alerts_acknowledged: i64,
    /// Mean minutes from raising to acknowledging, over the acknowledged alerts.
    pub mean_minutes_to_acknowledge: Option<f64>,
    pub referrals_made: i64,
    pub referrals_completed: i64,
    pub referrals_declined: i64,
    pub referrals_cancelled: i64,
    pub employment_referrals: i64,
    pub employment_completed: i64,
    pub education_referrals: i64,
    pub education_completed: i64,
    pub psych_support_referrals: i64,
    pub psych_support_completed: i64,
}

/// `SUM(CASE WHEN <col> = '<value>' THEN 1 ELSE 0 END)` over a qualified column.
fn count_where(table: &str, col: &str, value: &str) -> Expr {
    Expr::cust(format!(
        "SUM(CASE WHEN {table}.{col} = '{value}' THEN 1 ELSE 0 END)"
    ))
}

fn scope(p: &Principal, d: &Dashboard) -> Condition {
    let mut cond = Condition::all().add(cases_with_access(p, CaseAccess::Supervise));
    if let Some(r) = d.region_id {
        cond = cond.add(case::Column::RegionId.eq(r));
    }
    if let Some(id) = d.district_id {
        cond = cond.add(case::Column::DistrictId.eq(id));
    }
    cond
}

/// A `SELECT cases.<unit> AS unit, … FROM <table> JOIN cases` grouped by unit.
fn grouped(d: &Dashboard, cond: Condition) -> SelectStatement {
    let unit = d.level.column();
    Query::select()
        .expr_as(Expr::col((case::Entity, unit)), Alias::new("unit"))
        .cond_where(cond)
        .group_by_col((case::Entity, unit))
        .to_owned()
}

async fn rows(db: &DatabaseConnection, stmt: &SelectStatement) -> ApiResult<Vec<QueryResult>> {
    let backend = db.get_database_backend();
    Ok(db.query_all_raw(backend.build(stmt)).await?)
}

fn int(row: &QueryResult, col: &str) -> ApiResult<i64> {
    Ok(row.try_get::<Option<i64>>("", col)?.unwrap_or(0))
}

/// Compute the dashboard for `p`: one row per territory that has cases in scope.
pub async fn dashboard(db: &DatabaseConnection, p: &Principal, d: &Dashboard) -> ApiResult<Vec<Figures>> {
    d.check()?;
    let (start, end) = d.bounds();
    let mut out: BTreeMap<i64, Figures> = BTreeMap::new();
    fn entry(out: &mut BTreeMap<i64, Figures>, unit: i64) -> &mut Figures {
        out.entry(unit).or_insert_with(|| Figures {
            territory_id: unit,
            ..Figures::default()
        })
    }

    // Cases as they stand.
    let mut q1 = grouped(d, scope(p, d));
    q1.from(case::Entity);
    for (alias, value) in [
        ("pending", "PENDING"),
        ("active", "ACTIVE"),
        ("suspended", "SUSPENDED"),
        ("completed", "COMPLETED"),
        ("revoked", "REVOKED"),
    ] {
        q1.expr_as(count_where("cases", "status", value), Alias::new(alias));
    }
    for (alias, value) in [
        ("low", "LOW"),
        ("medium", "MEDIUM"),
        ("high", "HIGH"),
        ("very_high", "VERY_HIGH"),
    ] {
        q1.expr_as(
            Expr::cust(format!(
                "SUM(CASE WHEN cases.status = 'ACTIVE' AND cases.risk_level = '{value}' THEN 1 ELSE 0 END)"
            )),
            Alias::new(alias),
        );
    }
    q1.expr_as(
        Expr::cust("SUM(CASE WHEN cases.status = 'ACTIVE' AND cases.risk_level IS NULL THEN 1 ELSE 0 END)"),
        Alias::new("unassessed"),
    );

    // Appointments of the period, by outcome.
    let mut q2 = grouped(
        d,
        scope(p, d)
            .add(appointment::Column::ScheduledAt.gte(start))
            .add(appointment::Column::ScheduledAt.lt(end)),
    );
    q2.from(appointment::Entity).inner_join(
        case::Entity,
        Expr::col((case::Entity, case::Column::Id))
            .equals((appointment::Entity, appointment::Column::CaseId)),
    );
    for (alias, value) in [
        ("attended", "ATTENDED"),
        ("missed", "MISSED"),
        ("excused", "EXCUSED"),
    ] {
        q2.expr_as(count_where("appointments", "outcome", value), Alias::new(alias));
    }

    // Violations of the period.
    let mut q3 = grouped(
        d,
        scope(p, d)
            .add(violation::Column::OccurredAt.gte(start))
            .add(violation::Column::OccurredAt.lt(end)),
    );
    q3.from(violation::Entity)
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id))
                .equals((violation::Entity, violation::Column::CaseId)),
        )
        .expr_as(
            Expr::col((violation::Entity, violation::Column::Id)).count(),
            Alias::new("n"),
        );

    // Alerts raised in the period, and how fast they were acknowledged.
    let minutes = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            "CAST(AVG(EXTRACT(EPOCH FROM (alerts.acknowledged_at - alerts.raised_at))) / 60.0 AS DOUBLE PRECISION)"
        }
        _ => "AVG((julianday(alerts.acknowledged_at) - julianday(alerts.raised_at)) * 1440.0)",
    };
    let mut q4 = grouped(
        d,
        scope(p, d)
            .add(alert::Column::RaisedAt.gte(start))
            .add(alert::Column::RaisedAt.lt(end)),
    );
    q4.from(alert::Entity)
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id)).equals((alert::Entity, alert::Column::CaseId)),
        )
        .expr_as(
            Expr::col((alert::Entity, alert::Column::Id)).count(),
            Alias::new("raised"),
        )
        .expr_as(
            Expr::col((alert::Entity, alert::Column::AcknowledgedAt)).count(),
            Alias::new("acknowledged"),
        )
        .expr_as(Expr::cust(minutes), Alias::new("minutes"));

    // Referrals made in the period, by outcome and by module.
    let mut q5 = grouped(
        d,
        scope(p, d)
            .add(referral::Column::CreatedAt.gte(start))
            .add(referral::Column::CreatedAt.lt(end))
            .add(referral::Column::Status.ne(crate::referral::entity::ReferralStatus::Draft)),
    );
    q5.from(referral::Entity)
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id)).equals((referral::Entity, referral::Column::CaseId)),
        )
        .expr_as(
            Expr::col((referral::Entity, referral::Column::Id)).count(),
            Alias::new("made"),
        );
    for (alias, value) in [
        ("completed", "COMPLETED"),
        ("declined", "DECLINED"),
        ("cancelled", "CANCELLED"),
    ] {
        q5.expr_as(count_where("referrals", "status", value), Alias::new(alias));
    }
    for module in ["employment", "education", "psych_support"] {
        q5.expr_as(
            count_where("referrals", "module_id", module),
            Alias::new(format!("{module}_made")),
        );
        q5.expr_as(
            Expr::cust(format!(
                "SUM(CASE WHEN referrals.module_id = '{module}' AND referrals.status = 'COMPLETED' THEN 1 ELSE 0 END)"
            )),
            Alias::new(format!("{module}_completed")),
        );
    }
    // The five counts are independent: run them side by side on the pool.
    let (r1, r2, r3, r4, r5) = futures::try_join!(
        rows(db, &q1),
        rows(db, &q2),
        rows(db, &q3),
        rows(db, &q4),
        rows(db, &q5)
    )?;
    for r in r1 {
        let f = entry(&mut out, int(&r, "unit")?);
        f.cases_pending = int(&r, "pending")?;
        f.cases_active = int(&r, "active")?;
        f.cases_suspended = int(&r, "suspended")?;
        f.cases_completed = int(&r, "completed")?;
        f.cases_revoked = int(&r, "revoked")?;
        f.active_low = int(&r, "low")?;
        f.active_medium = int(&r, "medium")?;
        f.active_high = int(&r, "high")?;
        f.active_very_high = int(&r, "very_high")?;
        f.active_unassessed = int(&r, "unassessed")?;
    }
    for r in r2 {
        let f = entry(&mut out, int(&r, "unit")?);
        f.appointments_attended = int(&r, "attended")?;
        f.appointments_missed = int(&r, "missed")?;
        f.appointments_excused = int(&r, "excused")?;
    }
    for r in r3 {
        entry(&mut out, int(&r, "unit")?).violations = int(&r, "n")?;
    }
    for r in r4 {
        let f = entry(&mut out, int(&r, "unit")?);
        f.alerts_raised = int(&r, "raised")?;
        f.alerts_acknowledged = int(&r, "acknowledged")?;
        f.mean_minutes_to_acknowledge = r
            .try_get::<Option<f64>>("", "minutes")?
            .map(|m| (m * 10.0).round() / 10.0);
    }
    for r in r5 {
        let f = entry(&mut out, int(&r, "unit")?);
        f.referrals_made = int(&r, "made")?;
        f.referrals_completed = int(&r, "completed")?;
        f.referrals_declined = int(&r, "declined")?;
        f.referrals_cancelled = int(&r, "cancelled")?;
        f.employment_referrals = int(&r, "employment_made")?;
        f.employment_completed = int(&r, "employment_completed")?;
        f.education_referrals = int(&r, "education_made")?;
        f.education_completed = int(&r, "education_completed")?;
        f.psych_support_referrals = int(&r, "psych_support_made")?;
        f.psych_support_completed = int(&r, "psych_support_completed")?;
    }
    Ok(out.into_values().collect())
}

/// The sum of every row (the mean time to acknowledge weighted by acknowledged alerts).
pub fn total(rows: &[Figures]) -> Figures {
    let mut t = Figures::default();
    let mut minutes = 0.0;
    for r in rows {
        t.cases_pending += r.cases_pending;
        t.cases_active += r.cases_active;
        t.cases_suspended += r.cases_suspended;
        t.cases_completed += r.cases_completed;
        t.cases_revoked += r.cases_revoked;
        t.active_low += r.active_low;
        t.active_medium += r.active_medium;
        t.active_high += r.active_high;
        t.active_very_high += r.active_very_high;
        t.active_unassessed += r.active_unassessed;
        t.appointments_attended += r.appointments_attended;
        t.appointments_missed += r.appointments_missed;
        t.appointments_excused += r.appointments_excused;
        t.violations += r.violations;
        t.alerts_raised += r.alerts_raised;
        t.alerts_acknowledged += r.alerts_acknowledged;
        minutes += r.mean_minutes_to_acknowledge.unwrap_or(0.0) * r.alerts_acknowledged as f64;
        t.referrals_made += r.referrals_made;
        t.referrals_completed += r.referrals_completed;
        t.referrals_declined += r.referrals_declined;
        t.referrals_cancelled += r.referrals_cancelled;
        t.employment_referrals += r.employment_referrals;
        t.employment_completed += r.employment_completed;
        t.education_referrals += r.education_referrals;
        t.education_completed += r.education_completed;
        t.psych_support_referrals += r.psych_support_referrals;
        t.psych_support_completed += r.psych_support_completed;
    }
    if t.alerts_acknowledged > 0 {
        t.mean_minutes_to_acknowledge = Some((minutes / t.alerts_acknowledged as f64 * 10.0).round() / 10.0);
    }
    t
}

/// The CSV columns, in order, with each row's values (the same figures as GraphQL).
pub const CSV_HEADER: &[&str] = &[
    "level",
    "territory_id",
    "name",
    "cases_pending",
    "cases_active",
    "cases_suspended",
    "cases_completed",
    "cases_revoked",
    "active_low",
    "active_medium",
    "active_high",
    "active_very_high",
    "active_unassessed",
    "appointments_attended",
    "appointments_missed",
    "appointments_excused",
    "violations",
    "alerts_raised",
    "alerts_acknowledged",
    "mean_minutes_to_acknowledge",
    "referrals_made",
    "referrals_completed",
    "referrals_declined",
    "referrals_cancelled",
    "employment_referrals",
    "employment_completed",
    "education_referrals",
    "education_completed",
    "psych_support_referrals",
    "psych_support_completed",
];

impl Figures {
    /// The numeric cells of a CSV row, after level, id and name.
    pub fn cells(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            self.cases_pending,
            self.cases_active,
            self.cases_suspended,
            self.cases_completed,
            self.cases_revoked,
            self.active_low,
            self.active_medium,
            self.active_high,
            self.active_very_high,
            self.active_unassessed,
            self.appointments_attended,
            self.appointments_missed,
            self.appointments_excused,
            self.violations,
            self.alerts_raised,
            self.alerts_acknowledged,
        ]
        .iter()
        .map(i64::to_string)
        .collect();
        v.push(
            self.mean_minutes_to_acknowledge
                .map(|m| m.to_string())
                .unwrap_or_default(),
        );
        v.extend(
            [
                self.referrals_made,
                self.referrals_completed,
                self.referrals_declined,
                self.referrals_cancelled,
                self.employment_referrals,
                self.employment_completed,
                self.education_referrals,
                self.education_completed,
                self.psych_support_referrals,
                self.psych_support_completed,
            ]
            .iter()
            .map(i64::to_string),
        );
        v
    }
}

/// Names of the territories of `rows` at `level`, by id.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    level: AnalyticsLevel,
    ids: Vec<i64>,
) -> ApiResult<BTreeMap<i64, String>> {
    use crate::territory::entity::{district, mahalla, region};
    Ok(match level {
        AnalyticsLevel::Region => region::Entity::find()
            .filter(region::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name_uz))
            .collect(),
        AnalyticsLevel::District => district::Entity::find()
            .filter(district::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name_uz))
            .collect(),
        AnalyticsLevel::Mahalla => mahalla::Entity::find()
            .filter(mahalla::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
    })
}
