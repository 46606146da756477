//! The features of the learned model, read for many cases in one statement.
//!
//! Per case, one assessment of HRA-1 is taken: the first (the index assessment, for
//! training, testing and drift) or the one in force (for scoring). Its answers, the
//! person's age and sex, the case's region, and the behaviour under supervision in the
//! 90 days before the assessment (missed appointments, violations: `COUNT` probes into
//! `(case_id, scheduled_at, outcome)` and `(case_id, occurred_at)`) come back with the
//! outcome and whether it is known yet. Never a statement per case.
//!
//! Modules add features of their own ([`crate::module::Module::risk_features`]): for each
//! module that brings some, the set holds `<module>.enabled` (the case's organisation has
//! the module on) and each of its features as `<module>.<name>`, 0 where the module is
//! off. The indicator keeps "off" apart from "on, with nothing recorded", so a module
//! switched off somewhere does not shift those cases' scores.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend};

use crate::case::entity::case;
use crate::error::ApiResult;
use crate::person::entity::Sex;
use crate::risk::entity as assessment;
use crate::risk::instrument::{self, OffenceType};
use crate::risk::outcome::OutcomeDefinition;
use crate::risk::validation::query::{numbered_assessments, outcome_sql};

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
    sql: Option<String>,
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

/// Which assessment of a case to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The case's first assessment of the instrument.
    Index,
    /// The assessment in force (not superseded).
    InForce,
}

/// What to read.
pub struct Reading<'a> {
    pub which: Which,
    /// A condition on `cases` and `risk_assessments` (access, territory, ids, period).
    pub cases: Condition,
    /// The outcome definition to label with; none when scoring.
    pub outcome: Option<&'a OutcomeDefinition>,
    pub now: DateTime<Utc>,
}

/// One case's features.
#[derive(Debug, Clone)]
pub struct CaseFeatures {
    pub case_id: i64,
    pub assessment_id: i64,
    pub assessed_at: DateTime<Utc>,
    pub sex: Option<Sex>,
    pub age: i32,
    pub region_id: i64,
    /// In the order of the [`FeatureSet`] read with.
    pub values: Vec<f64>,
    pub outcome: bool,
    /// The outcome's window has passed (so the outcome is known whatever happens next).
    pub labelled: bool,
}

/// `col` falls in the [`BEHAVIOUR_DAYS`] before the assessment `ia`.
fn before_assessment(backend: DatabaseBackend, col: &str) -> String {
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

fn behaviour_sql(backend: DatabaseBackend) -> (String, String) {
    (
        format!(
            "(SELECT COUNT(*) FROM appointments a WHERE a.case_id = ia.case_id AND a.outcome = 'MISSED' AND {})",
            before_assessment(backend, "a.scheduled_at")
        ),
        format!(
            "(SELECT COUNT(*) FROM violations v WHERE v.case_id = ia.case_id AND {})",
            before_assessment(backend, "v.occurred_at")
        ),
    )
}

/// Read the features of `set` of every case the condition selects, in one statement.
pub async fn read<C: ConnectionTrait>(
    db: &C,
    set: &FeatureSet,
    r: Reading<'_>,
) -> ApiResult<Vec<CaseFeatures>> {
    let backend = db.get_database_backend();
    let ra = || Alias::new("risk_assessments");
    let mut inner = numbered_assessments(backend);
    inner
        .column((ra(), assessment::Column::Id))
        .column((ra(), assessment::Column::CaseId))
        .column((ra(), assessment::Column::AssessedAt))
        .column((case::Entity, case::Column::OrganisationId))
        .column((ra(), assessment::Column::AgeAtFirstOffence))
        .column((ra(), assessment::Column::PriorConvictions))
        .column((ra(), assessment::Column::OffenceType))
        .column((ra(), assessment::Column::NeedEmployment))
        .column((ra(), assessment::Column::NeedEducation))
        .column((ra(), assessment::Column::NeedHousing))
        .column((ra(), assessment::Column::NeedFamilySupport))
        .column((ra(), assessment::Column::NeedPeers))
        .column((ra(), assessment::Column::NeedSubstanceUse))
        .column((ra(), assessment::Column::NeedAttitudes))
        .column((ra(), assessment::Column::NeedMentalHealth))
        .cond_where(
            Condition::all()
                .add(r.cases)
                .add(assessment::Column::InstrumentVersion.eq(instrument::VERSION)),
        );
    if r.which == Which::InForce {
        inner.and_where(Expr::col((ra(), assessment::Column::Superseded)).eq(false));
    }
    let (missed, violations) = behaviour_sql(backend);
    let mut outer = Query::select();
    outer
        .expr(Expr::cust("ia.*"))
        .expr_as(Expr::cust(missed), Alias::new("missed_90"))
        .expr_as(Expr::cust(violations), Alias::new("violations_90"))
        .from_subquery(inner, Alias::new("ia"));
    let module_columns: Vec<String> = set
        .features
        .iter()
        .filter_map(|f| f.sql.as_ref())
        .enumerate()
        .map(|(j, sql)| {
            let col = format!("module_{j}");
            outer.expr_as(Expr::cust(sql.clone()), Alias::new(&col));
            col
        })
        .collect();
    if r.which == Which::Index {
        outer.and_where(Expr::cust("ia.rn = 1"));
    }
    if let Some(o) = r.outcome {
        let window_passed = r.now - Duration::days(i64::from(o.window_days));
        outer
            .expr_as(Expr::cust(outcome_sql(backend, o)), Alias::new("outcome"))
            .expr_as(
                Expr::case(
                    Expr::col((Alias::new("ia"), Alias::new("assessed_at"))).lte(window_passed),
                    Expr::val(1),
                )
                .finally(Expr::val(0)),
                Alias::new("labelled"),
            );
    }
    let rows = db.query_all_raw(backend.build(&outer)).await?;
    rows.iter()
        .map(|row| {
            let int = |col: &str| -> ApiResult<i64> {
                row.try_get::<i64>("", col)
                    .or_else(|_| row.try_get::<i32>("", col).map(i64::from))
                    .map_err(Into::into)
            };
            let offence: String = row.try_get("", "offence_type")?;
            let offence = OffenceType::try_from_value(&offence).unwrap_or(OffenceType::Other);
            let sex: Option<String> = row.try_get("", "sex")?;
            let age = i32::try_from(int("age")?).unwrap_or(0);
            let first = i32::try_from(int("age_at_first_offence")?).unwrap_or(0);
            let mut values = vec![0.0; FEATURES.len()];
            values[0] = f64::from(instrument::age_score(first));
            values[1] = int("prior_convictions")? as f64;
            values[2] = f64::from(instrument::offence_score(offence));
            for (i, col) in [
                "need_employment",
                "need_education",
                "need_housing",
                "need_family_support",
                "need_peers",
                "need_substance_use",
                "need_attitudes",
                "need_mental_health",
            ]
            .iter()
            .enumerate()
            {
                values[3 + i] = int(col)? as f64;
            }
            values[11] = f64::from(age);
            values[12] = int("missed_90")? as f64;
            values[13] = int("violations_90")? as f64;
            for col in &module_columns {
                let v = row
                    .try_get::<f64>("", col)
                    .or_else(|_| int(col).map(|v| v as f64))?;
                values.push(v);
            }
            let (outcome, labelled) = if r.outcome.is_some() {
                (int("outcome")? == 1, int("labelled")? == 1)
            } else {
                (false, false)
            };
            Ok(CaseFeatures {
                case_id: int("case_id")?,
                assessment_id: int("id")?,
                assessed_at: row.try_get("", "assessed_at")?,
                sex: sex.and_then(|s| Sex::try_from_value(&s).ok()),
                age,
                region_id: int("region_id")?,
                values,
                outcome,
                labelled,
            })
        })
        .collect()
}
