//! The supervision records of the generated cases: appointments every fortnight,
//! violations on one case in four, and a note on each.

use chrono::{Duration, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use super::{Scale, World, insert};

/// Write `scale.appointments_per_case` appointments per case, the past ones with an
/// outcome; returns how many.
pub(super) async fn appointments(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<usize> {
    let at = w.at;
    let first_case = w.first_case;
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
    let kinds = ["OFFICE_REPORT", "OFFICE_REPORT", "HOME_VISIT", "PHONE"];
    let appointments = (0..scale.cases).flat_map(|i| {
        let case = first_case + i as i64;
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        let start = w.start_of(i);
        (0..scale.appointments_per_case).map(move |k| {
            let when = Utc.from_utc_datetime(&start.and_hms_opt(10, 0, 0).unwrap_or_default())
                + Duration::days(14 * k as i64);
            let past = when < at;
            let outcome = if !past {
                None
            } else if (i + k) % 11 == 0 {
                Some("MISSED")
            } else {
                Some("ATTENDED")
            };
            vec![
                case.into(),
                kinds[k % kinds.len()].into(),
                when.into(),
                outcome.map(str::to_owned).into(),
                past.then_some(when).into(),
                past.then_some(officer).into(),
                officer.into(),
                at.into(),
            ]
        })
    });
    let written = insert(
        db,
        "appointments",
        &[
            "case_id",
            "kind",
            "scheduled_at",
            "outcome",
            "outcome_recorded_at",
            "outcome_recorded_by",
            "created_by",
            "created_at",
        ],
        appointments,
    )
    .await?;
    Ok(written)
}

/// Write a violation on one case in four.
pub(super) async fn violations(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<()> {
    let at = w.at;
    let first_case = w.first_case;
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
    let violations = (0..scale.cases).filter(|i| i % 4 == 0).map(|i| {
        let (_, d, _) = case_place(i);
        let (_, inspector) = staff_of(d);
        vec![
            (first_case + i as i64).into(),
            "CURFEW_BREACH".into(),
            "MINOR".into(),
            (at - Duration::days((i % 60) as i64)).into(),
            "Kechki nazoratda uyda bo'lmagan".into(),
            inspector.into(),
            at.into(),
        ]
    });
    insert(
        db,
        "violations",
        &[
            "case_id",
            "kind",
            "severity",
            "occurred_at",
            "description",
            "recorded_by",
            "created_at",
        ],
        violations,
    )
    .await?;
    Ok(())
}

/// Write a note on every case.
pub(super) async fn notes(db: &DatabaseConnection, w: &World, scale: Scale) -> anyhow::Result<()> {
    let at = w.at;
    let first_case = w.first_case;
    let case_place = |i: usize| w.place(i);
    let staff_of = |district_id: i64| w.staff_of(district_id);
    let org_of_officer = |officer: i64| w.org_of_officer(officer);
    let notes = (0..scale.cases).map(|i| {
        let (_, d, _) = case_place(i);
        let (officer, _) = staff_of(d);
        vec![
            (first_case + i as i64).into(),
            officer.into(),
            org_of_officer(officer).into(),
            ["MAHALLA", "AGENCIES", "PROBATION"][i % 3].into(),
            "Nazorat rejasi bo'yicha suhbat o'tkazildi".into(),
            at.into(),
        ]
    });
    insert(
        db,
        "case_notes",
        &[
            "case_id",
            "author_id",
            "organisation_id",
            "visibility",
            "body",
            "created_at",
        ],
        notes,
    )
    .await?;
    Ok(())
}
