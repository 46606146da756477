//! The modules compiled into this build, listed explicitly (no link-time discovery).
//!
//! Each module crate under `modules/` is an optional dependency of the root package,
//! enabled by a cargo feature of the same name that is on by default. Adding one is a
//! line in the list at the bottom of this file (its feature, crate, `Module` value and
//! GraphQL namespace roots) and its feature in `Cargo.toml`:
//!
//! ```text
//! # Cargo.toml
//! [features]
//! default = [..., "monitoring"]
//! monitoring = ["dep:hamkor-monitoring"]
//! ```
//!
//! A module compiled out is replaced by an empty object in the namespace roots, which
//! adds nothing to the schema.

use std::sync::Arc;

use async_graphql::MergedObject;
use hamkor_api::module::{Module, Registry};

/// Generate the namespace roots and [`compiled`] from one list of
/// `"feature" => crate::ModuleValue { query: QueryRoot, mutation: MutationRoot }` lines.
macro_rules! modules {
    ($($feature:literal => $krate:ident::$module:ident { query: $query:ident, mutation: $mutation:ident },)*) => {
        $(
            #[cfg(feature = $feature)]
            use $krate::{$mutation, $query};
            #[cfg(not(feature = $feature))]
            type $query = async_graphql::EmptyMutation;
            #[cfg(not(feature = $feature))]
            type $mutation = async_graphql::EmptyMutation;
        )*

        /// The modules' namespaces on the query root (`Query.education`, …).
        #[derive(MergedObject, Default)]
        pub struct ModuleNamespaceQuery($($query),*);

        /// The modules' namespaces on the mutation root.
        #[derive(MergedObject, Default)]
        pub struct ModuleNamespaceMutation($($mutation),*);

        /// Every compiled-in module, in the order of the list.
        pub fn compiled() -> Vec<Arc<dyn Module>> {
            vec![$(
                #[cfg(feature = $feature)]
                Arc::new($krate::$module),
            )*]
        }
    };
}

modules! {
    "education" => hamkor_education::Education { query: EducationQueryRoot, mutation: EducationMutationRoot },
    "employment" => hamkor_employment::Employment { query: EmploymentQueryRoot, mutation: EmploymentMutationRoot },
    "psych_support" => hamkor_psych_support::PsychSupport { query: PsychSupportQueryRoot, mutation: PsychSupportMutationRoot },
    "remote_check_in" => hamkor_remote_check_in::RemoteCheckIn { query: RemoteCheckInQueryRoot, mutation: RemoteCheckInMutationRoot },
    "training" => hamkor_training::Training { query: TrainingQueryRoot, mutation: TrainingMutationRoot },
    "electronic_monitoring" => hamkor_electronic_monitoring::ElectronicMonitoring { query: ElectronicMonitoringQueryRoot, mutation: ElectronicMonitoringMutationRoot },
}

/// The registry of the compiled-in modules.
pub fn registry() -> anyhow::Result<Registry> {
    Registry::new(compiled())
}
