//! Parsing of free-text inputs at the edge: trimmed, normalised to NFC, bounded, never
//! empty when required, and free of characters that make a text lie about itself.
//!
//! A single-line text (a name, a title: at most [`SHORT_TEXT`]) refuses every invisible
//! format character (Unicode category Cf: bidi overrides and isolates, zero-width spaces,
//! the byte-order mark, …) except ZWNJ and ZWJ, which some scripts need; a multi-line
//! text (a note) refuses the bidi controls, which can make it read other than it is
//! stored (`"Probe\u{202e}gnp.exe"` shows as `Probeexe.png`).

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{ApiError, ApiResult};

/// Longest single-line text (names, titles).
pub const SHORT_TEXT: usize = 200;
/// Longest multi-line text (notes, descriptions).
pub const LONG_TEXT: usize = 10_000;

/// A required text: trimmed, NFC, 1..=max characters, no control characters except new
/// lines and tabs and no invisible format characters (see the module's documentation);
/// a text longer than [`SHORT_TEXT`] may span lines.
pub fn required(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    check(field, v, max, max > SHORT_TEXT)
}

/// An optional text: empty becomes absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => check(field, v, max, max > SHORT_TEXT).map(Some),
    }
}

/// Whether `c` is a bidirectional formatting control (marks, embeddings, overrides,
/// isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is an invisible format character a name must not hide: category Cf,
/// except the zero-width non-joiner and joiner that Persian, Indic scripts and emoji
/// sequences need.
fn is_hidden_format(c: char) -> bool {
    c.general_category() == GeneralCategory::Format && !matches!(c, '\u{200C}' | '\u{200D}')
}

/// The text in NFC, checked; `v` is already trimmed.
fn check(field: &str, v: &str, max: usize, multiline: bool) -> ApiResult<String> {
    let v: String = v.nfc().collect();
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
    let hidden = if multiline {
        v.chars().any(is_bidi_control)
    } else {
        v.chars().any(|c| is_bidi_control(c) || is_hidden_format(c))
    };
    if hidden {
        return Err(ApiError::bad_input(
            field,
            "must not contain bidirectional controls or invisible format characters",
        ));
    }
    Ok(v)
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
    fn names_refuse_bidi_controls_and_invisible_format_characters() {
        for sneaky in [
            "Probe\u{202e}gnp.exe",
            "Aziz\u{200b}",
            "\u{feff}Aziz",
            "A\u{2066}b\u{2069}",
            "Aziz\u{00ad}ov",
            "Aziz\u{2060}",
        ] {
            let err = required("input.name", sneaky, SHORT_TEXT).expect_err(sneaky);
            assert_eq!(err.code(), "BAD_USER_INPUT");
            assert!(err.message().starts_with("input.name: "), "{}", err.message());
        }
        // The joiners some scripts need stay.
        assert!(
            required(
                "input.name",
                "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
                SHORT_TEXT
            )
            .is_ok()
        );
        assert!(required("input.name", "\u{0915}\u{094D}\u{200D}\u{0937}", SHORT_TEXT).is_ok());
    }

    #[test]
    fn notes_refuse_bidi_controls_but_keep_soft_hyphens() {
        assert!(required("input.text", "see\u{202e}txt.exe", LONG_TEXT).is_err());
        assert!(required("input.text", "line one\nline\u{00ad}two", LONG_TEXT).is_ok());
    }

    #[test]
    fn texts_are_stored_in_nfc() {
        // "O" followed by a combining diaeresis becomes one precomposed "Ö".
        assert_eq!(
            required("input.name", "O\u{0308}zbek", SHORT_TEXT)
                .ok()
                .as_deref(),
            Some("\u{00d6}zbek")
        );
        assert_eq!(
            optional("input.title", Some(" Ga\u{0301} "), SHORT_TEXT)
                .ok()
                .flatten()
                .as_deref(),
            Some("G\u{00e1}")
        );
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
