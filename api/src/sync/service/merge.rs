//! The three-way, field-level merge of a pushed change against the record as it is now:
//! a field only the phone changed is applied, a field the server already holds at the
//! phone's value needs nothing, and a field both sides changed to different values is a
//! conflict (never applied, never dropped: it is stored for a person to settle).

use serde_json::{Map, Value as Json};

use crate::error::{ApiError, ApiResult};

/// A field both sides changed.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldConflict {
    pub field: String,
    pub base: Json,
    pub phone: Json,
    pub server: Json,
}

/// What to apply and what conflicts.
#[derive(Debug, Default, PartialEq)]
pub struct Merge {
    pub apply: Map<String, Json>,
    pub conflicts: Vec<FieldConflict>,
}

/// Merge `values` (the phone's new values) against `server` (the record now), given
/// the phone's `base` values and whether the record is still at the phone's base
/// version. Only `fields` may be changed.
pub fn merge(
    fields: &[&str],
    values: &Map<String, Json>,
    base: &Map<String, Json>,
    server: &Json,
    unchanged_since_base: bool,
) -> ApiResult<Merge> {
    let mut out = Merge::default();
    for (field, phone) in values {
        if !fields.contains(&field.as_str()) {
            return Err(ApiError::bad_input(
                format!("values.{field}"),
                format!("not a field a device changes (one of: {})", fields.join(", ")),
            ));
        }
        let now = server.get(field).cloned().unwrap_or(Json::Null);
        if &now == phone {
            continue;
        }
        if unchanged_since_base {
            out.apply.insert(field.clone(), phone.clone());
            continue;
        }
        let Some(was) = base.get(field) else {
            return Err(ApiError::bad_input(
                format!("base.{field}"),
                "give the value the change started from: the record moved since baseVersion",
            ));
        };
        if &now == was {
            out.apply.insert(field.clone(), phone.clone());
        } else {
            out.conflicts.push(FieldConflict {
                field: field.clone(),
                base: was.clone(),
                phone: phone.clone(),
                server: now,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(v: Json) -> Map<String, Json> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn a_field_only_the_phone_changed_is_applied_and_one_both_changed_conflicts() {
        let server = json!({"location": "home", "outcomeNote": "officer's note"});
        let m = merge(
            &["location", "outcomeNote"],
            &obj(json!({"location": "yard", "outcomeNote": "phone's note"})),
            &obj(json!({"location": "home", "outcomeNote": "first note"})),
            &server,
            false,
        )
        .expect("merged");
        assert_eq!(m.apply, obj(json!({"location": "yard"})));
        assert_eq!(
            m.conflicts,
            vec![FieldConflict {
                field: "outcomeNote".into(),
                base: json!("first note"),
                phone: json!("phone's note"),
                server: json!("officer's note"),
            }]
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let m = merge(
            &["outcomeNote"],
            &obj(json!({"outcomeNote": "same"})),
            &obj(json!({"outcomeNote": "old"})),
            &json!({"outcomeNote": "same"}),
            false,
        )
        .expect("merged");
        assert_eq!(m, Merge::default());
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let err = merge(
            &["location"],
            &obj(json!({"status": "DONE"})),
            &Map::new(),
            &json!({}),
            true,
        )
        .expect_err("refused");
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
