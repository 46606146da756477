//! People and their cases, with the cases' conditions and first status.

use chrono::{Duration, NaiveTime};
use sea_orm::{DatabaseConnection, Value};

use super::{Scale, World, insert};

/// Statuses of the generated cases, in turn (mostly ACTIVE).
pub(super) const STATUSES: [&str; 12] = [
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

/// Write one person per `scale.cases`.
pub(super) async fn people(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<()> {
    let at = w.at;
    let first_person = w.first_person;
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
    let org_of_officer = |officer: i64| w.org_of_officer(officer);
    let people = (0..scale.cases).map(|i| {
        let (m, d, r) = case_place(i);
        let (officer, _) = staff_of(d);
        let birth = w.birth_of(i);
        let sex = w.draws.get(i).map(|d| crate::enums::enum_name(d.sex));
        vec![
            (first_person + i as i64).into(),
            format!("3{:013}", first_person + i as i64).into(),
            format!("Familiya{}", i % 5000).into(),
            format!("Ism{}", i % 700).into(),
            Value::String(None),
            birth.into(),
            sex.into(),
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
    Ok(())
}

/// Write one case per person; returns how many.
pub(super) async fn cases(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<usize> {
    let at = w.at;
    let (first_person, first_case) = (w.first_person, w.first_case);
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
    let org_of_officer = |officer: i64| w.org_of_officer(officer);
    let start_of = |i: usize| w.start_of(i);
    let cases = (0..scale.cases).map(|i| {
        let (m, d, r) = case_place(i);
        let (officer, inspector) = staff_of(d);
        let start = start_of(i);
        vec![
            (first_case + i as i64).into(),
            (first_person + i as i64).into(),
            "RESTRICTION_OF_LIBERTY".into(),
            w.status_of(i).into(),
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
            w.draws.get(i).map(|d| crate::enums::enum_name(d.level)).into(),
            Value::String(None),
            at.into(),
            at.into(),
            at.into(),
        ]
    });
    let written = insert(
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
    Ok(written)
}

/// Write every case's curfew and reporting conditions.
pub(super) async fn conditions(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<()> {
    let at = w.at;
    let first_case = w.first_case;
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
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
    Ok(())
}

/// Write every case's first status change.
pub(super) async fn history(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<()> {
    let at = w.at;
    let first_case = w.first_case;
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
    let history = (0..scale.cases).map(|i| {
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        let changed_at = match w.outcome_of(i) {
            Some((when, crate::seed::risk_process::Event::Revocation)) => when,
            _ => at,
        };
        vec![
            (first_case + i as i64).into(),
            Option::<String>::None.into(),
            w.status_of(i).into(),
            officer.into(),
            changed_at.into(),
        ]
    });
    insert(
        db,
        "case_status_changes",
        &["case_id", "from_status", "to_status", "changed_by", "changed_at"],
        history,
    )
    .await?;
    Ok(())
}
