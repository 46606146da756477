//! When check-ins fall due: every N days from the first due time, or on one weekday at
//! the first due time's hour (in the case's time zone). Pure: no SQL.

use chrono::{DateTime, Datelike, Duration, Utc};
use hamkor_api::case::geofence::CASE_TZ;
use hamkor_api::error::{ApiError, ApiResult};

/// A schedule of check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub first_due: DateTime<Utc>,
    pub every: Every,
    /// How long each window stays open.
    pub window_hours: i32,
}

/// How often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Days(i32),
    /// 1 = Monday … 7 = Sunday.
    Weekday(i32),
}

impl Schedule {
    /// A schedule from the officer's input: exactly one of `every_days` (1–90) and
    /// `weekday` (1–7); a window of 1–72 hours.
    pub fn new(
        first_due: DateTime<Utc>,
        every_days: Option<i32>,
        weekday: Option<i32>,
        window_hours: i32,
    ) -> ApiResult<Self> {
        let every = match (every_days, weekday) {
            (Some(d), None) if (1..=90).contains(&d) => Every::Days(d),
            (None, Some(w)) if (1..=7).contains(&w) => Every::Weekday(w),
            (Some(_), None) => return Err(ApiError::bad_input("input.everyDays", "between 1 and 90")),
            (None, Some(_)) => return Err(ApiError::bad_input("input.weekday", "1 (Monday) to 7 (Sunday)")),
            _ => {
                return Err(ApiError::bad_input(
                    "input.everyDays",
                    "give either everyDays or weekday",
                ));
            }
        };
        if !(1..=72).contains(&window_hours) {
            return Err(ApiError::bad_input("input.windowHours", "between 1 and 72"));
        }
        Ok(Self {
            first_due,
            every,
            window_hours,
        })
    }

    /// The first window's opening: the first due time, moved on to the weekday.
    pub fn first(&self) -> DateTime<Utc> {
        match self.every {
            Every::Days(_) => self.first_due,
            Every::Weekday(w) => {
                let local = self.first_due.with_timezone(&CASE_TZ);
                let today = local.weekday().number_from_monday() as i32;
                let ahead = (w - today).rem_euclid(7);
                self.first_due + Duration::days(i64::from(ahead))
            }
        }
    }

    /// The opening after the window that opened at `opens`.
    pub fn next(&self, opens: DateTime<Utc>) -> DateTime<Utc> {
        match self.every {
            Every::Days(d) => opens + Duration::days(i64::from(d)),
            Every::Weekday(_) => opens + Duration::days(7),
        }
    }

    /// When the window opening at `opens` closes.
    pub fn closes(&self, opens: DateTime<Utc>) -> DateTime<Utc> {
        opens + Duration::hours(i64::from(self.window_hours))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("a time")
    }

    #[test]
    fn every_n_days_steps_from_the_first() {
        let s = Schedule::new(at(2026, 12, 7, 4), Some(3), None, 12).expect("valid");
        assert_eq!(s.first(), at(2026, 12, 7, 4));
        assert_eq!(s.next(s.first()), at(2026, 12, 10, 4));
        assert_eq!(s.closes(s.first()), at(2026, 12, 7, 16));
    }

    #[test]
    fn a_weekday_moves_the_first_on_to_that_day_in_tashkent() {
        // Monday 7 December 2026, 04:00 UTC = 09:00 in Tashkent; Friday is 5.
        let s = Schedule::new(at(2026, 12, 7, 4), None, Some(5), 8).expect("valid");
        assert_eq!(s.first(), at(2026, 12, 11, 4));
        assert_eq!(s.next(s.first()), at(2026, 12, 18, 4));
    }

    #[test]
    fn a_schedule_needs_exactly_one_rhythm_and_a_sane_window() {
        assert!(Schedule::new(at(2026, 1, 1, 0), None, None, 8).is_err());
        assert!(Schedule::new(at(2026, 1, 1, 0), Some(2), Some(1), 8).is_err());
        assert!(Schedule::new(at(2026, 1, 1, 0), Some(0), None, 8).is_err());
        assert!(Schedule::new(at(2026, 1, 1, 0), Some(7), None, 0).is_err());
    }
}
