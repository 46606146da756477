//! Global object identifiers (Relay): an opaque, URL-safe encoding of `Type:id`.
//!
//! Every object exposes its global `id`; `node(id)` refetches it. Inputs that take an
//! `ID` decode it against the expected type and answer `BAD_USER_INPUT` (naming the
//! field) when it is malformed or of another type.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

/// Encode the global id of object `id` of GraphQL type `type_name`.
pub fn encode(type_name: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// Decode a global id into its type name and database id.
pub fn decode(id: &str) -> Option<(String, i64)> {
    let raw = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (type_name, num) = text.split_once(':')?;
    let num: i64 = num.parse().ok()?;
    if num <= 0 || type_name.is_empty() {
        return None;
    }
    Some((type_name.to_owned(), num))
}

/// Decode a global id that must be of type `type_name`; `field` names the input for the error.
pub fn decode_as(id: &ID, type_name: &str, field: &str) -> Result<i64, ApiError> {
    match decode(id) {
        Some((t, n)) if t == type_name => Ok(n),
        _ => Err(ApiError::bad_input(field, format!("not a valid {type_name} id"))),
    }
}

/// Decode an optional id argument.
pub fn decode_opt(id: Option<&ID>, type_name: &str, field: &str) -> Result<Option<i64>, ApiError> {
    id.map(|id| decode_as(id, type_name, field)).transpose()
}

/// Decode a list of ids of one type.
pub fn decode_list(ids: &[ID], type_name: &str, field: &str) -> Result<Vec<i64>, ApiError> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| decode_as(id, type_name, &format!("{field}[{i}]")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = encode("Case", 42);
        assert_eq!(decode(&id), Some(("Case".to_owned(), 42)));
        assert_eq!(decode_as(&id, "Case", "id").ok(), Some(42));
    }

    #[test]
    fn an_id_of_another_type_is_refused() {
        let id = encode("Person", 42);
        assert!(decode_as(&id, "Case", "caseId").is_err());
    }

    #[test]
    fn garbage_is_refused() {
        for bad in ["", "!!!", "Q2FzZTo=", "Q2FzZTotMQ"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
