//! The core's event rules over supervision and the mahalla.

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Fired, Firing, RuleInput, payload_str};
use crate::alert::entity::{ActingRole, AlertSeverity};
use crate::module::BoxFuture;
use crate::supervision::entity::{AppointmentOutcome, appointment};

pub(super) fn missed_appointments<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "outcome") != Some("MISSED") {
            return Ok(vec![]);
        }
        let threshold = i.threshold.unwrap_or(2).max(1) as usize;
        let days = i.window_days.unwrap_or(30).max(1);
        let Some(missed) = appointment::Entity::find_by_id(i.event.aggregate_id)
            .one(i.db)
            .await?
        else {
            return Ok(vec![]);
        };
        let since = missed.scheduled_at - Duration::days(i64::from(days));
        let window: Vec<(i64,)> = appointment::Entity::find()
            .select_only()
            .column(appointment::Column::Id)
            .filter(appointment::Column::CaseId.eq(i.case.id))
            .filter(appointment::Column::Outcome.eq(AppointmentOutcome::Missed))
            .filter(appointment::Column::ScheduledAt.gte(since))
            .filter(appointment::Column::ScheduledAt.lte(missed.scheduled_at))
            .order_by_asc(appointment::Column::ScheduledAt)
            .order_by_asc(appointment::Column::Id)
            .into_tuple()
            .all(i.db)
            .await?;
        if window.len() < threshold {
            return Ok(vec![]);
        }
        // The window is named by its first missed appointment: later misses inside the
        // same window do not fire again.
        let first = window[0].0;
        Ok(vec![Firing::new(
            format!("missed_appointments:{}:{first}", i.case.id),
            AlertSeverity::High,
            format!("{} missed appointments within {days} days", window.len()),
            ActingRole::ProbationOfficer,
        )])
    })
}

pub(super) fn violation<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "kind") == Some("CURFEW_BREACH") {
            return Ok(vec![]);
        }
        let severity = match payload_str(i.event, "severity") {
            Some("SERIOUS") => AlertSeverity::Critical,
            Some("MODERATE") => AlertSeverity::High,
            _ => AlertSeverity::Medium,
        };
        let kind = payload_str(i.event, "kind").unwrap_or("OTHER");
        Ok(vec![Firing::new(
            format!("violation:{}:{}", i.case.id, i.event.aggregate_id),
            severity,
            format!("violation recorded: {kind}"),
            ActingRole::ProbationOfficer,
        )])
    })
}

pub(super) fn curfew_breach<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        if payload_str(i.event, "kind") != Some("CURFEW_BREACH") {
            return Ok(vec![]);
        }
        Ok(vec![Firing::new(
            format!("curfew_breach:{}:{}", i.case.id, i.event.aggregate_id),
            AlertSeverity::High,
            "curfew breach recorded",
            ActingRole::PreventionInspector,
        )])
    })
}

pub(super) fn mahalla_task_overdue<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        Ok(vec![Firing::new(
            format!("mahalla_task_overdue:{}", i.event.aggregate_id),
            AlertSeverity::Low,
            "a task of the mahalla's seven is overdue",
            ActingRole::PreventionInspector,
        )])
    })
}
