//! One HRA-1 assessment per case, scored from the risk process's answers, and the
//! outcome events the process drew (violations; revocations are the cases' status).

use sea_orm::{DatabaseConnection, Value};

use super::{World, insert};
use crate::enums::enum_name;
use crate::risk::instrument;
use crate::seed::risk_process::Event;

/// Write every case's assessment, as its officer would have recorded it.
pub(super) async fn assessments(db: &DatabaseConnection, w: &World) -> anyhow::Result<()> {
    let rows = w.draws.iter().enumerate().map(|(i, d)| {
        let (_, district, _) = w.place(i);
        let (officer, _) = w.staff_of(district);
        let scored = instrument::score(&d.answers);
        let (s, dy) = instrument::totals(&scored);
        let a = d.answers;
        let mut row: Vec<Value> = vec![
            (w.first_case + i as i64).into(),
            instrument::VERSION.into(),
            a.age_at_first_offence.into(),
            a.prior_convictions.into(),
            enum_name(a.offence_type).into(),
        ];
        row.extend(a.needs.iter().map(|n| Value::from(*n)));
        row.extend([
            s.into(),
            dy.into(),
            d.total.into(),
            enum_name(d.level).into(),
            enum_name(d.level).into(),
            instrument::reassessment_due(d.assessed_at.date_naive(), d.level).into(),
            false.into(),
            officer.into(),
            d.assessed_at.into(),
        ]);
        row
    });
    insert(
        db,
        "risk_assessments",
        &[
            "case_id",
            "instrument_version",
            "age_at_first_offence",
            "prior_convictions",
            "offence_type",
            "need_employment",
            "need_education",
            "need_housing",
            "need_family_support",
            "need_peers",
            "need_substance_use",
            "need_attitudes",
            "need_mental_health",
            "static_score",
            "dynamic_score",
            "total",
            "computed_level",
            "level",
            "reassessment_due",
            "superseded",
            "assessed_by",
            "assessed_at",
        ],
        rows,
    )
    .await?;
    Ok(())
}

/// Write the violations among the outcomes that have happened by now.
pub(super) async fn outcomes(db: &DatabaseConnection, w: &World) -> anyhow::Result<()> {
    let rows = (0..w.draws.len()).filter_map(|i| {
        let (when, Event::Violation(kind, severity)) = w.outcome_of(i)? else {
            return None;
        };
        let (_, district, _) = w.place(i);
        let (_, inspector) = w.staff_of(district);
        Some(vec![
            (w.first_case + i as i64).into(),
            enum_name(kind).into(),
            enum_name(severity).into(),
            when.into(),
            "Nazorat davomida qayd etilgan".into(),
            inspector.into(),
            w.at.into(),
        ])
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
        rows,
    )
    .await?;
    Ok(())
}
