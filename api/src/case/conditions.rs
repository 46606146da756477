//! Sentence conditions as domain values: a curfew window, an area to stay within or out
//! of, a reporting duty. Inputs are parsed once, here.

use chrono::{NaiveDate, NaiveTime};

use super::entity::ConditionKind;
use super::geofence::Geofence;
use crate::error::{ApiError, ApiResult};
use crate::territory::resolve::Place;
use crate::validate;

/// Most conditions one case may carry.
pub const MAX_CONDITIONS_PER_CASE: u64 = 20;

/// A curfew: the person stays home from `start` until `end` (which may be the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurfewWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl CurfewWindow {
    pub fn new(field: &str, start: NaiveTime, end: NaiveTime) -> ApiResult<Self> {
        if start == end {
            return Err(ApiError::bad_input(
                field,
                "the curfew must start and end at different times",
            ));
        }
        Ok(Self { start, end })
    }

    /// Whether `t` falls inside the curfew (windows may cross midnight).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// What a condition requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Curfew(CurfewWindow),
    /// A territory, a zone on the map ([`ConditionSpec::geofence`]) or both.
    StayWithin(Option<Place>),
    StayOut {
        area: Option<Place>,
        place: Option<String>,
    },
    Reporting {
        every_days: i32,
    },
    Other,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionSpec {
    pub requirement: Requirement,
    pub description: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// A zone on the map: a curfew's home zone, an area to stay within or out of.
    pub geofence: Option<Geofence>,
}

impl ConditionSpec {
    pub fn kind(&self) -> ConditionKind {
        match self.requirement {
            Requirement::Curfew(_) => ConditionKind::Curfew,
            Requirement::StayWithin(_) => ConditionKind::StayWithinArea,
            Requirement::StayOut { .. } => ConditionKind::StayOutOfArea,
            Requirement::Reporting { .. } => ConditionKind::Reporting,
            Requirement::Other => ConditionKind::Other,
        }
    }
}

/// Raw fields of a condition input (territory already resolved by the caller).
#[derive(Debug, Default, Clone)]
pub struct RawCondition {
    pub curfew_start: Option<NaiveTime>,
    pub curfew_end: Option<NaiveTime>,
    pub area: Option<Place>,
    pub place: Option<String>,
    pub report_every_days: Option<i32>,
    pub description: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// A zone on the map (CURFEW home zone, STAY_WITHIN_AREA, STAY_OUT_OF_AREA).
    pub geofence: Option<Geofence>,
}

/// Parse a condition of `kind`; `field` prefixes the names of offending inputs.
pub fn parse(field: &str, kind: ConditionKind, raw: RawCondition) -> ApiResult<ConditionSpec> {
    let f = |name: &str| format!("{field}.{name}");
    let description = validate::optional(&f("description"), raw.description.as_deref(), 2_000)?;
    let place = validate::optional(&f("place"), raw.place.as_deref(), validate::SHORT_TEXT)?;
    if let (Some(from), Some(until)) = (raw.valid_from, raw.valid_until) {
        validate::date_range(&f("validUntil"), from, until)?;
    }
    let requirement = match kind {
        ConditionKind::Curfew => match (raw.curfew_start, raw.curfew_end) {
            (Some(s), Some(e)) => Requirement::Curfew(CurfewWindow::new(&f("curfewEnd"), s, e)?),
            _ => {
                return Err(ApiError::bad_input(
                    f("curfewStart"),
                    "a curfew needs a start and an end time",
                ));
            }
        },
        ConditionKind::StayWithinArea => match (raw.area, &raw.geofence) {
            (None, None) => {
                return Err(ApiError::bad_input(
                    f("territoryId"),
                    "name the area to stay within (a territory or a zone on the map)",
                ));
            }
            (area, _) => Requirement::StayWithin(area),
        },
        ConditionKind::StayOutOfArea => {
            if raw.area.is_none() && place.is_none() && raw.geofence.is_none() {
                return Err(ApiError::bad_input(
                    f("territoryId"),
                    "name an area or a kind of place to stay out of",
                ));
            }
            Requirement::StayOut {
                area: raw.area,
                place: place.clone(),
            }
        }
        ConditionKind::Reporting | ConditionKind::Other if raw.geofence.is_some() => {
            return Err(ApiError::bad_input(
                f("geofence"),
                "only a curfew (its home zone) or an area condition carries a zone",
            ));
        }
        ConditionKind::Reporting => match raw.report_every_days {
            Some(n) if (1..=90).contains(&n) => Requirement::Reporting { every_days: n },
            _ => {
                return Err(ApiError::bad_input(
                    f("reportEveryDays"),
                    "must be between 1 and 90 days",
                ));
            }
        },
        ConditionKind::Other => {
            if description.is_none() {
                return Err(ApiError::bad_input(f("description"), "describe the condition"));
            }
            Requirement::Other
        }
    };
    Ok(ConditionSpec {
        requirement,
        description,
        valid_from: raw.valid_from,
        valid_until: raw.valid_until,
        geofence: raw.geofence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        s.parse().expect("time")
    }

    #[test]
    fn a_curfew_across_midnight_covers_the_night() {
        let w = CurfewWindow::new("c", t("22:00:00"), t("06:00:00")).expect("valid");
        assert!(w.contains(t("23:30:00")));
        assert!(w.contains(t("05:59:00")));
        assert!(!w.contains(t("06:00:00")));
        assert!(!w.contains(t("12:00:00")));
    }

    #[test]
    fn a_curfew_needs_both_ends() {
        let raw = RawCondition {
            curfew_start: Some(t("22:00:00")),
            ..Default::default()
        };
        assert!(parse("input", ConditionKind::Curfew, raw).is_err());
    }

    #[test]
    fn reporting_needs_a_sensible_interval() {
        for (days, ok) in [(0, false), (1, true), (90, true), (91, false)] {
            let raw = RawCondition {
                report_every_days: Some(days),
                ..Default::default()
            };
            assert_eq!(
                parse("input", ConditionKind::Reporting, raw).is_ok(),
                ok,
                "{days}"
            );
        }
    }

    #[test]
    fn an_other_condition_needs_a_description() {
        assert!(parse("input", ConditionKind::Other, RawCondition::default()).is_err());
    }
}
