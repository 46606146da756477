//! Attention: the approved model's score of a case, its band and the features behind
//! it, for the case's supervising officer and inspector only. Assistive: it orders a
//! caseload and explains itself; it never sets `riskLevel` and decides nothing. No
//! event, sync record or export carries it.
//!
//! Scores are computed when read, from the assessment in force, for a whole page of
//! cases at once ([`AttentionLoader`]: the approved model and the features in two
//! statements, whatever the page's size).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection};
use serde_json::json;

use super::features::{self, FeatureSet, Reading, Which};
use super::report::band_of;
use super::{Spec, approved, entity::disagreement};
use crate::access::CaseField;
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::case::entity::RiskLevel;
use crate::case::service::get_for;
use crate::db::{now, write_txn};
use crate::error::{ApiError, ApiResult};
use crate::module::Registry;
use crate::risk::entity as assessment;
use crate::validate;

/// How many features a score names as its reasons.
pub const REASONS: usize = 3;

/// One reason behind a score.
#[derive(Debug, Clone)]
pub struct Reason {
    pub feature: String,
    /// In plain language: "prior convictions: 4".
    pub label: String,
    /// Coefficient × scaled value, on the log-odds (positive raises the score).
    pub contribution: f64,
}

/// A case's attention score.
#[derive(Debug, Clone)]
pub struct Attention {
    pub case_id: i64,
    pub score: f64,
    pub band: RiskLevel,
    pub reasons: Vec<Reason>,
    pub model_id: i64,
    pub model_version: i32,
}

fn describe(spec: &Spec, i: usize, v: f64) -> String {
    let label = spec.label(i);
    match spec.features[i].as_str() {
        "first_offence_score" | "offence_score" => format!("{label} (score {v:.0} of 3)"),
        k if k.starts_with("need_") => format!("{label} (scored {v:.0} of 3)"),
        k if k.ends_with(".enabled") => label.to_owned(),
        _ => format!("{label}: {v:.0}"),
    }
}

/// Score one case's features with `spec`.
pub fn attention_of(model_id: i64, version: i32, spec: &Spec, c: &features::CaseFeatures) -> Attention {
    let score = spec.score(&c.values);
    let reasons = spec
        .contributions(&c.values)
        .into_iter()
        .filter(|x| x.contribution > 0.0)
        .take(REASONS)
        .map(|x| Reason {
            feature: spec.features[x.feature].clone(),
            label: describe(spec, x.feature, x.value),
            contribution: x.contribution,
        })
        .collect();
    Attention {
        case_id: c.case_id,
        score,
        band: band_of(score),
        reasons,
        model_id,
        model_version: version,
    }
}

/// Scores of the given cases under the approved model (none without one, or for a
/// case without an assessment of HRA-1). The caller has checked access.
pub async fn score_cases(
    db: &DatabaseConnection,
    modules: &Registry,
    cases: Condition,
) -> ApiResult<HashMap<i64, Attention>> {
    let set = FeatureSet::of(modules, db.get_database_backend());
    let Some((m, spec)) = approved(db, &set).await? else {
        return Ok(HashMap::new());
    };
    let rows = features::read(
        db,
        &set,
        Reading {
            which: Which::InForce,
            cases,
            outcome: None,
            now: now(),
        },
    )
    .await?;
    Ok(rows
        .iter()
        .map(|c| (c.case_id, attention_of(m.id, m.version, &spec, c)))
        .collect())
}

/// Loads the attention of many cases in one go.
pub struct AttentionLoader {
    db: DatabaseConnection,
    modules: Registry,
}

impl Loader<i64> for AttentionLoader {
    type Value = Attention;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Attention>, Self::Error> {
        score_cases(
            &self.db,
            &self.modules,
            Condition::all().add(assessment::Column::CaseId.is_in(keys.iter().copied())),
        )
        .await
        .map_err(Arc::new)
    }
}

/// The request's attention loader.
pub type Attentions = DataLoader<AttentionLoader, HashMapCache>;

pub fn loader(db: &DatabaseConnection, modules: &Registry) -> Attentions {
    DataLoader::with_cache(
        AttentionLoader {
            db: db.clone(),
            modules: modules.clone(),
        },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// Longest reason of a disagreement.
pub const MAX_REASON: usize = 2000;

/// The officer or inspector of a case marks its score as not matching their judgement.
/// Audited (`risk.attention.disagreement`); counted in the model's report.
pub async fn mark_disagreement(
    db: &DatabaseConnection,
    modules: &Registry,
    p: &Principal,
    case_id: i64,
    reason: &str,
) -> ApiResult<disagreement::Model> {
    let reason = validate::required("reason", reason, MAX_REASON)?;
    get_for(db, p, case_id, CaseField::Attention.needs()).await?;
    let scored = score_cases(
        db,
        modules,
        Condition::all().add(assessment::Column::CaseId.eq(case_id)),
    )
    .await?;
    let a = scored.get(&case_id).ok_or_else(|| {
        ApiError::refused(
            "NO_ATTENTION_SCORE",
            "the case has no attention score to disagree with",
        )
    })?;
    let txn = write_txn(db).await?;
    let row = disagreement::ActiveModel {
        model_id: Set(a.model_id),
        case_id: Set(case_id),
        marked_by: Set(p.user_id),
        score: Set(a.score),
        reason: Set(reason),
        marked_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        p,
        Entry::new("risk.attention.disagreement")
            .target("Case", case_id)
            .case(case_id)
            .detail(json!({"modelVersion": a.model_version, "score": a.score})),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Most cases a list ordered by attention scores at once (a caseload, not a country).
pub const MAX_ORDERED_CASES: u64 = 5_000;

/// A page of the cases matching `cond` (already limited to what the caller may list),
/// highest attention first, then the cases without a score, newest first. Only where the
/// caller sees attention: the list is narrowed to those cases, and a caller who sees it
/// on no case is refused.
pub async fn page_by_attention(
    db: &DatabaseConnection,
    modules: &Registry,
    p: &Principal,
    cond: Condition,
    page: crate::pagination::Page,
) -> ApiResult<crate::pagination::Paged<crate::case::entity::case::Model>> {
    use crate::access::{best_role_access, cases_with_access};
    use crate::case::entity::case;
    use sea_orm::{EntityTrait, QueryFilter, QuerySelect};
    if best_role_access(p).is_none_or(|a| a < CaseField::Attention.needs()) {
        return Err(ApiError::forbidden());
    }
    let cond = Condition::all()
        .add(cond)
        .add(cases_with_access(p, CaseField::Attention.needs()));
    let ids: Vec<i64> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(cond.clone())
        .limit(MAX_ORDERED_CASES + 1)
        .into_tuple()
        .all(db)
        .await?;
    if ids.len() as u64 > MAX_ORDERED_CASES {
        return Err(ApiError::bad_input(
            "orderBy",
            format!("ordering by attention takes at most {MAX_ORDERED_CASES} cases; narrow the filter"),
        ));
    }
    let scores = score_cases(db, modules, cond).await?;
    let mut order: Vec<(Option<f64>, i64)> = ids
        .iter()
        .map(|id| (scores.get(id).map(|a| a.score), *id))
        .collect();
    order.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(b.1.cmp(&a.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.1.cmp(&a.1),
    });
    let start = match page.after {
        Some(after) => order
            .iter()
            .position(|(_, id)| *id == after)
            .map_or(order.len(), |i| i + 1),
        None => 0,
    };
    let slice: Vec<i64> = order
        .iter()
        .skip(start)
        .take(page.first as usize)
        .map(|(_, id)| *id)
        .collect();
    let has_next = start + slice.len() < order.len();
    let mut rows = case::Entity::find()
        .filter(case::Column::Id.is_in(slice.clone()))
        .all(db)
        .await?;
    rows.sort_by_key(|r| slice.iter().position(|id| *id == r.id));
    let n = ids.len() as u64;
    Ok(crate::pagination::Paged {
        rows,
        has_next,
        page,
        total: crate::pagination::TotalCount::deferred(move || Box::pin(async move { Ok(n) })),
    })
}
