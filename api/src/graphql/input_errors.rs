//! Input values that are not of their type (`"25:00:00"` for a time, `"1990-02-30"` for a
//! date, an Int out of range) are BAD_USER_INPUT naming the field, like the inputs the
//! resolvers refuse themselves. async-graphql reports them in two places without a code:
//! at validation ("Invalid value for argument …", with the argument's path in the
//! message) and while a resolver reads its arguments ("Failed to parse …", naming only
//! the type). The limits extension passes both through here.

use async_graphql::ServerError;
use async_graphql::extensions::ExtensionContext;
use async_graphql::registry::MetaTypeName;

/// Code of an input value that is not valid for its type.
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";

/// A resolver's error about reading its arguments becomes BAD_USER_INPUT naming the
/// argument (or the field, when the type fits more than one); any other is left as it is.
pub fn classify_resolve_error(
    ctx: &ExtensionContext<'_>,
    parent: &str,
    field: &str,
    e: ServerError,
) -> ServerError {
    if has_code(&e) || !e.message.starts_with("Failed to parse \"") {
        return e;
    }
    let named = argument_of(ctx, parent, field, &e.message).unwrap_or_else(|| field.to_owned());
    bad_user_input(e, &named)
}

fn has_code(e: &ServerError) -> bool {
    e.extensions.as_ref().is_some_and(|ext| ext.get("code").is_some())
}

/// The error with BAD_USER_INPUT and the offending field.
pub fn bad_user_input(mut e: ServerError, field: &str) -> ServerError {
    let ext = e.extensions.get_or_insert_with(Default::default);
    ext.set("code", BAD_USER_INPUT);
    ext.set("field", field);
    e
}

/// A validation error about an argument's value, with the argument's path
/// (`Invalid value for argument "input.from", expected type "NaiveDate"`), becomes
/// BAD_USER_INPUT naming that path; any other is left as it is.
pub fn classify_validation_error(e: ServerError) -> ServerError {
    let Some(rest) = e.message.strip_prefix("Invalid value for argument \"") else {
        return e;
    };
    let Some((path, _)) = rest.split_once('"') else {
        return e;
    };
    let path = path.to_owned();
    bad_user_input(e, &path)
}

/// The argument of `parent.field` whose type the message says failed to parse: the
/// outermost type named (`Failed to parse "NaiveDate": … (occurred while parsing
/// "AnalyticsInput")` names `AnalyticsInput`), when exactly one argument has it.
fn argument_of(ctx: &ExtensionContext<'_>, parent: &str, field: &str, message: &str) -> Option<String> {
    let outermost = message
        .rsplit("(occurred while parsing \"")
        .next()
        .filter(|_| message.contains("(occurred while parsing \""))
        .or_else(|| message.strip_prefix("Failed to parse \""))?
        .split('"')
        .next()?;
    let args = &ctx
        .schema_env
        .registry
        .types
        .get(parent)?
        .field_by_name(field)?
        .args;
    let mut matching = args
        .values()
        .filter(|arg| MetaTypeName::concrete_typename(&arg.ty) == outermost);
    match (matching.next(), matching.next()) {
        (Some(only), None) => Some(only.name.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;

    use super::*;

    #[test]
    fn an_invalid_argument_value_names_its_path() {
        let e = classify_validation_error(ServerError::new(
            "Invalid value for argument \"input.from\", expected type \"NaiveDate\"",
            None,
        ));
        let ext = e.extensions.expect("extensions");
        assert_eq!(ext.get("code"), Some(&Value::from(BAD_USER_INPUT)));
        assert_eq!(ext.get("field"), Some(&Value::from("input.from")));
        let other = classify_validation_error(ServerError::new("Unknown field \"x\"", None));
        assert!(other.extensions.is_none());
    }
}
