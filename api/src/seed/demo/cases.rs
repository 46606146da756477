//! The demo's people and their cases, one in each state of the lifecycle.

use chrono::{Duration, NaiveDate, NaiveTime};

use super::agencies::Staff;
use super::places::Territory;
use super::{MAHALLAS, date, err};
use crate::case::conditions::{self, ConditionSpec, RawCondition};
use crate::case::entity::{CaseKind, CaseStatus, ConditionKind, RiskLevel};
use crate::case::service::{self as cases, NewCase, Sentence};
use crate::person::entity as person;
use crate::person::pinfl::Pinfl;
use crate::person::service::{self as people, PersonDetails};
use crate::state::AppState;

/// A demo person: PINFL, names, birth date, mahalla (index), and where their case ends up.
type DemoPerson = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    NaiveDate,
    usize,
    CaseStatus,
);

/// Register the demo's people and open their cases, taking each along its lifecycle;
/// returns the ids of the cases left ACTIVE.
pub(super) async fn open(
    st: &AppState,
    staff: &Staff,
    t: &Territory,
    today: NaiveDate,
) -> anyhow::Result<Vec<i64>> {
    let people_data: [DemoPerson; 6] = [
        (
            "31505901234567",
            "Qodirov",
            "Anvar",
            "Baxtiyorovich",
            date(1990, 5, 15)?,
            0usize,
            CaseStatus::Active,
        ),
        (
            "31203951234568",
            "Nazarov",
            "Jasur",
            "Olimovich",
            date(1995, 3, 12)?,
            0,
            CaseStatus::Active,
        ),
        (
            "42207881234569",
            "Ergasheva",
            "Gulnora",
            "Shavkatovna",
            date(1988, 7, 22)?,
            1,
            CaseStatus::Suspended,
        ),
        (
            "31011001234560",
            "Xolmatov",
            "Sherzod",
            "Ravshanovich",
            date(2000, 11, 10)?,
            2,
            CaseStatus::Pending,
        ),
        (
            "30109851234561",
            "Umarov",
            "Botir",
            "Akmalovich",
            date(1985, 9, 1)?,
            1,
            CaseStatus::Completed,
        ),
        (
            "31402931234562",
            "Sobirov",
            "Ulug'bek",
            "Farhodovich",
            date(1993, 2, 14)?,
            3,
            CaseStatus::Revoked,
        ),
    ];
    let mut active_cases = Vec::new();
    for (i, demo) in people_data.into_iter().enumerate() {
        let status = demo.6;
        let person = register(st, staff, t, i, demo).await?;
        let case = open_case(st, staff, t, today, i, person.id, status).await?;
        for (to, reason) in lifecycle(status) {
            cases::transition(&st.db, &staff.officer, case, *to, reason.map(str::to_owned))
                .await
                .map_err(err)?;
        }
        if status == CaseStatus::Active {
            active_cases.push(case);
        }
    }
    Ok(active_cases)
}

/// Register the `i`-th demo person.
async fn register(
    st: &AppState,
    staff: &Staff,
    t: &Territory,
    i: usize,
    (pinfl, last, first, patronymic, birth, m, _): DemoPerson,
) -> anyhow::Result<person::Model> {
    people::create(
        &st.db,
        &staff.officer,
        Pinfl::parse("pinfl", pinfl).map_err(err)?,
        PersonDetails {
            last_name: last.to_owned(),
            first_name: first.to_owned(),
            patronymic: Some(patronymic.to_owned()),
            birth_date: birth,
            sex: None,
            mahalla_id: t.mahallas[m].id,
            address: Some(format!("{} ko'chasi, {}-uy", MAHALLAS[m], 10 + i)),
            phone: Some(format!("+99890{:07}", 1_234_560 + i)),
            languages: serde_json::json!(["uz", "ru"]),
            family_status: None,
            dependants: Some((i % 3) as i32),
        },
    )
    .await
    .map_err(err)
}

/// Open the case of the `i`-th person, PENDING, with a curfew, the district to stay in
/// and fortnightly reporting; returns its id.
async fn open_case(
    st: &AppState,
    staff: &Staff,
    t: &Territory,
    today: NaiveDate,
    i: usize,
    person_id: i64,
    status: CaseStatus,
) -> anyhow::Result<i64> {
    let (start, end) = match status {
        CaseStatus::Completed => (today - Duration::days(800), today - Duration::days(70)),
        CaseStatus::Pending => (today + Duration::days(10), today + Duration::days(740)),
        _ => (
            today - Duration::days(120 + 30 * i as i64),
            today + Duration::days(600),
        ),
    };
    let case = cases::create(
        &st.db,
        &staff.officer,
        NewCase {
            person_id,
            sentence: Sentence {
                kind: CaseKind::RestrictionOfLiberty,
                court_name: "Samarqand shahar jinoyat ishlari bo'yicha sudi".to_owned(),
                court_decision_date: start - Duration::days(20),
                criminal_code_article: Some(format!("{}-modda", [169, 127, 168, 277, 105, 186][i])),
                sentence_start: start,
                sentence_end: end,
            },
            mahalla_id: None,
            officer_id: None,
            inspector_id: Some(staff.inspector.user_id),
            risk_level: Some([RiskLevel::Medium, RiskLevel::Low, RiskLevel::High][i % 3]),
            conditions: demo_conditions(t)?,
        },
    )
    .await
    .map_err(err)?;
    Ok(case.id)
}

/// The conditions every demo case carries.
fn demo_conditions(t: &Territory) -> anyhow::Result<Vec<ConditionSpec>> {
    let curfew = conditions::parse(
        "demo",
        ConditionKind::Curfew,
        RawCondition {
            curfew_start: NaiveTime::from_hms_opt(22, 0, 0),
            curfew_end: NaiveTime::from_hms_opt(6, 0, 0),
            ..Default::default()
        },
    )
    .map_err(err)?;
    let stay = conditions::parse(
        "demo",
        ConditionKind::StayWithinArea,
        RawCondition {
            area: Some(t.in_district()),
            ..Default::default()
        },
    )
    .map_err(err)?;
    let report = conditions::parse(
        "demo",
        ConditionKind::Reporting,
        RawCondition {
            report_every_days: Some(14),
            ..Default::default()
        },
    )
    .map_err(err)?;
    Ok(vec![curfew, stay, report])
}

/// The status changes that take a new case to `status`, with their reasons.
fn lifecycle(status: CaseStatus) -> &'static [(CaseStatus, Option<&'static str>)] {
    match status {
        CaseStatus::Pending => &[],
        CaseStatus::Active => &[(CaseStatus::Active, None)],
        CaseStatus::Suspended => &[
            (CaseStatus::Active, None),
            (CaseStatus::Suspended, Some("Kasalxonada davolanmoqda")),
        ],
        CaseStatus::Completed => &[(CaseStatus::Active, None), (CaseStatus::Completed, None)],
        CaseStatus::Revoked => &[
            (CaseStatus::Active, None),
            (
                CaseStatus::Revoked,
                Some("Sud jazoni ozodlikdan mahrum qilish bilan almashtirdi"),
            ),
        ],
    }
}
