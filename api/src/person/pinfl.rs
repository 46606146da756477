//! PINFL (JShShIR): the 14-digit personal identification number of a natural person.

use std::fmt;

use crate::error::{ApiError, ApiResult};

/// A syntactically valid PINFL: exactly 14 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pinfl(String);

impl Pinfl {
    /// Parse a PINFL; spaces are ignored, anything but 14 digits is refused.
    pub fn parse(field: &str, value: &str) -> ApiResult<Self> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() != 14 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::bad_input(field, "a PINFL is exactly 14 digits"));
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Pinfl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Pinfl;

    #[test]
    fn fourteen_digits_are_accepted_with_spaces_removed() {
        let p = Pinfl::parse("pinfl", "3120 5860 1234 56").expect("valid");
        assert_eq!(p.as_str(), "31205860123456");
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "1234567890123",
            "123456789012345",
            "3120586012345a",
            "３１２０５８６０１２３４５６",
        ] {
            assert!(Pinfl::parse("pinfl", bad).is_err(), "{bad}");
        }
    }
}
