//! What a case's sentence conditions rule out for an activity a partner offers: a job's
//! shift, a course's timetable, the place where either happens. The modules that match
//! people with activities (employment, education) judge a curfew or an area through
//! this one place, so they never disagree about what the sentence allows.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime, Timelike};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::conditions::CurfewWindow;
use super::entity::{ConditionKind, condition};
use crate::territory::resolve::Place;

/// The restrictions in force for one case on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restrictions {
    pub curfews: Vec<CurfewWindow>,
    /// Areas the person must stay within (all of them at once).
    pub stay_within: Vec<Place>,
    /// Areas the person must stay out of.
    pub stay_out: Vec<Place>,
}

/// Why an activity does not fit a case's conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The activity's hours overlap the curfew.
    Curfew(CurfewWindow),
    /// The place lies outside an area the person must stay within.
    OutsideAllowedArea(Place),
    /// The place lies inside an area the person must stay out of.
    InsideForbiddenArea(Place),
}

impl Conflict {
    /// A sentence a counsellor can read out.
    pub fn reason(&self) -> String {
        match self {
            Self::Curfew(w) => format!(
                "the hours overlap the curfew from {} to {}",
                w.start.format("%H:%M"),
                w.end.format("%H:%M")
            ),
            Self::OutsideAllowedArea(area) => {
                format!(
                    "the place is outside the {} the person must stay within",
                    level(area)
                )
            }
            Self::InsideForbiddenArea(area) => {
                format!(
                    "the place is inside a {} the person must stay out of",
                    level(area)
                )
            }
        }
    }
}

fn level(p: &Place) -> &'static str {
    match (p.mahalla_id, p.district_id, p.region_id) {
        (Some(_), _, _) => "mahalla",
        (None, Some(_), _) => "district",
        (None, None, Some(_)) => "region",
        _ => "country",
    }
}

fn in_force(c: &condition::Model, on: NaiveDate) -> bool {
    c.valid_from.is_none_or(|d| d <= on) && c.valid_until.is_none_or(|d| on <= d)
}

fn place_of(c: &condition::Model) -> Option<Place> {
    let p = Place {
        region_id: c.region_id,
        district_id: c.district_id,
        mahalla_id: c.mahalla_id,
    };
    (p != Place::default()).then_some(p)
}

/// Minutes of the day an interval covers, as one or two half-open segments (an
/// interval whose end is not after its start runs past midnight).
fn segments(start: NaiveTime, end: NaiveTime) -> [(u32, u32); 2] {
    let (s, e) = (minute(start), minute(end));
    if s < e {
        [(s, e), (0, 0)]
    } else {
        [(s, 1440), (0, e)]
    }
}

fn minute(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

/// Whether two daily intervals overlap (either may cross midnight).
pub fn hours_overlap(a: (NaiveTime, NaiveTime), b: (NaiveTime, NaiveTime)) -> bool {
    segments(a.0, a.1).iter().any(|x| {
        segments(b.0, b.1)
            .iter()
            .any(|y| x.0 < x.1 && y.0 < y.1 && x.0 < y.1 && y.0 < x.1)
    })
}

impl Restrictions {
    /// The restrictions among `rows` (one case's conditions) in force on `on`.
    pub fn from_conditions<'a>(rows: impl IntoIterator<Item = &'a condition::Model>, on: NaiveDate) -> Self {
        let mut r = Self::default();
        for c in rows.into_iter().filter(|c| in_force(c, on)) {
            match c.kind {
                ConditionKind::Curfew => {
                    if let (Some(start), Some(end)) = (c.curfew_start, c.curfew_end)
                        && start != end
                    {
                        r.curfews.push(CurfewWindow { start, end });
                    }
                }
                ConditionKind::StayWithinArea => r.stay_within.extend(place_of(c)),
                ConditionKind::StayOutOfArea => r.stay_out.extend(place_of(c)),
                ConditionKind::Reporting | ConditionKind::Other => {}
            }
        }
        r
    }

    /// The restrictions of one case on `on`.
    pub async fn of_case<C: ConnectionTrait>(db: &C, case_id: i64, on: NaiveDate) -> Result<Self, DbErr> {
        let rows = condition::Entity::find()
            .filter(condition::Column::CaseId.eq(case_id))
            .all(db)
            .await?;
        Ok(Self::from_conditions(&rows, on))
    }

    /// The restrictions of many cases on `on`, in one query (a case without conditions
    /// maps to none).
    pub async fn of_cases<C: ConnectionTrait>(
        db: &C,
        case_ids: &[i64],
        on: NaiveDate,
    ) -> Result<HashMap<i64, Self>, DbErr> {
        let mut by_case: HashMap<i64, Vec<condition::Model>> = HashMap::new();
        for chunk in case_ids.chunks(500) {
            let rows = condition::Entity::find()
                .filter(condition::Column::CaseId.is_in(chunk.iter().copied()))
                .all(db)
                .await?;
            for row in rows {
                by_case.entry(row.case_id).or_default().push(row);
            }
        }
        Ok(case_ids
            .iter()
            .map(|id| {
                let rows = by_case.get(id).map(Vec::as_slice).unwrap_or_default();
                (*id, Self::from_conditions(rows, on))
            })
            .collect())
    }

    /// The curfew an activity from `start` to `end` (daily; it may run past midnight)
    /// would break, if any.
    pub fn curfew_conflict(&self, start: NaiveTime, end: NaiveTime) -> Option<Conflict> {
        self.curfews
            .iter()
            .find(|w| hours_overlap((start, end), (w.start, w.end)))
            .map(|w| Conflict::Curfew(*w))
    }

    /// Whether being at `place` breaks an area restriction. A place known less
    /// precisely than an area the person must stay within counts as outside it (the
    /// sentence is not to be risked on a guess).
    pub fn area_conflict(&self, place: &Place) -> Option<Conflict> {
        if let Some(area) = self.stay_within.iter().find(|a| !a.contains(place)) {
            return Some(Conflict::OutsideAllowedArea(*area));
        }
        self.stay_out
            .iter()
            .find(|a| a.contains(place))
            .map(|a| Conflict::InsideForbiddenArea(*a))
    }

    /// Every conflict of an activity with these hours (if timed) at this place (if not
    /// remote).
    pub fn conflicts(&self, hours: Option<(NaiveTime, NaiveTime)>, place: Option<&Place>) -> Vec<Conflict> {
        let mut out = Vec::new();
        if let Some((start, end)) = hours {
            out.extend(self.curfew_conflict(start, end));
        }
        if let Some(place) = place {
            out.extend(self.area_conflict(place));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("time")
    }

    fn night() -> Restrictions {
        Restrictions {
            curfews: vec![CurfewWindow {
                start: t("22:00"),
                end: t("06:00"),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_day_shift_fits_a_night_curfew() {
        assert_eq!(night().curfew_conflict(t("09:00"), t("18:00")), None);
        // Ending exactly when the curfew starts is allowed; starting when it ends too.
        assert_eq!(night().curfew_conflict(t("14:00"), t("22:00")), None);
        assert_eq!(night().curfew_conflict(t("06:00"), t("14:00")), None);
    }

    #[test]
    fn a_shift_ending_after_curfew_start_conflicts() {
        assert!(night().curfew_conflict(t("14:00"), t("22:01")).is_some());
        assert!(night().curfew_conflict(t("20:00"), t("04:00")).is_some());
        assert!(night().curfew_conflict(t("05:00"), t("13:00")).is_some());
        assert!(night().curfew_conflict(t("23:00"), t("23:30")).is_some());
    }

    #[test]
    fn an_evening_curfew_within_one_day() {
        let r = Restrictions {
            curfews: vec![CurfewWindow {
                start: t("19:00"),
                end: t("23:00"),
            }],
            ..Default::default()
        };
        assert!(r.curfew_conflict(t("22:00"), t("02:00")).is_some());
        assert_eq!(r.curfew_conflict(t("23:00"), t("07:00")), None);
    }

    #[test]
    fn areas_within_and_out() {
        let district = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: None,
        };
        let inside = Place {
            mahalla_id: Some(100),
            ..district
        };
        let elsewhere = Place {
            region_id: Some(1),
            district_id: Some(11),
            mahalla_id: Some(110),
        };
        let within = Restrictions {
            stay_within: vec![district],
            ..Default::default()
        };
        assert_eq!(within.area_conflict(&inside), None);
        assert_eq!(within.area_conflict(&district), None);
        assert_eq!(
            within.area_conflict(&elsewhere),
            Some(Conflict::OutsideAllowedArea(district))
        );
        let out = Restrictions {
            stay_out: vec![inside],
            ..Default::default()
        };
        assert_eq!(
            out.area_conflict(&inside),
            Some(Conflict::InsideForbiddenArea(inside))
        );
        assert_eq!(out.area_conflict(&elsewhere), None);
        // Stay within a mahalla: a place known only to its district is not safe.
        let mahalla_only = Restrictions {
            stay_within: vec![inside],
            ..Default::default()
        };
        assert!(mahalla_only.area_conflict(&district).is_some());
    }

    #[test]
    fn conditions_out_of_force_are_ignored() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let row = |from: Option<NaiveDate>, until: Option<NaiveDate>| condition::Model {
            id: 1,
            case_id: 1,
            kind: ConditionKind::Curfew,
            curfew_start: Some(t("22:00")),
            curfew_end: Some(t("06:00")),
            region_id: None,
            district_id: None,
            mahalla_id: None,
            place: None,
            report_every_days: None,
            description: None,
            valid_from: from,
            valid_until: until,
            geofence: None,
            created_by: 1,
            created_at: chrono::Utc::now(),
        };
        let ended = row(None, day.pred_opt());
        let future = row(day.succ_opt(), None);
        let current = row(Some(day), Some(day));
        assert!(
            Restrictions::from_conditions([&ended, &future], day)
                .curfews
                .is_empty()
        );
        assert_eq!(Restrictions::from_conditions([&current], day).curfews.len(), 1);
    }
}
