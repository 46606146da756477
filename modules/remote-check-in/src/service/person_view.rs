//! What the person sees of their own supervision — and nothing else: their check-ins
//! due, their upcoming appointments, their conditions in plain words, the plan goals
//! the officer shares with them (with their actions) and the referrals under way with
//! the partner's name. No notes, risk, violations, alerts or other people.

use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::{ConditionKind, condition};
use hamkor_api::db::now;
use hamkor_api::error::ApiResult;
use hamkor_api::organisation;
use hamkor_api::plan::entity::{action, goal};
use hamkor_api::referral::entity::{ReferralStatus, referral};
use hamkor_api::supervision::entity::appointment;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::own_enrolment;
use crate::entity::{CheckInLanguage, CheckInStatus, check_in, enrolment};

/// The person's own view.
pub struct PersonView {
    pub enrolment: enrolment::Model,
    pub due: Vec<check_in::Model>,
    pub appointments: Vec<appointment::Model>,
    pub conditions: Vec<(condition::Model, String)>,
    pub goals: Vec<(goal::Model, Vec<action::Model>)>,
    pub referrals: Vec<(referral::Model, String)>,
}

/// A condition in plain words, in the person's language.
pub fn plain(c: &condition::Model, lang: CheckInLanguage) -> String {
    let hm = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
    let extra = c
        .description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let (from, to) = (hm(c.curfew_start), hm(c.curfew_end));
    let every = c.report_every_days.unwrap_or(0);
    match (c.kind, lang) {
        (ConditionKind::Curfew, CheckInLanguage::UzLatn) => {
            format!("Soat {from} dan {to} gacha uyda bo'ling{extra}")
        }
        (ConditionKind::Curfew, CheckInLanguage::UzCyrl) => {
            format!("Соат {from} дан {to} гача уйда бўлинг{extra}")
        }
        (ConditionKind::Curfew, CheckInLanguage::Ru) => format!("Находитесь дома с {from} до {to}{extra}"),
        (ConditionKind::StayWithinArea, CheckInLanguage::UzLatn) => {
            format!("Belgilangan hududdan chiqmang{extra}")
        }
        (ConditionKind::StayWithinArea, CheckInLanguage::UzCyrl) => {
            format!("Белгиланган ҳудуддан чиқманг{extra}")
        }
        (ConditionKind::StayWithinArea, CheckInLanguage::Ru) => {
            format!("Не покидайте указанную территорию{extra}")
        }
        (ConditionKind::StayOutOfArea, CheckInLanguage::UzLatn) => {
            format!("Belgilangan joyga bormang{extra}")
        }
        (ConditionKind::StayOutOfArea, CheckInLanguage::UzCyrl) => {
            format!("Белгиланган жойга борманг{extra}")
        }
        (ConditionKind::StayOutOfArea, CheckInLanguage::Ru) => format!("Не посещайте указанное место{extra}"),
        (ConditionKind::Reporting, CheckInLanguage::UzLatn) => {
            format!("Har {every} kunda inspeksiyaga keling{extra}")
        }
        (ConditionKind::Reporting, CheckInLanguage::UzCyrl) => {
            format!("Ҳар {every} кунда инспекцияга келинг{extra}")
        }
        (ConditionKind::Reporting, CheckInLanguage::Ru) => {
            format!("Являйтесь в инспекцию каждые {every} дн.{extra}")
        }
        (_, _) => c.description.clone().unwrap_or_default(),
    }
}

/// The person's own view (their token only).
pub async fn mine(db: &DatabaseConnection, p: &Principal) -> ApiResult<PersonView> {
    let e = own_enrolment(db, p).await?;
    let at = now();
    let due = check_in::Entity::find()
        .filter(check_in::Column::EnrolmentId.eq(e.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Scheduled))
        .filter(check_in::Column::ClosesAt.gt(at))
        .order_by_asc(check_in::Column::OpensAt)
        .limit(5)
        .all(db)
        .await?;
    let appointments = appointment::Entity::find()
        .filter(appointment::Column::CaseId.eq(e.case_id))
        .filter(appointment::Column::ScheduledAt.gte(at))
        .filter(appointment::Column::Outcome.is_null())
        .order_by_asc(appointment::Column::ScheduledAt)
        .limit(20)
        .all(db)
        .await?;
    let today = at.date_naive();
    let conditions = condition::Entity::find()
        .filter(condition::Column::CaseId.eq(e.case_id))
        .order_by_asc(condition::Column::Id)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.valid_until.is_none_or(|u| u >= today))
        .map(|c| {
            let text = plain(&c, e.language);
            (c, text)
        })
        .collect();
    let shared: Vec<i64> = e
        .shared_goal_ids
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let goal_rows = goal::Entity::find()
        .filter(goal::Column::CaseId.eq(e.case_id))
        .filter(goal::Column::Id.is_in(shared.clone()))
        .order_by_asc(goal::Column::Id)
        .all(db)
        .await?;
    let mut actions = action::Entity::find()
        .filter(action::Column::CaseId.eq(e.case_id))
        .filter(action::Column::GoalId.is_in(shared))
        .order_by_asc(action::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let goals = goal_rows
        .into_iter()
        .map(|g| {
            let (mine, rest): (Vec<_>, Vec<_>) = actions.drain(..).partition(|a| a.goal_id == g.id);
            actions = rest;
            (g, mine)
        })
        .collect();
    let refs = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(e.case_id))
        .filter(referral::Column::Status.is_in([
            ReferralStatus::Sent,
            ReferralStatus::Accepted,
            ReferralStatus::InProgress,
        ]))
        .order_by_asc(referral::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let org_ids: Vec<i64> = refs.iter().map(|r| r.to_organisation_id).collect();
    let orgs = organisation::Entity::find()
        .filter(organisation::entity::Column::Id.is_in(org_ids))
        .all(db)
        .await?;
    let referrals = refs
        .into_iter()
        .map(|r| {
            let name = orgs
                .iter()
                .find(|o| o.id == r.to_organisation_id)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            (r, name)
        })
        .collect();
    Ok(PersonView {
        enrolment: e,
        due,
        appointments,
        conditions,
        goals,
        referrals,
    })
}
