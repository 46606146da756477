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
