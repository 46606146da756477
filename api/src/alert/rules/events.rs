//! The core's event rules over supervision and the mahalla.

use chrono::{DateTime, Duration, Utc};
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
        let Some(missed) = appointment::Entity::find_by_id(i.event.aggregate_id)
            .one(i.db)
            .await?
        else {
            return Ok(vec![]);
        };
        missed_contacts(i, missed.scheduled_at).await
    })
}

/// The `missed_appointments` rule as of a contact missed at `at`: the missed
/// appointments of the case within the window before it, and the contacts modules count
/// alike ([`Module::missed_contacts`], an expired remote check-in, say). A module's rule
/// over its own missed contact calls this with the time the contact was due.
///
/// [`Module::missed_contacts`]: crate::module::Module::missed_contacts
pub async fn missed_contacts(i: &RuleInput<'_>, at: DateTime<Utc>) -> Fired {
    let threshold = i.threshold.unwrap_or(2).max(1) as usize;
    let days = i.window_days.unwrap_or(30).max(1);
    let since = at - Duration::days(i64::from(days));
    let appointments: Vec<(i64, DateTime<Utc>)> = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::Id)
        .column(appointment::Column::ScheduledAt)
        .filter(appointment::Column::CaseId.eq(i.case.id))
        .filter(appointment::Column::Outcome.eq(AppointmentOutcome::Missed))
        .filter(appointment::Column::ScheduledAt.gte(since))
        .filter(appointment::Column::ScheduledAt.lte(at))
        .order_by_asc(appointment::Column::ScheduledAt)
        .order_by_asc(appointment::Column::Id)
        .into_tuple()
        .all(i.db)
        .await?;
    // (when, the window's name if it starts here)
    let mut window: Vec<(DateTime<Utc>, String)> = appointments
        .into_iter()
        .map(|(id, when)| (when, id.to_string()))
        .collect();
    for m in i.modules.all() {
        for when in m.missed_contacts(i.db, i.case.id, since, at).await? {
            window.push((when, format!("{}@{}", m.id(), when.timestamp())));
        }
    }
    window.sort_by_key(|a| a.0);
    if window.len() < threshold {
        return Ok(vec![]);
    }
    // The window is named by its first missed contact (an appointment by its id): later
    // misses inside the same window do not fire again.
    let first = &window[0].1;
    Ok(vec![Firing::new(
        format!("missed_appointments:{}:{first}", i.case.id),
        AlertSeverity::High,
        format!(
            "{} missed appointments or check-ins within {days} days",
            window.len()
        ),
        ActingRole::ProbationOfficer,
    )])
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
