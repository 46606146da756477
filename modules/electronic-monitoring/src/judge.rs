//! Judging position fixes against a case's zones and curfew: pure rules, no SQL.
//!
//! A fix is a breach only when its whole accuracy circle lies on the wrong side of a
//! zone's edge; a fix that straddles the edge judges nothing (and ends a run). A run of
//! consecutive breaching fixes of one kind becomes an [`Episode`] (an incident) only
//! once it is long enough: `fixes` fixes, or `minutes` minutes from its first fix to its
//! last (the organisation's debounce), so GPS jitter pages no one. Judging depends on
//! the set of fixes only, never on the order they arrived in.

use chrono::{DateTime, NaiveDate, Utc};
use hamkor_api::case::conditions::CurfewWindow;
use hamkor_api::case::geofence::{CASE_TZ, Geofence, Located, local_time};

use crate::entity::IncidentKind;

/// One fix, as the judge sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

/// A zone and the dates it is in force (local dates, inclusive).
#[derive(Debug, Clone)]
pub struct Zone {
    pub geofence: Geofence,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Zone {
    fn in_force(&self, on: NaiveDate) -> bool {
        self.from.is_none_or(|d| d <= on) && self.until.is_none_or(|d| on <= d)
    }
}

/// What a case's conditions ask of its positions.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Curfews with their home zone.
    pub curfews: Vec<(CurfewWindow, Zone)>,
    /// Areas to stay within.
    pub inclusion: Vec<Zone>,
    /// Zones to stay out of.
    pub exclusion: Vec<Zone>,
}

/// How long a run must be before it is an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    pub fixes: u32,
    pub minutes: u32,
}

/// A run of breaching fixes long enough to be an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub kind: IncidentKind,
    pub first: Fix,
    pub last: Fix,
    pub fixes: usize,
}

impl Rules {
    /// Whether the rules judge positions at all.
    pub fn is_empty(&self) -> bool {
        self.curfews.is_empty() && self.inclusion.is_empty() && self.exclusion.is_empty()
    }

    /// Whether `fix` surely breaches a rule of `kind`.
    pub fn breaches(&self, kind: IncidentKind, fix: &Fix) -> bool {
        let on = fix.at.with_timezone(&CASE_TZ).date_naive();
        let at = |z: &Zone| z.geofence.locate(fix.lat, fix.lon, fix.accuracy_m);
        match kind {
            IncidentKind::Curfew => {
                let t = local_time(fix.at);
                self.curfews.iter().any(|(w, home)| {
                    // A curfew that began yesterday evening is yesterday's condition.
                    let started = if w.start > w.end && t < w.end {
                        on.pred_opt().unwrap_or(on)
                    } else {
                        on
                    };
                    w.contains(t) && home.in_force(started) && at(home) == Located::Outside
                })
            }
            IncidentKind::LeftArea => self
                .inclusion
                .iter()
                .any(|z| z.in_force(on) && at(z) == Located::Outside),
            IncidentKind::EnteredForbiddenArea => self
                .exclusion
                .iter()
                .any(|z| z.in_force(on) && at(z) == Located::Inside),
            _ => false,
        }
    }
}

/// The kinds of incident positions are judged for.
pub const POSITION_KINDS: [IncidentKind; 3] = [
    IncidentKind::Curfew,
    IncidentKind::LeftArea,
    IncidentKind::EnteredForbiddenArea,
];

/// The episodes among `fixes` (any order; the same fix twice counts once).
pub fn episodes(fixes: &[Fix], rules: &Rules, debounce: Debounce) -> Vec<Episode> {
    let mut sorted: Vec<&Fix> = fixes.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    sorted.dedup_by(|a, b| a.id == b.id);
    let mut out = Vec::new();
    for kind in POSITION_KINDS {
        let mut run: Vec<&Fix> = Vec::new();
        let mut close = |run: &mut Vec<&Fix>| {
            if let (Some(first), Some(last)) = (run.first(), run.last()) {
                let long = (last.at - first.at).num_seconds() >= i64::from(debounce.minutes) * 60;
                if run.len() >= debounce.fixes.max(1) as usize || long {
                    out.push(Episode {
                        kind,
                        first: (*first).clone(),
                        last: (*last).clone(),
                        fixes: run.len(),
                    });
                }
            }
            run.clear();
        };
        for fix in &sorted {
            if rules.breaches(kind, fix) {
                run.push(fix);
            } else {
                close(&mut run);
            }
        }
        close(&mut run);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveTime, TimeZone};

    use super::*;

    const HOME: (f64, f64) = (41.2810, 69.2010);

    fn rules() -> Rules {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("time");
        Rules {
            curfews: vec![(
                CurfewWindow {
                    start: t(22),
                    end: t(6),
                },
                Zone {
                    geofence: Geofence::circle("g", HOME.0, HOME.1, 100.0).expect("zone"),
                    from: None,
                    until: None,
                },
            )],
            ..Default::default()
        }
    }

    /// A fix at local (Tashkent) time `h:m` on 7 December, `north_m` metres north of home.
    fn fix(id: i64, h: u32, m: u32, north_m: f64, accuracy_m: f64) -> Fix {
        let local = CASE_TZ
            .with_ymd_and_hms(2026, 12, 7, h, m, 0)
            .single()
            .expect("time");
        Fix {
            id,
            at: local.with_timezone(&Utc),
            lat: HOME.0 + north_m / 110_574.0,
            lon: HOME.1,
            accuracy_m,
        }
    }

    const DEBOUNCE: Debounce = Debounce { fixes: 3, minutes: 5 };

    #[test]
    fn twenty_minutes_out_after_curfew_is_one_episode() {
        let mut fixes: Vec<Fix> = (0..20).map(|i| fix(i, 23, 10 + i as u32, 800.0, 15.0)).collect();
        fixes.push(fix(100, 23, 40, 0.0, 15.0));
        let e = episodes(&fixes, &rules(), DEBOUNCE);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, IncidentKind::Curfew);
        assert_eq!((e[0].first.id, e[0].last.id, e[0].fixes), (0, 19, 20));
    }

    #[test]
    fn the_same_fixes_in_any_order_give_the_same_episodes() {
        let fixes: Vec<Fix> = (0..20).map(|i| fix(i, 23, 10 + i as u32, 800.0, 15.0)).collect();
        let mut reversed = fixes.clone();
        reversed.reverse();
        reversed.extend(fixes.iter().take(5).cloned());
        assert_eq!(
            episodes(&fixes, &rules(), DEBOUNCE),
            episodes(&reversed, &rules(), DEBOUNCE)
        );
    }

    #[test]
    fn being_out_in_the_day_is_no_breach() {
        let fixes: Vec<Fix> = (0..20).map(|i| fix(i, 14, i as u32, 800.0, 15.0)).collect();
        assert!(episodes(&fixes, &rules(), DEBOUNCE).is_empty());
    }

    #[test]
    fn the_curfew_holds_across_midnight() {
        let fixes: Vec<Fix> = (0..10).map(|i| fix(i, 3, i as u32, 800.0, 15.0)).collect();
        assert_eq!(episodes(&fixes, &rules(), DEBOUNCE).len(), 1);
    }

    #[test]
    fn jitter_below_the_debounce_pages_no_one() {
        let fixes = vec![
            fix(1, 23, 0, 0.0, 15.0),
            fix(2, 23, 1, 400.0, 15.0),
            fix(3, 23, 2, 0.0, 15.0),
            fix(4, 23, 3, 400.0, 15.0),
            fix(5, 23, 4, 0.0, 15.0),
        ];
        assert!(episodes(&fixes, &rules(), DEBOUNCE).is_empty());
    }

    #[test]
    fn a_fix_whose_accuracy_straddles_the_edge_is_not_a_breach() {
        // 150 m out with 80 m accuracy: the circle reaches back inside the 100 m zone.
        let fixes: Vec<Fix> = (0..10).map(|i| fix(i, 23, i as u32, 150.0, 80.0)).collect();
        assert!(episodes(&fixes, &rules(), DEBOUNCE).is_empty());
    }

    #[test]
    fn minutes_out_count_even_with_few_fixes() {
        let a = fix(1, 23, 0, 800.0, 15.0);
        let mut b = a.clone();
        b.id = 2;
        b.at += Duration::minutes(6);
        assert_eq!(episodes(&[a, b], &rules(), DEBOUNCE).len(), 1);
    }
}
