//! The model card: what a model is, what it is not for, and its figures, as Markdown
//! (`RiskModel.card`, `GET /risk-models/{id}/card.md`), rendered from the stored model
//! and report with a template (`card.md.j2`).

use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::entity::{disagreement, model};
use super::{get, report_of, spec_of};
use crate::audit::service::{self as audit, Entry};
use crate::auth::principal::Principal;
use crate::enums::enum_name;
use crate::error::{ApiError, ApiResult};

const TEMPLATE: &str = include_str!("card.md.j2");

/// The card of `m`, with the officers' disagreement marks counted so far.
pub fn render(m: &model::Model, disagreements: u64) -> ApiResult<String> {
    let spec = spec_of(m)?;
    let report = report_of(m)?;
    let features: Vec<serde_json::Value> = spec
        .features
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let label = spec.label(i);
            json!({"key": key, "label": label, "coefficient": spec.coefficients[i],
                   "mean": spec.means[i], "sd": spec.sds[i]})
        })
        .collect();
    let stamp =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string());
    let about = json!({
        "version": m.version,
        "status": enum_name(m.status),
        "fingerprint": m.fingerprint,
        "trained_at": stamp(Some(m.trained_at)),
        "approved_at": stamp(m.approved_at),
        "retired_at": stamp(m.retired_at),
    });
    let mut env = Environment::new();
    env.add_template("card", TEMPLATE)
        .map_err(|e| ApiError::internal("the model card's template", e))?;
    env.get_template("card")
        .and_then(|t| {
            t.render(context! {
                model => Value::from(Serde(&about)),
                spec => Value::from(Serde(&spec)),
                report => Value::from(Serde(&report)),
                features => Value::from(Serde(&features)),
                disagreements => disagreements,
            })
        })
        .map_err(|e| ApiError::internal("rendering the model card", e))
}

/// The card of model `id` for `p` (platform admins), audited as a read of its report.
pub async fn card(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<String> {
    let m = get(db, p, id).await?;
    let disagreements = disagreement::Entity::find()
        .filter(disagreement::Column::ModelId.eq(m.id))
        .count(db)
        .await?;
    audit::record(
        db,
        p,
        Entry::new("risk.model.read")
            .target("RiskModel", m.id)
            .detail(json!({"version": m.version, "format": "card"})),
    )
    .await?;
    render(&m, disagreements)
}
