//! Enumeration values as the rest of the system stores them.
//!
//! Audit details, event payloads and reason columns hold an enumeration by the same
//! `SCREAMING_CASE` name the GraphQL schema publishes, so that what a partner reads in
//! a webhook or an auditor in the log matches the API. The name comes from the derive
//! that already defines it; this module gives services that name without their
//! depending on the GraphQL layer.

use async_graphql::{InputType, Value};

/// The published name of an enumeration value (`IN_PROGRESS`), as stored in audit
/// details, event payloads and reason columns.
pub fn enum_name<T: InputType>(v: T) -> String {
    match v.to_value() {
        Value::Enum(name) => name.to_string(),
        other => other.to_string(),
    }
}
