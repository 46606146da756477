//! Operation limits and stable codes for errors raised before execution.
//!
//! async-graphql checks depth and complexity during validation; this extension adds the
//! alias limit (aliases multiply work without adding depth) and gives parse and
//! validation errors an `extensions.code`, so clients can tell them apart from
//! resolver errors.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Variables};

/// Code of a document that does not parse.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// Code of a document that parses but is not valid against the schema or the limits.
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// The extension factory: one instance per request.
pub struct Limits {
    pub max_aliases: usize,
    /// When false, `__schema` and `__type` are refused with a validation error (rather
    /// than answered with a silent null).
    pub introspection: bool,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            max_aliases: self.max_aliases,
            introspection: self.introspection,
        })
    }
}

struct LimitsExtension {
    max_aliases: usize,
    introspection: bool,
}

fn with_code(mut e: ServerError, code: &str) -> ServerError {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    e
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next
            .run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, PARSE_FAILED))?;
        if !self.introspection && selects_introspection(&doc) {
            return Err(with_code(
                ServerError::new("introspection is disabled on this server", None),
                VALIDATION_FAILED,
            ));
        }
        if let Some(n) = subscription_root_fields(&doc).into_iter().find(|n| *n != 1) {
            // The specification's "single root field" rule, which async-graphql leaves
            // out: each root field would otherwise open its own stream.
            return Err(with_code(
                ServerError::new(
                    format!("a subscription selects exactly one root field, not {n}"),
                    None,
                ),
                VALIDATION_FAILED,
            ));
        }
        let aliases = count_aliases(&doc);
        if aliases > self.max_aliases {
            return Err(with_code(
                ServerError::new(
                    format!(
                        "the operation uses {aliases} aliases; at most {} are allowed",
                        self.max_aliases
                    ),
                    None,
                ),
                VALIDATION_FAILED,
            ));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errs| {
            errs.into_iter()
                .map(|e| with_code(e, VALIDATION_FAILED))
                .collect()
        })
    }
}

/// Whether the document selects `__schema` or `__type` anywhere.
pub fn selects_introspection(doc: &ExecutableDocument) -> bool {
    fn walk(set: &Positioned<SelectionSet>) -> bool {
        set.node.items.iter().any(|sel| match &sel.node {
            Selection::Field(f) => {
                matches!(f.node.name.node.as_str(), "__schema" | "__type") || walk(&f.node.selection_set)
            }
            Selection::InlineFragment(fr) => walk(&fr.node.selection_set),
            Selection::FragmentSpread(_) => false,
        })
    }
    doc.operations.iter().any(|(_, op)| walk(&op.node.selection_set))
        || doc.fragments.values().any(|f| walk(&f.node.selection_set))
}

/// The number of root fields of each subscription operation (through fragments).
pub fn subscription_root_fields(doc: &ExecutableDocument) -> Vec<usize> {
    use async_graphql::parser::types::OperationType;
    fn count(doc: &ExecutableDocument, set: &Positioned<SelectionSet>, depth: usize) -> usize {
        set.node
            .items
            .iter()
            .map(|sel| match &sel.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(fr) if depth < 8 => count(doc, &fr.node.selection_set, depth + 1),
                Selection::FragmentSpread(spread) if depth < 8 => doc
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |f| count(doc, &f.node.selection_set, depth + 1)),
                _ => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .filter(|(_, op)| op.node.ty == OperationType::Subscription)
        .map(|(_, op)| count(doc, &op.node.selection_set, 0))
        .collect()
}

/// Aliased fields in the document, fragments counted once.
pub fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn walk(set: &Positioned<SelectionSet>, n: &mut usize) {
        for sel in &set.node.items {
            match &sel.node {
                Selection::Field(f) => {
                    if f.node.alias.is_some() {
                        *n += 1;
                    }
                    walk(&f.node.selection_set, n);
                }
                Selection::InlineFragment(fr) => walk(&fr.node.selection_set, n),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut n = 0;
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set, &mut n);
    }
    for frag in doc.fragments.values() {
        walk(&frag.node.selection_set, &mut n);
    }
    n
}

#[cfg(test)]
mod subscription_tests {
    use super::subscription_root_fields;

    fn roots(q: &str) -> Vec<usize> {
        let doc = async_graphql::parser::parse_query(q).expect("parses");
        subscription_root_fields(&doc)
    }

    #[test]
    fn subscription_root_fields_are_counted_through_fragments() {
        assert_eq!(roots("subscription { a { id } }"), [1]);
        assert_eq!(roots("subscription { a { id } a { id } }"), [2]);
        assert_eq!(
            roots("subscription { ...F } fragment F on Subscription { a b }"),
            [2]
        );
        assert_eq!(roots("subscription { ... on Subscription { a } }"), [1]);
        assert!(roots("query { a b }").is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::count_aliases;

    #[test]
    fn introspection_is_found_in_fragments_too() {
        let doc = async_graphql::parser::parse_query(
            "{ ...F } fragment F on Query { __type(name: \"Case\") { name } }",
        )
        .expect("parses");
        assert!(super::selects_introspection(&doc));
        let doc = async_graphql::parser::parse_query("{ __typename me { roles } }").expect("parses");
        assert!(!super::selects_introspection(&doc));
    }

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: me { x: id } ...F } fragment F on Query { b: me { id } }",
        )
        .expect("parses");
        assert_eq!(count_aliases(&doc), 3);
    }
}
