//! The feature set of a build: the core's features, and those the compiled-in modules
//! add ([`ModuleFeature`]), each module's with its `<module>.enabled` indicator.

use sea_orm::DatabaseBackend;

/// Days before the assessment whose behaviour counts.
pub const BEHAVIOUR_DAYS: i64 = 90;

/// A feature: its stable key and how an officer reads it.
#[derive(Debug, Clone, Copy)]
pub struct Feature {
    pub key: &'static str,
    pub label: &'static str,
}

/// The core's features, first in every feature set, in the order of a row's values.
pub const FEATURES: [Feature; 14] = [
    Feature {
        key: "first_offence_score",
        label: "young at the first offence",
    },
    Feature {
        key: "prior_convictions",
        label: "prior convictions",
    },
    Feature {
        key: "offence_score",
        label: "type of the offence",
    },
    Feature {
        key: "need_employment",
        label: "need: employment",
    },
    Feature {
        key: "need_education",
        label: "need: education",
    },
    Feature {
        key: "need_housing",
        label: "need: housing",
    },
    Feature {
        key: "need_family_support",
        label: "need: family support",
    },
    Feature {
        key: "need_peers",
        label: "need: peers",
    },
    Feature {
        key: "need_substance_use",
        label: "need: substance use",
    },
    Feature {
        key: "need_attitudes",
        label: "need: attitudes",
    },
    Feature {
        key: "need_mental_health",
        label: "need: mental health",
    },
    Feature {
        key: "age",
        label: "age",
    },
    Feature {
        key: "missed_appointments_90d",
        label: "missed appointments in the 90 days before the assessment",
    },
    Feature {
        key: "violations_90d",
        label: "violations in the 90 days before the assessment",
    },
];

/// A feature a module adds to the learned model (see [`FeatureSet`]).
#[derive(Clone, Copy)]
pub struct ModuleFeature {
    /// Unique in the module, `[a-z][a-z0-9_]*`; the model's key is `<module>.<name>`.
    pub name: &'static str,
    /// How an officer reads it ("monitoring incidents in the 90 days before the assessment").
    pub label: &'static str,
    /// The value for one assessment, as a scalar SQL expression over the row `ia`
    /// (`ia.case_id`, `ia.assessed_at`, `ia.organisation_id`): counts or flags from the
    /// module's own tables, 0 when there is nothing to count. Use [`FeatureSql`] for the
    /// time window so that it reads the same on both databases.
    pub sql: fn(&FeatureSql) -> String,
}

impl std::fmt::Debug for ModuleFeature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleFeature").field("name", &self.name).finish()
    }
}

/// What a module's feature SQL may use.
#[derive(Debug, Clone, Copy)]
pub struct FeatureSql {
    pub backend: DatabaseBackend,
}

impl FeatureSql {
    /// `col` falls in the [`BEHAVIOUR_DAYS`] before the assessment.
    pub fn in_window(&self, col: &str) -> String {
        before_assessment(self.backend, col)
    }

    /// `col` is before the assessment.
    pub fn before(&self, col: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!("{col} < ia.assessed_at"),
            _ => format!("julianday({col}) < julianday(ia.assessed_at)"),
        }
    }
}

/// One feature of a set.
#[derive(Debug, Clone)]
pub struct FeatureDef {
    pub key: String,
    pub label: String,
    /// The SQL of a module's feature or indicator; none for the core's.
    pub(super) sql: Option<String>,
}

/// The features of this build: the core's, then each module's that brings some. A
/// model is trained on one set and scores only where the build reads the same set.
#[derive(Debug, Clone)]
pub struct FeatureSet {
    pub features: Vec<FeatureDef>,
}

impl FeatureSet {
    /// The core's features alone.
    pub fn core() -> Self {
        Self {
            features: FEATURES
                .iter()
                .map(|f| FeatureDef {
                    key: f.key.to_owned(),
                    label: f.label.to_owned(),
                    sql: None,
                })
                .collect(),
        }
    }

    /// The core's features and those of `modules`, for `backend`.
    pub fn of(modules: &crate::module::Registry, backend: DatabaseBackend) -> Self {
        let mut set = Self::core();
        let q = FeatureSql { backend };
        for m in modules.all() {
            let own = m.risk_features();
            if own.is_empty() {
                continue;
            }
            let id = m.id();
            let on = format!(
                "EXISTS (SELECT 1 FROM organisation_modules om WHERE om.organisation_id = ia.organisation_id AND om.module_id = '{id}' AND om.enabled = TRUE)"
            );
            set.features.push(FeatureDef {
                key: format!("{id}.enabled"),
                label: format!("the {} module is on for the case's organisation", m.name()),
                sql: Some(format!("CASE WHEN {on} THEN 1 ELSE 0 END")),
            });
            for f in own {
                set.features.push(FeatureDef {
                    key: format!("{id}.{}", f.name),
                    label: f.label.to_owned(),
                    sql: Some(format!("CASE WHEN {on} THEN ({}) ELSE 0 END", (f.sql)(&q))),
                });
            }
        }
        set
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.key.as_str())
    }

    /// The label of `key`, if the set has it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.features
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.label.as_str())
    }
}

/// `col` falls in the [`BEHAVIOUR_DAYS`] before the assessment `ia`.
pub(super) fn before_assessment(backend: DatabaseBackend, col: &str) -> String {
    let days = BEHAVIOUR_DAYS;
    match backend {
        DatabaseBackend::Postgres => {
            format!("{col} < ia.assessed_at AND {col} >= ia.assessed_at - INTERVAL '{days} days'")
        }
        _ => format!(
            "julianday({col}) < julianday(ia.assessed_at) AND julianday({col}) >= julianday(ia.assessed_at) - {days}"
        ),
    }
}
