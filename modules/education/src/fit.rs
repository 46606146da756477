//! Whether a programme's intake fits a person: eligibility (age, prior education) and
//! the sentence's conditions (the class hours against the curfew, the place against the
//! areas the person must stay within or out of). The same rules run twice: in Rust, to
//! say why an intake does not fit, and as SQL, to list only the intakes that do; a test
//! holds the two to each other.

use async_graphql::{Enum, SimpleObject};
use chrono::{Datelike, NaiveDate, NaiveTime};
use hamkor_api::case::restrictions::{Conflict, Restrictions};
use hamkor_api::territory::resolve::Place;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition};

use crate::entity::{EducationLevel, enum_name, intake, programme};

/// Who is looking for a programme.
#[derive(Debug, Clone)]
pub struct Applicant {
    pub birth_date: NaiveDate,
    pub education: Option<EducationLevel>,
    pub restrictions: Restrictions,
}

impl Applicant {
    /// Age in whole years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> i32 {
        let mut age = on.year() - self.birth_date.year();
        if (on.month(), on.day()) < (self.birth_date.month(), self.birth_date.day()) {
            age -= 1;
        }
        age
    }
}

/// Why an intake does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(visible = "crate::education_visible")]
pub enum FitIssueCode {
    /// The class hours overlap the curfew.
    Curfew,
    /// The place is outside an area the person must stay within.
    OutsideAllowedArea,
    /// The place is inside an area the person must stay out of.
    InsideForbiddenArea,
    TooYoung,
    TooOld,
    /// The person's education is below the programme's minimum.
    EducationBelowMinimum,
    /// The programme has a minimum and the person's education is not known.
    EducationUnknown,
    /// Every seat of the intake is taken.
    NoSeatsLeft,
}

/// One reason an intake does not fit, with a sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
#[graphql(name = "EducationFitIssue", visible = "crate::education_visible")]
pub struct FitIssue {
    pub code: FitIssueCode,
    pub message: String,
}

fn minute_time(m: i32) -> Option<NaiveTime> {
    let m = u32::try_from(m).ok()?;
    NaiveTime::from_hms_opt(m / 60, m % 60, 0)
}

/// The daily class hours of a programme (None when self-paced).
pub fn hours(p: &programme::Model) -> Option<(NaiveTime, NaiveTime)> {
    Some((minute_time(p.start_minute?)?, minute_time(p.end_minute?)?))
}

/// Where a programme takes place (None when remote).
pub fn place(p: &programme::Model) -> Option<Place> {
    (!p.remote).then_some(Place {
        region_id: p.region_id,
        district_id: p.district_id,
        mahalla_id: p.mahalla_id,
    })
}

/// Everything that keeps `who` from this intake, checked on `today`.
pub fn assess(who: &Applicant, p: &programme::Model, i: &intake::Model, today: NaiveDate) -> Vec<FitIssue> {
    let mut out = Vec::new();
    let age = who.age_on(today);
    if let Some(min) = p.min_age
        && age < min
    {
        out.push(issue(
            FitIssueCode::TooYoung,
            format!("the programme is for {min} and older"),
        ));
    }
    if let Some(max) = p.max_age
        && age > max
    {
        out.push(issue(
            FitIssueCode::TooOld,
            format!("the programme is for {max} and younger"),
        ));
    }
    if let Some(min) = p.min_education {
        match who.education {
            None => out.push(issue(
                FitIssueCode::EducationUnknown,
                format!(
                    "the programme requires {}; the person's education is not recorded",
                    enum_name(min)
                ),
            )),
            Some(level) if level.rank() < min.rank() => out.push(issue(
                FitIssueCode::EducationBelowMinimum,
                format!("the programme requires {}", enum_name(min)),
            )),
            Some(_) => {}
        }
    }
    for conflict in who.restrictions.conflicts(hours(p), place(p).as_ref()) {
        out.push(match conflict {
            Conflict::Curfew(_) => issue(FitIssueCode::Curfew, conflict.reason()),
            Conflict::OutsideAllowedArea(_) => issue(FitIssueCode::OutsideAllowedArea, conflict.reason()),
            Conflict::InsideForbiddenArea(_) => issue(FitIssueCode::InsideForbiddenArea, conflict.reason()),
        });
    }
    if i.seats_taken >= i.seats {
        out.push(issue(
            FitIssueCode::NoSeatsLeft,
            "every seat of this intake is taken".into(),
        ));
    }
    out
}

fn issue(code: FitIssueCode, message: String) -> FitIssue {
    FitIssue { code, message }
}

/// The issues that forbid an application (all but a full intake, which waitlists).
pub fn blocking(issues: &[FitIssue]) -> Vec<&FitIssue> {
    issues
        .iter()
        .filter(|i| i.code != FitIssueCode::NoSeatsLeft)
        .collect()
}

/// The programmes that fit `who` on `today`, as SQL over `education_programmes` (the
/// seats are checked on the intake).
pub fn programme_fits(who: &Applicant, today: NaiveDate) -> Condition {
    use programme::Column as P;
    let age = who.age_on(today);
    let mut all = Condition::all()
        .add(Condition::any().add(P::MinAge.is_null()).add(P::MinAge.lte(age)))
        .add(Condition::any().add(P::MaxAge.is_null()).add(P::MaxAge.gte(age)));
    all = all.add(match who.education {
        Some(level) => Condition::any()
            .add(P::MinEducation.is_null())
            .add(P::MinEducation.is_in(level.at_most())),
        None => Condition::all().add(P::MinEducation.is_null()),
    });
    for w in &who.restrictions.curfews {
        let (cs, ce) = (minute(w.start), minute(w.end));
        // Class hours never cross midnight (checked on write): [s, e) misses the curfew
        // when it ends by its start or begins at or after its end.
        let misses = if cs < ce {
            Condition::any()
                .add(P::EndMinute.lte(cs))
                .add(P::StartMinute.gte(ce))
        } else {
            Condition::all()
                .add(P::StartMinute.gte(ce))
                .add(P::EndMinute.lte(cs))
        };
        all = all.add(Condition::any().add(P::StartMinute.is_null()).add(misses));
    }
    for area in &who.restrictions.stay_within {
        all = all.add(Condition::any().add(P::Remote.eq(true)).add(inside(area)));
    }
    for area in &who.restrictions.stay_out {
        all = all.add(
            Condition::any()
                .add(P::Remote.eq(true))
                .add(Condition::all().add(inside(area)).not()),
        );
    }
    all
}

/// `education_programmes` rows located inside `area` (null-safe: an unknown level is
/// not inside).
fn inside(area: &Place) -> Condition {
    use programme::Column as P;
    let col_eq = |col: P, v: i64| -> SimpleExpr { Expr::col(col).is_not_null().and(col.eq(v)) };
    match (area.mahalla_id, area.district_id, area.region_id) {
        (Some(m), _, _) => Condition::all().add(col_eq(P::MahallaId, m)),
        (None, Some(d), _) => Condition::all().add(col_eq(P::DistrictId, d)),
        (None, None, Some(r)) => Condition::all().add(col_eq(P::RegionId, r)),
        (None, None, None) => Condition::all(),
    }
}

fn minute(t: NaiveTime) -> i32 {
    use chrono::Timelike;
    (t.hour() * 60 + t.minute()) as i32
}
