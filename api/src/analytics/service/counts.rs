//! The counting queries of a dashboard: one `GROUP BY` per kind of record.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, QueryResult};

use super::{Dashboard, Figures};
use crate::access::{CaseAccess, cases_with_access};
use crate::alert::entity::alert;
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::error::ApiResult;
use crate::referral::entity::referral;
use crate::supervision::entity::{appointment, violation};

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
pub async fn dashboard(
    db: &DatabaseConnection,
    modules: &[&'static str],
    p: &Principal,
    d: &Dashboard,
) -> ApiResult<Vec<Figures>> {
    d.check()?;
    let (start, end) = d.bounds();
    let mut out: BTreeMap<i64, Figures> = BTreeMap::new();
    fn entry<'o>(
        out: &'o mut BTreeMap<i64, Figures>,
        modules: &[&'static str],
        unit: i64,
    ) -> &'o mut Figures {
        out.entry(unit).or_insert_with(|| Figures::new(unit, modules))
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
    // Module ids are `[a-z][a-z0-9_]*` (the registry refuses others): safe in SQL text.
    for module in modules {
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
        let f = entry(&mut out, modules, int(&r, "unit")?);
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
        let f = entry(&mut out, modules, int(&r, "unit")?);
        f.appointments_attended = int(&r, "attended")?;
        f.appointments_missed = int(&r, "missed")?;
        f.appointments_excused = int(&r, "excused")?;
    }
    for r in r3 {
        entry(&mut out, modules, int(&r, "unit")?).violations = int(&r, "n")?;
    }
    for r in r4 {
        let f = entry(&mut out, modules, int(&r, "unit")?);
        f.alerts_raised = int(&r, "raised")?;
        f.alerts_acknowledged = int(&r, "acknowledged")?;
        f.mean_minutes_to_acknowledge = r
            .try_get::<Option<f64>>("", "minutes")?
            .map(|m| (m * 10.0).round() / 10.0);
    }
    for r in r5 {
        let f = entry(&mut out, modules, int(&r, "unit")?);
        f.referrals_made = int(&r, "made")?;
        f.referrals_completed = int(&r, "completed")?;
        f.referrals_declined = int(&r, "declined")?;
        f.referrals_cancelled = int(&r, "cancelled")?;
        for m in &mut f.modules {
            m.referrals = int(&r, &format!("{}_made", m.module_id))?;
            m.completed = int(&r, &format!("{}_completed", m.module_id))?;
        }
    }
    Ok(out.into_values().collect())
}
