//! The stored models and their lifecycle: training a DRAFT, approving it (one APPROVED
//! at a time), retiring it, and reading them — platform admins only, every change
//! audited.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use super::entity::{ModelStatus, model};
use super::features::FeatureSet;
use super::{Spec, TrainOptions, fit_on_record, spec_of, to_json};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::{Principal, RequestMeta};
use crate::db::{now, write_txn};
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};
use crate::module::Registry;
fn require_admin(p: &Principal) -> ApiResult<()> {
    if p.is_platform_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Train and store a DRAFT model: by a platform admin (`by`), or from the command line
/// (none). Audited (`risk.model.train`).
pub async fn train(
    db: &DatabaseConnection,
    modules: &Registry,
    by: Option<&Principal>,
    o: TrainOptions,
) -> ApiResult<model::Model> {
    if let Some(p) = by {
        require_admin(p)?;
    }
    let at = now();
    let set = FeatureSet::of(modules, db.get_database_backend());
    let t = fit_on_record(db, &set, o, at).await?;
    let txn = write_txn(db).await?;
    let version = model::Entity::find()
        .select_only()
        .column_as(model::Column::Version.max(), "v")
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten()
        .unwrap_or(0)
        + 1;
    let row = model::ActiveModel {
        version: Set(version),
        outcome_version: Set(t.report.outcome_version),
        status: Set(ModelStatus::Draft),
        spec: Set(to_json(&t.spec)?),
        report: Set(to_json(&t.report)?),
        fingerprint: Set(t.fingerprint.clone()),
        train_cases: Set(i32::try_from(t.report.train_cases).unwrap_or(i32::MAX)),
        test_cases: Set(i32::try_from(t.report.test_cases).unwrap_or(i32::MAX)),
        trained_by: Set(by.map(|p| p.user_id)),
        trained_at: Set(at),
        approved_by: Set(None),
        approved_at: Set(None),
        retired_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let entry = Entry::new("risk.model.train")
        .target("RiskModel", row.id)
        .detail(json!({
            "version": version,
            "outcomeVersion": row.outcome_version,
            "trainCases": row.train_cases,
            "testCases": row.test_cases,
            "fingerprint": row.fingerprint,
            "testAuc": t.report.test.auc,
        }));
    match by {
        Some(p) => audit::record(&txn, p, entry).await?,
        None => audit::record_anonymous(&txn, None, &cli_meta(), entry).await?,
    }
    txn.commit().await?;
    Ok(row)
}

fn cli_meta() -> RequestMeta {
    RequestMeta {
        client: Some("hamkor-cli".into()),
        ..RequestMeta::default()
    }
}

/// Approve a DRAFT model (a platform admin): the approved one before it is retired in
/// the same transaction. Audited (`risk.model.approve`).
pub async fn approve(
    db: &DatabaseConnection,
    modules: &Registry,
    p: &Principal,
    id: i64,
) -> ApiResult<model::Model> {
    require_admin(p)?;
    let txn = write_txn(db).await?;
    let m = model::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RiskModel"))?;
    if m.status != ModelStatus::Draft {
        return Err(ApiError::InvalidTransition {
            from: enum_name(m.status),
            to: enum_name(ModelStatus::Approved),
        });
    }
    if !spec_of(&m)?.matches_features(&FeatureSet::of(modules, db.get_database_backend())) {
        return Err(ApiError::Conflict(
            "the model's features are not those this version reads; train a new one".into(),
        ));
    }
    let at = now();
    let retired: Vec<i64> = model::Entity::find()
        .filter(model::Column::Status.eq(ModelStatus::Approved))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if !retired.is_empty() {
        model::Entity::update_many()
            .col_expr(
                model::Column::Status,
                sea_orm::sea_query::Expr::value(ModelStatus::Retired),
            )
            .col_expr(model::Column::RetiredAt, sea_orm::sea_query::Expr::value(at))
            .filter(model::Column::Id.is_in(retired.clone()))
            .exec(&txn)
            .await?;
    }
    let mut am: model::ActiveModel = m.into();
    am.status = Set(ModelStatus::Approved);
    am.approved_by = Set(Some(p.user_id));
    am.approved_at = Set(Some(at));
    let m = am.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("risk.model.approve")
            .target("RiskModel", m.id)
            .detail(json!({"version": m.version, "retired": retired})),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Retire a model (a platform admin). Audited (`risk.model.retire`).
pub async fn retire(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<model::Model> {
    require_admin(p)?;
    let txn = write_txn(db).await?;
    let m = model::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("RiskModel"))?;
    if m.status == ModelStatus::Retired {
        return Err(ApiError::InvalidTransition {
            from: enum_name(m.status),
            to: enum_name(ModelStatus::Retired),
        });
    }
    let mut am: model::ActiveModel = m.into();
    am.status = Set(ModelStatus::Retired);
    am.retired_at = Set(Some(now()));
    let m = am.update(&txn).await?;
    audit::record(
        &txn,
        p,
        Entry::new("risk.model.retire")
            .target("RiskModel", m.id)
            .detail(json!({"version": m.version})),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Most models listed at once.
pub const MAX_MODELS: u64 = 100;

/// The models, newest first (platform admins). Reading a model's report is audited
/// (`risk.model.read`) by the resolver that shows it.
pub async fn list(db: &DatabaseConnection, p: &Principal) -> ApiResult<Vec<model::Model>> {
    require_admin(p)?;
    Ok(model::Entity::find()
        .order_by_desc(model::Column::Version)
        .limit(MAX_MODELS)
        .all(db)
        .await?)
}

/// One model (platform admins).
pub async fn get(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<model::Model> {
    require_admin(p)?;
    model::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("RiskModel"))
}

/// The approved model, if any.
/// `set` is this build's feature set: a model trained on another set does not score.
pub async fn approved<C: sea_orm::ConnectionTrait>(
    db: &C,
    set: &FeatureSet,
) -> ApiResult<Option<(model::Model, Spec)>> {
    let Some(m) = model::Entity::find()
        .filter(model::Column::Status.eq(ModelStatus::Approved))
        .order_by_desc(model::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let spec = spec_of(&m)?;
    if !spec.matches_features(set) {
        tracing::warn!(
            model = m.version,
            "the approved risk model's features are not this build's (a module added or removed); no attention scores until a new model is approved"
        );
        return Ok(None);
    }
    Ok(Some((m, spec)))
}
