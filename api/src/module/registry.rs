//! The compiled-in modules, and the one ordered migrator over the core and them.

use std::collections::BTreeSet;
use std::sync::Arc;

use sea_orm_migration::{MigrationTrait, MigratorTraitSelf};

use super::{Module, ReferralKind};
use crate::sync::source::SyncSource;

/// A record kind a module syncs, with its module.
pub type ModuleSource<'a> = (&'a Arc<dyn Module>, Arc<dyn SyncSource>);

/// The modules compiled into this build, in the order the root package lists them.
#[derive(Clone, Default)]
pub struct Registry {
    modules: Arc<Vec<Arc<dyn Module>>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.modules.iter().map(|m| m.id()))
            .finish()
    }
}

impl Registry {
    /// A registry of `modules`. Refuses malformed or duplicate ids, duplicate referral
    /// kinds and migration names that collide with another module's or the core's:
    /// these are build mistakes, caught at start-up rather than in production data.
    pub fn new(modules: Vec<Arc<dyn Module>>) -> anyhow::Result<Self> {
        let mut ids = BTreeSet::new();
        let mut kinds = BTreeSet::new();
        let mut sync_keys = BTreeSet::new();
        let mut migrations: BTreeSet<String> = hamkor_migration::core_migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        for m in &modules {
            let id = m.id();
            anyhow::ensure!(valid_id(id), "module id {id:?} must match [a-z][a-z0-9_]*");
            anyhow::ensure!(ids.insert(id), "module {id} is listed twice");
            for k in m.referral_kinds() {
                anyhow::ensure!(
                    k.code == id || k.code.starts_with(&format!("{id}.")),
                    "referral kind {} of module {id} must be `{id}` or start with `{id}.`",
                    k.code
                );
                anyhow::ensure!(kinds.insert(k.code), "referral kind {} is defined twice", k.code);
            }
            for src in m.sync_sources() {
                let key = src.key();
                anyhow::ensure!(
                    key.len() <= 32 && key.strip_prefix(&format!("{id}.")).is_some_and(valid_id),
                    "sync kind {key} of module {id} must be `{id}.<name>` ([a-z][a-z0-9_]*), at most 32 characters"
                );
                anyhow::ensure!(sync_keys.insert(key), "sync kind {key} is defined twice");
            }
            let mut features = BTreeSet::new();
            for f in m.risk_features() {
                anyhow::ensure!(
                    valid_id(f.name) && f.name != "enabled",
                    "risk feature {:?} of module {id} must match [a-z][a-z0-9_]* and not be `enabled`",
                    f.name
                );
                anyhow::ensure!(
                    features.insert(f.name),
                    "risk feature {id}.{} is defined twice",
                    f.name
                );
            }
            for mig in m.migrations() {
                let name = mig.name().to_owned();
                anyhow::ensure!(
                    migrations.insert(name.clone()),
                    "migration {name} of module {id} collides with another migration"
                );
            }
        }
        Ok(Self {
            modules: Arc::new(modules),
        })
    }

    /// Every compiled-in module.
    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Module>> {
        self.modules.iter()
    }

    pub fn get(&self, id: &str) -> Option<&Arc<dyn Module>> {
        self.modules.iter().find(|m| m.id() == id)
    }

    /// The module handling referral kind `code`, with the kind.
    pub fn referral_kind(&self, code: &str) -> Option<(&Arc<dyn Module>, ReferralKind)> {
        self.modules.iter().find_map(|m| {
            m.referral_kinds()
                .into_iter()
                .find(|k| k.code == code)
                .map(|k| (m, k))
        })
    }

    /// Every record kind the modules sync, with its module, in the registry's order.
    pub fn sync_sources(&self) -> Vec<ModuleSource<'_>> {
        self.modules
            .iter()
            .flat_map(|m| m.sync_sources().into_iter().map(move |s| (m, s)))
            .collect()
    }

    /// The module kind keyed `key`, with its module.
    pub fn sync_source(&self, key: &str) -> Option<ModuleSource<'_>> {
        self.modules.iter().find_map(|m| {
            m.sync_sources()
                .into_iter()
                .find(|s| s.key() == key)
                .map(|s| (m, s))
        })
    }

    /// The migrator over the core's migrations and every module's, ordered by name.
    pub fn migrator(&self) -> Migrator {
        Migrator {
            registry: self.clone(),
        }
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Core and module migrations in one sequence (sorted by their date-stamped names).
pub struct Migrator {
    registry: Registry,
}

impl MigratorTraitSelf for Migrator {
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        let mut all = hamkor_migration::core_migrations();
        for m in self.registry.all() {
            all.extend(m.migrations());
        }
        all.sort_by(|a, b| a.name().cmp(b.name()));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);

    impl Module for Named {
        fn id(&self) -> &'static str {
            self.0
        }
        fn name(&self) -> &'static str {
            "named"
        }
        fn version(&self) -> &'static str {
            "0.0.0"
        }
        fn description(&self) -> &'static str {
            ""
        }
    }

    #[test]
    fn module_ids_are_checked() {
        assert!(Registry::new(vec![Arc::new(Named("probe_2"))]).is_ok());
        assert!(Registry::new(vec![Arc::new(Named("Probe"))]).is_err());
        assert!(Registry::new(vec![Arc::new(Named(""))]).is_err());
        assert!(Registry::new(vec![Arc::new(Named("a")), Arc::new(Named("a"))]).is_err());
    }

    #[test]
    fn the_migrator_holds_the_core_migrations_in_order() {
        let names: Vec<String> = Registry::default()
            .migrator()
            .migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), hamkor_migration::core_migrations().len());
    }
}
