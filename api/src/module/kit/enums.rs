//! Enumerations stored as their names: a column of at most 32 characters holding the
//! GraphQL name of the value (`CASE_BY_CASE`), so that the database, the API and the
//! audit log spell a value the same way.

use sea_orm::ActiveEnum;

/// The name of a value of an enumeration stored as its name (`CASE_BY_CASE`): what the
/// database holds, and the value's GraphQL name, without going through the GraphQL
/// layer (services write it into audit details, event payloads and messages).
pub fn enum_name<E: ActiveEnum<Value = String>>(v: E) -> String {
    v.to_value()
}

/// Declare enumerations stored as their `SCREAMING_SNAKE_CASE` names (`String(32)`
/// columns) and exposed as GraphQL enums.
///
/// Inner attributes (`#![…]`) at the top apply to every enumeration of the block: a
/// module hides its enums with its `visible` function there, and may add serde.
/// Each enumeration is written as its doc comment, its name and its variants:
///
/// ```ignore
/// hamkor_api::string_enum! {
///     #![graphql(visible = "crate::employment_visible")]
///
///     /// Where a vacancy stands.
///     VacancyStatus {
///         Draft,
///         /// Offered.
///         Open,
///     }
/// }
/// ```
///
/// The caller's crate depends on `sea-orm` and `async-graphql` (the derives name them).
#[macro_export]
macro_rules! string_enum {
    (@each [$($all:tt)*]) => {};
    (@each [$($all:tt)*]
        $(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident,)* }
        $($rest:tt)*
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum, async_graphql::Enum
        )]
        #[sea_orm(
            rs_type = "String",
            db_type = "String(sea_orm::sea_query::StringLen::N(32))",
            rename_all = "SCREAMING_SNAKE_CASE"
        )]
        $($all)*
        $(#[$m])*
        pub enum $name { $($(#[$vm])* $v,)* }

        $crate::string_enum!(@each [$($all)*] $($rest)*);
    };
    // The inner attributes at the top, gathered one at a time.
    (@head [$($all:tt)*] #![$m:meta] $($rest:tt)*) => {
        $crate::string_enum!(@head [$($all)* #[$m]] $($rest)*);
    };
    (@head [$($all:tt)*] $($rest:tt)*) => {
        $crate::string_enum!(@each [$($all)*] $($rest)*);
    };
    ($($body:tt)*) => {
        $crate::string_enum!(@head [] $($body)*);
    };
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    crate::string_enum! {
        #![derive(serde::Serialize)]

        /// A sample.
        Sample {
            One,
            /// The second.
            CaseByCase,
        }

        Other {
            Only,
        }
    }

    #[test]
    fn values_are_stored_as_their_screaming_snake_case_names() {
        assert_eq!(Sample::CaseByCase.to_value(), "CASE_BY_CASE");
        assert_eq!(Sample::try_from_value(&"ONE".to_owned()).ok(), Some(Sample::One));
        assert_eq!(Sample::iter().count(), 2);
        assert_eq!(Other::Only.to_value(), "ONLY");
        // The block's inner attributes reach every enumeration.
        assert_eq!(
            serde_json::to_value(Other::Only).ok(),
            Some(serde_json::json!("Only"))
        );
        // The stored name is the GraphQL name.
        for v in Sample::iter() {
            let graphql = async_graphql::InputType::to_value(&v);
            assert_eq!(
                graphql,
                async_graphql::Value::Enum(async_graphql::Name::new(super::enum_name(v)))
            );
        }
    }
}
