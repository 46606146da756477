//! Operation limits and stable codes for errors raised before execution.
//!
//! async-graphql checks complexity during validation; this extension adds the depth
//! limit (which, unlike async-graphql's, leaves introspection out: schema-driven tools
//! send graphql-js's standard introspection query, 15 levels deep, and it gets a bound of
//! its own), the alias limit (aliases multiply work without adding depth) and gives parse
//! and validation errors an `extensions.code`, so clients can tell them apart from
//! resolver errors (input values not of their type: BAD_USER_INPUT, `input_errors`).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Value, Variables};

use super::input_errors::{classify_resolve_error, classify_validation_error};

/// Code of a document that does not parse.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// Code of a document that parses but is not valid against the schema or the limits.
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// The extension factory: one instance per request.
pub struct Limits {
    /// Deepest selection allowed outside introspection.
    pub max_depth: usize,
    pub max_aliases: usize,
    /// When false, `__schema` and `__type` are refused with a validation error (rather
    /// than answered with a silent null).
    pub introspection: bool,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            max_depth: self.max_depth,
            max_aliases: self.max_aliases,
            introspection: self.introspection,
        })
    }
}

/// Deepest selection allowed under `__schema` and `__type` (graphql-js's standard
/// introspection query is 15 deep; its `typeDepth` option may ask for more).
pub const MAX_INTROSPECTION_DEPTH: usize = 24;

struct LimitsExtension {
    max_depth: usize,
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
        let depth = depths(&doc);
        if depth.fields > self.max_depth || depth.introspection > MAX_INTROSPECTION_DEPTH {
            return Err(with_code(
                ServerError::new("Query is nested too deep.", None),
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
                .map(|e| with_code(classify_validation_error(e), VALIDATION_FAILED))
                .collect()
        })
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let (parent, field) = (info.parent_type, info.name);
        next.run(ctx, info)
            .await
            .map_err(|e| classify_resolve_error(ctx, parent, field, e))
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

/// How deep a document selects, through fragments.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Depth {
    /// Deepest selection outside introspection (async-graphql's measure: a field is one level).
    pub fields: usize,
    /// Deepest selection under `__schema` or `__type`, those fields included.
    pub introspection: usize,
}

/// The depths of a document's operations. A fragment is measured once (a fragment that
/// spreads itself counts as empty here; validation refuses it afterwards).
pub fn depths(doc: &ExecutableDocument) -> Depth {
    fn set_depth<'d>(
        doc: &'d ExecutableDocument,
        set: &'d Positioned<SelectionSet>,
        memo: &mut HashMap<&'d str, Depth>,
        path: &mut Vec<&'d str>,
    ) -> Depth {
        let mut d = Depth::default();
        for sel in &set.node.items {
            let inner = match &sel.node {
                Selection::Field(f) => {
                    let below = set_depth(doc, &f.node.selection_set, memo, path);
                    if matches!(f.node.name.node.as_str(), "__schema" | "__type") {
                        Depth {
                            fields: 0,
                            introspection: 1 + below.fields.max(below.introspection),
                        }
                    } else {
                        Depth {
                            fields: 1 + below.fields,
                            introspection: below.introspection,
                        }
                    }
                }
                Selection::InlineFragment(fr) => set_depth(doc, &fr.node.selection_set, memo, path),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match (memo.get(name), doc.fragments.get(&spread.node.fragment_name.node)) {
                        (Some(known), _) => *known,
                        (None, Some(frag)) if !path.contains(&name) => {
                            path.push(name);
                            let measured = set_depth(doc, &frag.node.selection_set, memo, path);
                            path.pop();
                            memo.insert(name, measured);
                            measured
                        }
                        _ => Depth::default(),
                    }
                }
            };
            d.fields = d.fields.max(inner.fields);
            d.introspection = d.introspection.max(inner.introspection);
        }
        d
    }
    let mut memo = HashMap::new();
    let mut d = Depth::default();
    for (_, op) in doc.operations.iter() {
        let op_depth = set_depth(doc, &op.node.selection_set, &mut memo, &mut Vec::new());
        d.fields = d.fields.max(op_depth.fields);
        d.introspection = d.introspection.max(op_depth.introspection);
    }
    d
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
    use super::{Depth, count_aliases, depths};

    fn depth(q: &str) -> Depth {
        depths(&async_graphql::parser::parse_query(q).expect("parses"))
    }

    #[test]
    fn depth_counts_fields_through_fragments_and_introspection_apart() {
        assert_eq!(depth("{ a { b { c } } }").fields, 3);
        assert_eq!(depth("{ a { ...F } } fragment F on A { b { c } }").fields, 3);
        assert_eq!(depth("{ a { ... on A { b } } }").fields, 2);
        let d = depth(
            "{ me { id } __schema { types { fields { type { ...T } } } } } fragment T on __Type { ofType { name } }",
        );
        assert_eq!(
            d,
            Depth {
                fields: 2,
                introspection: 6
            }
        );
        // A cycle ends the walk instead of recursing for ever.
        assert_eq!(depth("{ ...A } fragment A on Q { x { ...A } }").fields, 1);
    }

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
