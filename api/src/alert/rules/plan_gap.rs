//! A high need with no plan goal: suggest a goal, and a module's referral kind for it.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;

use super::{Fired, Firing, RuleInput};
use crate::alert::entity::{ActingRole, AlertSeverity};
use crate::module::{BoxFuture, Registry};
use crate::plan::entity::goal;
use crate::risk::entity as assessment;
use crate::risk::instrument::{self, RiskFactor};

pub(super) fn plan_gap<'a>(i: &'a RuleInput<'a>) -> BoxFuture<'a, Fired> {
    Box::pin(async move {
        let Some(a) = assessment::Entity::find_by_id(i.event.aggregate_id)
            .one(i.db)
            .await?
        else {
            return Ok(vec![]);
        };
        let high = i.threshold.unwrap_or(instrument::HIGH_NEED);
        let covered: Vec<goal::Model> = goal::Entity::find()
            .filter(goal::Column::CaseId.eq(i.case.id))
            .all(i.db)
            .await?;
        let mut out = Vec::new();
        for (need, score) in RiskFactor::NEEDS.iter().zip(a.answers().needs) {
            let Some(domain) = need.plan_domain() else {
                continue;
            };
            if score < high || covered.iter().any(|g| g.domain == domain) {
                continue;
            }
            let serving = i.modules.all().find(|m| m.needs_served().contains(need));
            let referral_kind = match serving {
                Some(m) => offered_kind(i.db, i.modules, m.id()).await?,
                None => None,
            };
            let need_name = crate::enums::enum_name(*need);
            let domain_name = crate::enums::enum_name(domain);
            let mut firing = Firing::new(
                format!("plan_gap:{}:{}:{need_name}", i.case.id, a.id),
                AlertSeverity::Medium,
                format!("{need_name} need scored {score} and the plan has no {domain_name} goal"),
                ActingRole::ProbationOfficer,
            );
            firing.suggestion = Some(json!({
                "need": need_name,
                "score": score,
                "goalDomain": domain_name,
                "referralKind": referral_kind,
            }));
            out.push(firing);
        }
        Ok(out)
    })
}

/// The first referral kind of `module_id` (the module serving the need), when it is compiled in, available and
/// enabled by at least one organisation (someone can take the referral).
pub(super) async fn offered_kind<C: ConnectionTrait>(
    db: &C,
    modules: &Registry,
    module_id: &str,
) -> Result<Option<&'static str>, DbErr> {
    use crate::module::entity::{module, organisation_module};
    let Some(m) = modules.get(module_id) else {
        return Ok(None);
    };
    let Some(kind) = m.referral_kinds().first().map(|k| k.code) else {
        return Ok(None);
    };
    let withdrawn = module::Entity::find_by_id(module_id.to_owned())
        .one(db)
        .await?
        .is_some_and(|r| !r.available);
    if withdrawn {
        return Ok(None);
    }
    let enabled = organisation_module::Entity::find()
        .filter(organisation_module::Column::ModuleId.eq(module_id))
        .filter(organisation_module::Column::Enabled.eq(true))
        .one(db)
        .await?
        .is_some();
    Ok(enabled.then_some(kind))
}
