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

mod set;
use set::before_assessment;
pub use set::{BEHAVIOUR_DAYS, FEATURES, Feature, FeatureDef, FeatureSet, FeatureSql, ModuleFeature};

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
