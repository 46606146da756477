//! A validation as CSV rows: the whole, then each group, each followed by its levels.
//! Every row names the instrument and the outcome definition's version.

use super::report::{Departures, Figures};
use super::{Validation, stats::Estimate};

/// The CSV header.
pub const HEADER: [&str; 27] = [
    "instrument",
    "outcome_version",
    "from",
    "to",
    "row",
    "dimension",
    "key",
    "name",
    "level",
    "suppressed",
    "cases",
    "outcomes",
    "rate",
    "rate_low",
    "rate_high",
    "expected_min",
    "expected_max",
    "within_band",
    "auc",
    "auc_se",
    "auc_low",
    "auc_high",
    "false_positive_rate",
    "false_negative_rate",
    "auc_difference",
    "calibration_difference",
    "flags",
];

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.6}")).unwrap_or_default()
}

fn int(v: Option<u64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn set_rows(
    v: &Validation,
    kind: &str,
    dim: &str,
    key: &str,
    name: &str,
    f: &Figures,
    d: &Departures,
) -> Vec<Vec<String>> {
    let lead = |row: &str, level: &str| {
        vec![
            v.instrument.clone(),
            v.outcome.version.to_string(),
            v.from.to_string(),
            v.to.to_string(),
            row.to_owned(),
            dim.to_owned(),
            key.to_owned(),
            name.to_owned(),
            level.to_owned(),
        ]
    };
    let auc_i = f.auc.map(|a| a.interval());
    let mut first = lead(kind, "");
    first.extend([
        f.suppressed.to_string(),
        int(f.cases),
        int(f.outcomes),
        num(f.base_rate),
        num(f.base_rate_interval.map(|i| i.0)),
        num(f.base_rate_interval.map(|i| i.1)),
        String::new(),
        String::new(),
        String::new(),
        num(f.auc.map(|a| a.value)),
        num(f.auc.map(|a| a.se)),
        num(auc_i.map(|i| i.0)),
        num(auc_i.map(|i| i.1)),
        num(f.false_positive_rate.map(|e| e.value)),
        num(f.false_negative_rate.map(|e| e.value)),
        num(d.auc),
        num(d.calibration.map(|c: Estimate| c.value)),
        d.flags
            .iter()
            .map(|m| crate::enums::enum_name(*m))
            .collect::<Vec<_>>()
            .join(" "),
    ]);
    let mut out = vec![first];
    if f.suppressed {
        return out;
    }
    for l in &f.levels {
        let mut row = lead("LEVEL", &crate::enums::enum_name(l.level));
        row.extend([
            l.suppressed.to_string(),
            int(l.cases),
            int(l.outcomes),
            num(l.observed),
            num(l.observed_interval.map(|i| i.0)),
            num(l.observed_interval.map(|i| i.1)),
            num(l.band.map(|b| b.0)),
            num(l.band.map(|b| b.1)),
            l.within_band.map(|b| b.to_string()).unwrap_or_default(),
        ]);
        row.resize(HEADER.len(), String::new());
        out.push(row);
    }
    out
}

/// The data rows (without the header).
pub fn rows(v: &Validation) -> Vec<Vec<String>> {
    let mut out = set_rows(v, "WHOLE", "", "", "", &v.whole, &Departures::default());
    for g in &v.groups {
        out.extend(set_rows(
            v,
            "GROUP",
            &crate::enums::enum_name(g.dimension),
            &g.key,
            g.name.as_deref().unwrap_or(""),
            &g.figures,
            &g.departures,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_row_has_a_cell_under_each_column() {
        use super::super::report::{Figures, Tolerance, figures};
        use super::super::stats::Tally;
        let mut t = Tally::default();
        t.add(5, crate::case::entity::RiskLevel::Low, false, 50);
        t.add(20, crate::case::entity::RiskLevel::High, true, 50);
        let v = super::Validation {
            instrument: "HRA-1".into(),
            outcome: crate::risk::outcome::OutcomeDefinition {
                version: 1,
                window_days: 365,
                violation_kinds: vec![],
                violation_severities: vec![],
                case_statuses: vec![],
                description: String::new(),
            },
            from: chrono::NaiveDate::MIN,
            to: chrono::NaiveDate::MIN,
            territory: None,
            as_of: chrono::DateTime::UNIX_EPOCH,
            min_cell: 10,
            tolerance: Tolerance::default(),
            pending: None,
            whole: figures(&t, &[], 10),
            groups: vec![super::super::Group {
                dimension: super::super::GroupDimension::Sex,
                key: "FEMALE".into(),
                region_id: None,
                name: None,
                figures: Figures {
                    suppressed: true,
                    ..Figures::default()
                },
                departures: Default::default(),
            }],
        };
        let rows = super::rows(&v);
        assert_eq!(rows.len(), 1 + 4 + 1);
        assert!(rows.iter().all(|r| r.len() == super::HEADER.len()));
    }
}
