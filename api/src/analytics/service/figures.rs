//! The figures of one territory, their total, and their CSV cells.

/// The referral figures of one module that counts them ([`Module::counts_referrals`]).
///
/// [`Module::counts_referrals`]: crate::module::Module::counts_referrals
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFigures {
    pub module_id: &'static str,
    /// The module's referrals sent in the period.
    pub referrals: i64,
    /// Those of them completed.
    pub completed: i64,
}

/// A figure a module contributed to a territory's row ([`Module::territory_figures`]).
///
/// [`Module::territory_figures`]: crate::module::Module::territory_figures
#[derive(Debug, Clone, PartialEq)]
pub struct ContributedFigure {
    pub module_id: &'static str,
    pub key: &'static str,
    pub value: f64,
}

/// The figures of one territory (or the total over all of them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// The region, district or mahalla id (0 for the total).
    pub territory_id: i64,
    pub cases_pending: i64,
    pub cases_active: i64,
    pub cases_suspended: i64,
    pub cases_completed: i64,
    pub cases_revoked: i64,
    pub active_low: i64,
    pub active_medium: i64,
    pub active_high: i64,
    pub active_very_high: i64,
    pub active_unassessed: i64,
    pub appointments_attended: i64,
    pub appointments_missed: i64,
    pub appointments_excused: i64,
    pub violations: i64,
    pub alerts_raised: i64,
    pub alerts_acknowledged: i64,
    /// Mean minutes from raising to acknowledging, over the acknowledged alerts.
    pub mean_minutes_to_acknowledge: Option<f64>,
    pub referrals_made: i64,
    pub referrals_completed: i64,
    pub referrals_declined: i64,
    pub referrals_cancelled: i64,
    /// One entry per module that counts its referrals, in registry order.
    pub modules: Vec<ModuleFigures>,
    /// Figures modules contributed to this row (none on the total: a module's figure,
    /// a share say, need not add up).
    pub contributed: Vec<ContributedFigure>,
}

impl Figures {
    /// Zero figures of `territory_id`, with an entry for each of `modules`.
    pub fn new(territory_id: i64, modules: &[&'static str]) -> Self {
        Self {
            territory_id,
            modules: modules
                .iter()
                .map(|&module_id| ModuleFigures {
                    module_id,
                    referrals: 0,
                    completed: 0,
                })
                .collect(),
            ..Self::default()
        }
    }

    /// The figures of `module_id`, when it counts its referrals.
    pub fn module(&self, module_id: &str) -> Option<&ModuleFigures> {
        self.modules.iter().find(|m| m.module_id == module_id)
    }
}

/// The sum of every row (the mean time to acknowledge weighted by acknowledged alerts).
pub fn total(modules: &[&'static str], rows: &[Figures]) -> Figures {
    let mut t = Figures::new(0, modules);
    let mut minutes = 0.0;
    for r in rows {
        t.cases_pending += r.cases_pending;
        t.cases_active += r.cases_active;
        t.cases_suspended += r.cases_suspended;
        t.cases_completed += r.cases_completed;
        t.cases_revoked += r.cases_revoked;
        t.active_low += r.active_low;
        t.active_medium += r.active_medium;
        t.active_high += r.active_high;
        t.active_very_high += r.active_very_high;
        t.active_unassessed += r.active_unassessed;
        t.appointments_attended += r.appointments_attended;
        t.appointments_missed += r.appointments_missed;
        t.appointments_excused += r.appointments_excused;
        t.violations += r.violations;
        t.alerts_raised += r.alerts_raised;
        t.alerts_acknowledged += r.alerts_acknowledged;
        minutes += r.mean_minutes_to_acknowledge.unwrap_or(0.0) * r.alerts_acknowledged as f64;
        t.referrals_made += r.referrals_made;
        t.referrals_completed += r.referrals_completed;
        t.referrals_declined += r.referrals_declined;
        t.referrals_cancelled += r.referrals_cancelled;
        for m in &mut t.modules {
            if let Some(rm) = r.module(m.module_id) {
                m.referrals += rm.referrals;
                m.completed += rm.completed;
            }
        }
    }
    if t.alerts_acknowledged > 0 {
        t.mean_minutes_to_acknowledge = Some((minutes / t.alerts_acknowledged as f64 * 10.0).round() / 10.0);
    }
    t
}

/// The CSV columns before the modules', in order (the same figures as GraphQL).
const CSV_COLUMNS: &[&str] = &[
    "level",
    "territory_id",
    "name",
    "cases_pending",
    "cases_active",
    "cases_suspended",
    "cases_completed",
    "cases_revoked",
    "active_low",
    "active_medium",
    "active_high",
    "active_very_high",
    "active_unassessed",
    "appointments_attended",
    "appointments_missed",
    "appointments_excused",
    "violations",
    "alerts_raised",
    "alerts_acknowledged",
    "mean_minutes_to_acknowledge",
    "referrals_made",
    "referrals_completed",
    "referrals_declined",
    "referrals_cancelled",
];

/// The CSV header: the core's columns, then `<id>_referrals` and `<id>_completed` for
/// each module that counts its referrals.
pub fn csv_header(modules: &[&'static str]) -> Vec<String> {
    let mut header: Vec<String> = CSV_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for id in modules {
        header.push(format!("{id}_referrals"));
        header.push(format!("{id}_completed"));
    }
    header
}

impl Figures {
    /// The numeric cells of a CSV row, after level, id and name.
    pub fn cells(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            self.cases_pending,
            self.cases_active,
            self.cases_suspended,
            self.cases_completed,
            self.cases_revoked,
            self.active_low,
            self.active_medium,
            self.active_high,
            self.active_very_high,
            self.active_unassessed,
            self.appointments_attended,
            self.appointments_missed,
            self.appointments_excused,
            self.violations,
            self.alerts_raised,
            self.alerts_acknowledged,
        ]
        .iter()
        .map(i64::to_string)
        .collect();
        v.push(
            self.mean_minutes_to_acknowledge
                .map(|m| m.to_string())
                .unwrap_or_default(),
        );
        v.extend(
            [
                self.referrals_made,
                self.referrals_completed,
                self.referrals_declined,
                self.referrals_cancelled,
            ]
            .iter()
            .map(i64::to_string),
        );
        for m in &self.modules {
            v.push(m.referrals.to_string());
            v.push(m.completed.to_string());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_csv_row_has_a_cell_under_each_column() {
        let modules = ["alpha", "beta"];
        let row = Figures::new(7, &modules);
        assert_eq!(csv_header(&modules).len(), 3 + row.cells().len());
    }

    #[test]
    fn the_total_sums_each_modules_referrals() {
        let modules = ["alpha", "beta"];
        let mut a = Figures::new(1, &modules);
        a.modules[0].referrals = 2;
        a.modules[1].completed = 1;
        let mut b = Figures::new(2, &modules);
        b.modules[0].referrals = 3;
        let t = total(&modules, &[a, b]);
        assert_eq!(t.module("alpha").map(|m| m.referrals), Some(5));
        assert_eq!(t.module("beta").map(|m| m.completed), Some(1));
    }
}
