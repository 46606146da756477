//! Parsing of free-text inputs at the edge: trimmed, bounded, never empty when required.

use chrono::NaiveDate;

use crate::error::{ApiError, ApiResult};

/// Longest single-line text (names, titles).
pub const SHORT_TEXT: usize = 200;
/// Longest multi-line text (notes, descriptions).
pub const LONG_TEXT: usize = 10_000;

/// A required text: trimmed, 1..=max characters, no control characters except new lines
/// and tabs when `multiline`.
pub fn required(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    check(field, v, max, max > SHORT_TEXT)?;
    Ok(v.to_owned())
}

/// An optional text: empty becomes absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check(field, v, max, max > SHORT_TEXT)?;
            Ok(Some(v.to_owned()))
        }
    }
}

fn check(field: &str, v: &str, max: usize, multiline: bool) -> ApiResult<()> {
    if v.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let bad = v
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')));
    if bad {
        return Err(ApiError::bad_input(field, "must not contain control characters"));
    }
    Ok(())
}

/// `start` must not be after `end`.
pub fn date_range(field: &str, start: NaiveDate, end: NaiveDate) -> ApiResult<()> {
    if start > end {
        return Err(ApiError::bad_input(field, "must not end before it starts"));
    }
    Ok(())
}

/// A phone number in international form: `+` and 7 to 15 digits (spaces, dashes and
/// brackets are dropped). A 9-digit Uzbek number gets the +998 prefix.
pub fn phone(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let plus = raw.starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    if !allowed || raw[1..].contains('+') {
        return Err(ApiError::bad_input(
            field,
            "must be a phone number such as +998901234567",
        ));
    }
    let normalised = match (plus, digits.len()) {
        (false, 9) => format!("+998{digits}"),
        (true, 7..=15) => format!("+{digits}"),
        (false, 12) if digits.starts_with("998") => format!("+{digits}"),
        _ => {
            return Err(ApiError::bad_input(
                field,
                "must be a phone number such as +998901234567",
            ));
        }
    };
    Ok(Some(normalised))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(required("name", "  Aziz ", 10).ok().as_deref(), Some("Aziz"));
        assert!(required("name", "   ", 10).is_err());
        assert!(required("name", "a".repeat(11).as_str(), 10).is_err());
        assert!(required("name", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn phones_are_normalised_to_international_form() {
        assert_eq!(
            phone("p", Some("90 123 45 67")).ok().flatten().as_deref(),
            Some("+998901234567")
        );
        assert_eq!(
            phone("p", Some("+998 (90) 123-45-67")).ok().flatten().as_deref(),
            Some("+998901234567")
        );
        assert!(phone("p", Some("call me")).is_err());
        assert!(phone("p", Some("12")).is_err());
        assert_eq!(phone("p", Some("  ")).ok().flatten(), None);
    }
}
