//! Sets of weekdays stored as a bit mask: Monday = 1, Tuesday = 2, … Sunday = 64 (a
//! vacancy's work days, a programme's class days). A module exposes the days as its own
//! GraphQL enum ([`weekday_enum!`](crate::weekday_enum)) and converts with these.

/// Declare a GraphQL enum of the seven days, Monday first, with `WEEK` (the days in
/// order), `mask` and `days_of` (to and from the stored bit mask). The doc comment
/// describes it; inner attributes (`#![…]`) go on it (a module's `visible` function):
///
/// ```ignore
/// hamkor_api::weekday_enum! {
///     #![graphql(visible = "crate::employment_visible")]
///     /// A day of work.
///     WorkDay
/// }
/// ```
#[macro_export]
macro_rules! weekday_enum {
    ($(#![$all:meta])* $(#[$m:meta])* $name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
        $(#[$all])*
        $(#[$m])*
        pub enum $name {
            Monday,
            Tuesday,
            Wednesday,
            Thursday,
            Friday,
            Saturday,
            Sunday,
        }

        impl $name {
            /// The days, Monday first.
            pub const WEEK: [Self; 7] = [
                Self::Monday,
                Self::Tuesday,
                Self::Wednesday,
                Self::Thursday,
                Self::Friday,
                Self::Saturday,
                Self::Sunday,
            ];

            /// The bit mask of `days` (Monday = 1 … Sunday = 64).
            pub fn mask(days: &[Self]) -> i32 {
                $crate::module::kit::weekdays::mask(&Self::WEEK, days)
            }

            /// The days a bit mask holds, Monday first.
            pub fn days_of(mask: i32) -> Vec<Self> {
                $crate::module::kit::weekdays::days(&Self::WEEK, mask)
            }
        }
    };
}

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

    crate::weekday_enum! {
        /// A sample day.
        Day
    }

    const WEEK: [&str; 7] = ["mo", "tu", "we", "th", "fr", "sa", "su"];

    #[test]
    fn days_go_to_their_bits_and_back_in_week_order() {
        assert_eq!(mask(&WEEK, &["mo", "we", "su"]), 1 | 4 | 64);
        assert_eq!(mask(&WEEK, &[]), 0);
        assert_eq!(days(&WEEK, 1 | 4 | 64), ["mo", "we", "su"]);
        assert_eq!(days(&WEEK, mask(&WEEK, &["fr", "tu"])), ["tu", "fr"]);
    }

    #[test]
    fn a_weekday_enum_converts_its_days() {
        assert_eq!(Day::mask(&[Day::Tuesday, Day::Sunday]), 2 | 64);
        assert_eq!(Day::days_of(1 | 16), [Day::Monday, Day::Friday]);
    }
}
