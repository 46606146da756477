//! The door of a supervised person (`UserKind::SupervisedPerson`): closed by default.
//!
//! Their token opens only the fields that modules list in
//! [`Module::self_service_fields`] and the core's own few ([`CORE_FIELDS`]: refreshing
//! and ending their session). Every other selection of their operation — a root field,
//! or a field of a module's namespace — is refused with FORBIDDEN before anything runs,
//! whatever the operation type (query, mutation or subscription). A field added to the
//! schema later is therefore closed to them until a module opens it on purpose; a test
//! walks every root field and namespace field of the schema to prove it.
//!
//! [`Module::self_service_fields`]: crate::module::Module::self_service_fields

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, Variables};

use crate::auth::principal::Principal;
use crate::module::Registry;
use crate::state::AppState;

/// The core's fields open to a supervised person: their own session.
pub const CORE_FIELDS: &[&str] = &["Mutation.refresh", "Mutation.logout"];

/// The extension factory.
pub struct SelfServiceGate;

impl ExtensionFactory for SelfServiceGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SelfServiceGate)
    }
}

/// Every path open to a supervised person in this build.
pub fn allowed_paths(modules: &Registry) -> HashSet<&'static str> {
    let mut open: HashSet<&'static str> = CORE_FIELDS.iter().copied().collect();
    for m in modules.all() {
        open.extend(m.self_service_fields());
    }
    open
}

/// The first selection of `doc` that `open` does not allow (as `Root.field` or
/// `Root.namespace.field`), if any. `__typename` is always allowed.
pub fn first_refused(doc: &ExecutableDocument, open: &HashSet<&str>) -> Option<String> {
    for (_, op) in doc.operations.iter() {
        let root = match op.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        for (name, field) in fields(doc, &op.node.selection_set, &mut Vec::new()) {
            let path = format!("{root}.{name}");
            if name == "__typename" || open.contains(path.as_str()) {
                continue;
            }
            // A namespace some of whose fields are open: check each field selected in it.
            let prefix = format!("{path}.");
            if !open.iter().any(|p| p.starts_with(&prefix)) {
                return Some(path);
            }
            for (inner, _) in fields(doc, &field.node.selection_set, &mut Vec::new()) {
                let full = format!("{path}.{inner}");
                if inner != "__typename" && !open.contains(full.as_str()) {
                    return Some(full);
                }
            }
        }
    }
    None
}

type Field = Positioned<async_graphql::parser::types::Field>;

/// The fields a selection set selects, through fragments (a fragment spreading itself is
/// left for validation to refuse).
fn fields<'d>(
    doc: &'d ExecutableDocument,
    set: &'d Positioned<SelectionSet>,
    seen: &mut Vec<&'d str>,
) -> Vec<(&'d str, &'d Field)> {
    let mut out = Vec::new();
    for sel in &set.node.items {
        match &sel.node {
            Selection::Field(f) => out.push((f.node.name.node.as_str(), f)),
            Selection::InlineFragment(fr) => out.extend(fields(doc, &fr.node.selection_set, seen)),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name);
                if let Some(frag) = doc.fragments.get(&spread.node.fragment_name.node) {
                    out.extend(fields(doc, &frag.node.selection_set, seen));
                }
            }
        }
    }
    out
}

#[async_graphql::async_trait::async_trait]
impl Extension for SelfServiceGate {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let Some(p) = ctx.data_opt::<Principal>() else {
            return Ok(doc);
        };
        if !p.is_supervised_person() {
            return Ok(doc);
        }
        // Without the application state nothing is known to be open: refuse all.
        let open = ctx
            .data_opt::<AppState>()
            .map(|st| allowed_paths(&st.modules))
            .unwrap_or_default();
        if let Some(path) = first_refused(&doc, &open) {
            let mut e = ServerError::new(format!("{path} is not open to a supervised person"), None);
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", "FORBIDDEN");
            return Err(e);
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str, open: &[&'static str]) -> Option<String> {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        first_refused(&doc, &open.iter().copied().collect())
    }

    #[test]
    fn only_listed_fields_pass() {
        let open = ["Query.ns.mine", "Mutation.refresh"];
        assert_eq!(refused("{ ns { mine { id } __typename } }", &open), None);
        assert_eq!(
            refused("{ ns { mine { id } queue { id } } }", &open),
            Some("Query.ns.queue".into())
        );
        assert_eq!(refused("{ cases { id } }", &open), Some("Query.cases".into()));
        assert_eq!(refused("mutation { refresh(t: 1) { a } }", &open), None);
        assert_eq!(refused("{ refresh }", &open), Some("Query.refresh".into()));
        assert_eq!(refused("{ __typename }", &open), None);
    }

    #[test]
    fn fragments_and_aliases_do_not_hide_a_field() {
        let open = ["Query.ns.mine"];
        assert_eq!(
            refused(
                "{ ...F } fragment F on Query { ns { ...G } } fragment G on Ns { x: queue { id } }",
                &open
            ),
            Some("Query.ns.queue".into())
        );
        assert_eq!(
            refused("{ ... on Query { me { id } } }", &open),
            Some("Query.me".into())
        );
        assert_eq!(
            refused("subscription { events { id } }", &open),
            Some("Subscription.events".into())
        );
    }
}
