//! The person's own types: what `Query.remoteCheckIn.me` shows them, and the receipt of
//! a submission. Plain values, chosen field by field.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hamkor_api::case::entity::ConditionKind;
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::plan::entity::{ActionStatus, GoalDomain, GoalStatus};
use hamkor_api::referral::entity::ReferralStatus;
use hamkor_api::supervision::entity::AppointmentKind;

use crate::ID as MODULE;
use crate::entity::{CheckInLanguage, CheckInStatus, check_in};
use crate::questionnaire::{Question, QuestionKind};
use crate::service::person_view::PersonView;

/// The supervised person's own view.
#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyCheckIns {
    pub language: CheckInLanguage,
    /// Check-ins due, soonest first.
    pub due: Vec<MyCheckInDue>,
    pub appointments: Vec<MyAppointment>,
    pub conditions: Vec<MyCondition>,
    /// The plan goals the officer shares.
    pub goals: Vec<MyGoal>,
    /// Referrals under way.
    pub referrals: Vec<MyReferral>,
    /// The questions of a check-in, labelled in the person's language.
    pub questions: Vec<MyQuestion>,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyCheckInDue {
    pub id: ID,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Whether its window is open now.
    pub open: bool,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyAppointment {
    pub kind: AppointmentKind,
    pub scheduled_at: DateTime<Utc>,
    pub location: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyCondition {
    pub kind: ConditionKind,
    /// In plain words, in the person's language.
    pub text: String,
    pub curfew_start: Option<NaiveTime>,
    pub curfew_end: Option<NaiveTime>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyGoal {
    pub domain: GoalDomain,
    pub description: String,
    pub status: GoalStatus,
    pub target_date: Option<NaiveDate>,
    pub actions: Vec<MyAction>,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyAction {
    pub description: String,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyReferral {
    /// The partner organisation's name.
    pub partner_name: String,
    pub status: ReferralStatus,
    pub sent_at: Option<DateTime<Utc>>,
    /// When the partner is due to answer, while it has not.
    pub next_date: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyQuestion {
    pub id: String,
    /// `WELLBEING`, `SUPPORT_NEEDS`, `CALLBACK`, `YES_NO` or `TEXT`.
    pub kind: String,
    pub label: String,
    pub required: bool,
}

/// What the person is told after submitting.
#[derive(SimpleObject)]
#[graphql(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
pub struct MyCheckInReceipt {
    pub id: ID,
    pub status: CheckInStatus,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl MyCheckInReceipt {
    pub fn of(c: &check_in::Model) -> Self {
        Self {
            id: ids::encode("RemoteCheckIn", c.id),
            status: c.status,
            submitted_at: c.submitted_at,
        }
    }
}

fn kind_name(k: QuestionKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl MyCheckIns {
    pub fn of(v: PersonView, questions: &[Question]) -> Self {
        let lang = v.enrolment.language;
        let at = hamkor_api::db::now();
        Self {
            language: lang,
            due: v
                .due
                .iter()
                .map(|c| MyCheckInDue {
                    id: ids::encode("RemoteCheckIn", c.id),
                    opens_at: c.opens_at,
                    closes_at: c.closes_at,
                    open: c.opens_at <= at && at < c.closes_at,
                })
                .collect(),
            appointments: v
                .appointments
                .into_iter()
                .map(|a| MyAppointment {
                    kind: a.kind,
                    scheduled_at: a.scheduled_at,
                    location: a.location,
                })
                .collect(),
            conditions: v
                .conditions
                .into_iter()
                .map(|(c, text)| MyCondition {
                    kind: c.kind,
                    text,
                    curfew_start: c.curfew_start,
                    curfew_end: c.curfew_end,
                    valid_until: c.valid_until,
                })
                .collect(),
            goals: v
                .goals
                .into_iter()
                .map(|(g, actions)| MyGoal {
                    domain: g.domain,
                    description: g.description,
                    status: g.status,
                    target_date: g.target_date,
                    actions: actions
                        .into_iter()
                        .map(|a| MyAction {
                            description: a.description,
                            due_date: a.due_date,
                            status: a.status,
                        })
                        .collect(),
                })
                .collect(),
            referrals: v
                .referrals
                .into_iter()
                .map(|(r, partner_name)| MyReferral {
                    partner_name,
                    status: r.status,
                    sent_at: r.sent_at,
                    next_date: r.first_response_due_at.filter(|_| r.responded_at.is_none()),
                })
                .collect(),
            questions: questions
                .iter()
                .map(|q| MyQuestion {
                    id: q.id.clone(),
                    kind: kind_name(q.kind),
                    label: q.label.get(lang).to_owned(),
                    required: q.required,
                })
                .collect(),
        }
    }
}
