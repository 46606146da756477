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
//! and merging its namespaces into [`crate::Query`] and [`crate::Mutation`].

use std::sync::Arc;

use hamkor_api::module::{Module, Registry};

// Each module's namespace roots, or an empty object when it is not compiled in.
#[cfg(feature = "psych_support")]
pub use hamkor_psych_support::{PsychSupportMutationRoot, PsychSupportQueryRoot};
#[cfg(not(feature = "psych_support"))]
pub type PsychSupportQueryRoot = async_graphql::MergedObjectTail;
#[cfg(not(feature = "psych_support"))]
pub type PsychSupportMutationRoot = async_graphql::MergedObjectTail;

/// Every compiled-in module, in a stable order.
#[allow(clippy::vec_init_then_push)] // one cfg-gated push per module
pub fn compiled() -> Vec<Arc<dyn Module>> {
    #[allow(unused_mut)]
    let mut modules: Vec<Arc<dyn Module>> = Vec::new();
    #[cfg(feature = "psych_support")]
    modules.push(Arc::new(hamkor_psych_support::PsychSupport));
    modules
}

/// The registry of the compiled-in modules.
pub fn registry() -> anyhow::Result<Registry> {
    Registry::new(compiled())
}
