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

/// Every compiled-in module, in a stable order.
pub fn compiled() -> Vec<Arc<dyn Module>> {
    #[allow(unused_mut)]
    let mut modules: Vec<Arc<dyn Module>> = Vec::new();
    modules
}

/// The registry of the compiled-in modules.
pub fn registry() -> anyhow::Result<Registry> {
    Registry::new(compiled())
}
