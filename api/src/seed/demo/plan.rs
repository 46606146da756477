//! The rehabilitation plan of the first active demo case: employment, education and
//! family goals with actions owned by the partners.

use chrono::{Duration, NaiveDate};
use sea_orm::DatabaseConnection;

use super::agencies::{Agencies, Staff};
use super::err;
use crate::plan::entity::{GoalDomain, PlanStatus};
use crate::plan::service as plans;

/// A goal of the demo plan: its domain, description, target (days from today) and
/// actions (description, owning organisation, due in days).
type DemoGoal = (
    GoalDomain,
    &'static str,
    Option<i64>,
    Vec<(&'static str, i64, Option<i64>)>,
);

/// Draw up and activate the plan of `first_case`.
pub(super) async fn draw_up(
    db: &DatabaseConnection,
    staff: &Staff,
    a: &Agencies,
    first_case: i64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let officer = &staff.officer;
    let plan = plans::create_plan(
        db,
        officer,
        first_case,
        Some("Ishga joylashish va oilaviy munosabatlarni tiklash"),
    )
    .await
    .map_err(err)?;
    let in_days = |days: Option<i64>| days.map(|d| today + Duration::days(d));
    let goals: [DemoGoal; 3] = [
        (
            GoalDomain::Employment,
            "Doimiy ishga joylashish",
            Some(90),
            vec![("Bandlik markazida ro'yxatdan o'tish", a.jobs, Some(14))],
        ),
        (
            GoalDomain::Education,
            "Payvandchilik kursini tugatish",
            Some(180),
            vec![("Texnikumdagi qisqa kursga yozilish", a.college, Some(30))],
        ),
        (
            GoalDomain::Family,
            "Oilaviy munosabatlarni tiklash",
            None,
            vec![
                ("Oila bilan suhbatlar (3 marta)", a.ngo, None),
                ("Tibbiy ko'rik", a.health, Some(21)),
            ],
        ),
    ];
    for (domain, description, target, actions) in goals {
        let goal = plans::add_goal(db, officer, plan.id, domain, description, in_days(target))
            .await
            .map_err(err)?;
        for (action, owner, due) in actions {
            plans::add_action(db, officer, goal.id, action, owner, in_days(due))
                .await
                .map_err(err)?;
        }
    }
    plans::update_plan(db, officer, plan.id, Some(PlanStatus::Active), None)
        .await
        .map_err(err)?;
    Ok(())
}
