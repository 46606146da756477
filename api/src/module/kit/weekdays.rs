//! Sets of weekdays stored as a bit mask: Monday = 1, Tuesday = 2, … Sunday = 64 (a
//! vacancy's work days, a programme's class days). A module exposes the days as its own
//! GraphQL enum, Monday first, and converts with these.

/// The mask of `days`, each placed by its position in `week` (Monday first).
pub fn mask<D: Copy + PartialEq>(week: &[D; 7], days: &[D]) -> i32 {
    days.iter()
        .map(|d| 1 << week.iter().position(|x| x == d).unwrap_or_default())
        .fold(0, |a, b| a | b)
}

/// The days of `week` (Monday first) that `mask` holds, in week order.
pub fn days<D: Copy>(week: &[D; 7], mask: i32) -> Vec<D> {
    week.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, d)| *d)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: [&str; 7] = ["mo", "tu", "we", "th", "fr", "sa", "su"];

    #[test]
    fn days_go_to_their_bits_and_back_in_week_order() {
        assert_eq!(mask(&WEEK, &["mo", "we", "su"]), 1 | 4 | 64);
        assert_eq!(mask(&WEEK, &[]), 0);
        assert_eq!(days(&WEEK, 1 | 4 | 64), ["mo", "we", "su"]);
        assert_eq!(days(&WEEK, mask(&WEEK, &["fr", "tu"])), ["tu", "fr"]);
    }
}
