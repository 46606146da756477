//! The modules compiled into this build, listed explicitly (no link-time discovery).
//!
//! Each module crate under `modules/` is an optional dependency of the root package,
//! enabled by a cargo feature of the same name that is on by default. Adding one:
//!
//! ```text
//! # Cargo.toml
//! [features]
//! default = ["employment"]
//! employment = ["dep:hamkor-employment"]
//!
//! // here
//! #[cfg(feature = "employment")]
//! modules.push(Arc::new(hamkor_employment::Employment));
//! ```
//!
//! and adding its namespace roots to [`ModuleNamespaceQuery`] and [`ModuleNamespaceMutation`] (a module
//! compiled out is replaced by an empty object, which adds nothing to the schema).

use std::sync::Arc;

use async_graphql::MergedObject;
use hamkor_api::module::{Module, Registry};

#[cfg(feature = "education")]
use hamkor_education::{EducationMutationRoot, EducationQueryRoot};
#[cfg(not(feature = "education"))]
type EducationQueryRoot = async_graphql::EmptyMutation;
#[cfg(not(feature = "education"))]
type EducationMutationRoot = async_graphql::EmptyMutation;
#[cfg(feature = "employment")]
use hamkor_employment::{EmploymentMutationRoot, EmploymentQueryRoot};
#[cfg(not(feature = "employment"))]
type EmploymentQueryRoot = async_graphql::EmptyMutation;
#[cfg(not(feature = "employment"))]
type EmploymentMutationRoot = async_graphql::EmptyMutation;
#[cfg(feature = "psych_support")]
use hamkor_psych_support::{PsychSupportMutationRoot, PsychSupportQueryRoot};
#[cfg(not(feature = "psych_support"))]
type PsychSupportQueryRoot = async_graphql::EmptyMutation;
#[cfg(not(feature = "psych_support"))]
type PsychSupportMutationRoot = async_graphql::EmptyMutation;

/// The modules' namespaces on the query root (`Query.education`, …).
#[derive(MergedObject, Default)]
pub struct ModuleNamespaceQuery(EducationQueryRoot, EmploymentQueryRoot, PsychSupportQueryRoot);

/// The modules' namespaces on the mutation root.
#[derive(MergedObject, Default)]
pub struct ModuleNamespaceMutation(
    EducationMutationRoot,
    EmploymentMutationRoot,
    PsychSupportMutationRoot,
);

/// Every compiled-in module, in a stable order.
pub fn compiled() -> Vec<Arc<dyn Module>> {
    vec![
        #[cfg(feature = "education")]
        Arc::new(hamkor_education::Education),
        #[cfg(feature = "employment")]
        Arc::new(hamkor_employment::Employment),
        #[cfg(feature = "psych_support")]
        Arc::new(hamkor_psych_support::PsychSupport),
    ]
}

/// The registry of the compiled-in modules.
pub fn registry() -> anyhow::Result<Registry> {
    Registry::new(compiled())
}
