//! Scoring of the standard screenings, parsed at the edge: a [`Scored`] value exists only
//! for a complete, valid set of answers.

use hamkor_api::error::ApiError;

use crate::entity::{Instrument, ScreeningBand};

/// A total at or above this suggests reviewing the support plan (both instruments).
pub const PLAN_REVIEW_THRESHOLD: i32 = 10;

impl Instrument {
    /// The questionnaire's usual name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Phq9 => "PHQ-9",
            Self::Gad7 => "GAD-7",
        }
    }

    /// How many items the questionnaire has.
    pub fn item_count(self) -> usize {
        match self {
            Self::Phq9 => 9,
            Self::Gad7 => 7,
        }
    }

    /// The band of a total, with the published cut-offs.
    pub fn band(self, total: i32) -> ScreeningBand {
        use ScreeningBand::*;
        match (self, total) {
            (_, ..=4) => Minimal,
            (_, 5..=9) => Mild,
            (_, 10..=14) => Moderate,
            (Self::Phq9, 15..=19) => ModeratelySevere,
            _ => Severe,
        }
    }

    /// The smallest change of total read as a real change rather than noise.
    pub fn meaningful_change(self) -> i32 {
        match self {
            Self::Phq9 => 5,
            Self::Gad7 => 4,
        }
    }
}

/// A valid, scored set of answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub items: Vec<i32>,
    pub total: i32,
    pub band: ScreeningBand,
    /// PHQ-9 item 9 (thoughts of self-harm) answered above 0: urgent, whatever the total.
    pub safety_flag: bool,
    pub plan_review_suggested: bool,
}

/// Check the answers (`field` names the input) and score them.
pub fn score(instrument: Instrument, items: &[i32], field: &str) -> Result<Scored, ApiError> {
    let n = instrument.item_count();
    if items.len() != n {
        return Err(ApiError::bad_input(
            field,
            format!(
                "{} has exactly {n} items, got {}",
                instrument.label(),
                items.len()
            ),
        ));
    }
    if let Some(i) = items.iter().position(|v| !(0..=3).contains(v)) {
        return Err(ApiError::bad_input(
            format!("{field}[{i}]"),
            "each answer is 0, 1, 2 or 3",
        ));
    }
    let total = items.iter().sum();
    Ok(Scored {
        items: items.to_vec(),
        total,
        band: instrument.band(total),
        safety_flag: instrument == Instrument::Phq9 && items[8] > 0,
        plan_review_suggested: total >= PLAN_REVIEW_THRESHOLD,
    })
}

/// Where a person's screenings are heading.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(visible = "crate::psych_visible")]
pub enum ScreeningTrend {
    /// The latest total fell by a meaningful amount since the previous one.
    Improving,
    Stable,
    /// The latest total rose by a meaningful amount since the previous one.
    Worsening,
    /// Fewer than two screenings.
    InsufficientData,
}

/// The trend of totals given newest first.
pub fn trend(instrument: Instrument, newest_first: &[i32]) -> ScreeningTrend {
    match newest_first {
        [latest, previous, ..] => {
            let change = latest - previous;
            let step = instrument.meaningful_change();
            if change <= -step {
                ScreeningTrend::Improving
            } else if change >= step {
                ScreeningTrend::Worsening
            } else {
                ScreeningTrend::Stable
            }
        }
        _ => ScreeningTrend::InsufficientData,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScreeningBand::*;

    #[test]
    fn phq9_bands_change_at_every_published_boundary() {
        for (total, band) in [
            (0, Minimal),
            (4, Minimal),
            (5, Mild),
            (9, Mild),
            (10, Moderate),
            (14, Moderate),
            (15, ModeratelySevere),
            (19, ModeratelySevere),
            (20, Severe),
            (27, Severe),
        ] {
            assert_eq!(Instrument::Phq9.band(total), band, "PHQ-9 total {total}");
        }
    }

    #[test]
    fn gad7_bands_change_at_every_published_boundary() {
        for (total, band) in [
            (0, Minimal),
            (4, Minimal),
            (5, Mild),
            (9, Mild),
            (10, Moderate),
            (14, Moderate),
            (15, Severe),
            (21, Severe),
        ] {
            assert_eq!(Instrument::Gad7.band(total), band, "GAD-7 total {total}");
        }
    }

    #[test]
    fn item_nine_raises_the_flag_whatever_the_total() {
        let s = score(Instrument::Phq9, &[1, 1, 1, 0, 0, 0, 0, 0, 1], "items").expect("valid");
        assert_eq!((s.total, s.band, s.safety_flag), (4, Minimal, true));
        assert!(!s.plan_review_suggested);
        let s = score(Instrument::Phq9, &[3, 3, 3, 3, 0, 0, 0, 0, 0], "items").expect("valid");
        assert!(!s.safety_flag);
        assert!(s.plan_review_suggested);
    }

    #[test]
    fn answers_are_counted_and_bounded() {
        let e = score(Instrument::Gad7, &[0; 9], "input.items").expect_err("refused");
        assert_eq!(e.code(), "BAD_USER_INPUT");
        let e = score(Instrument::Phq9, &[0, 0, 4, 0, 0, 0, 0, 0, 0], "input.items").expect_err("refused");
        assert!(matches!(e, ApiError::BadUserInput { ref field, .. } if field == "input.items[2]"));
        assert!(score(Instrument::Gad7, &[0, 0, 0, 0, 0, 0, -1], "i").is_err());
    }

    #[test]
    fn trends_need_a_meaningful_change() {
        assert_eq!(trend(Instrument::Phq9, &[12]), ScreeningTrend::InsufficientData);
        assert_eq!(trend(Instrument::Phq9, &[7, 12]), ScreeningTrend::Improving);
        assert_eq!(trend(Instrument::Phq9, &[9, 12]), ScreeningTrend::Stable);
        assert_eq!(trend(Instrument::Gad7, &[12, 8]), ScreeningTrend::Worsening);
    }
}
