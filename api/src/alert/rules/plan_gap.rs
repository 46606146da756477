//! A high need with no plan goal: suggest a goal, and a module's referral kind for it.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::{Value as Json, json};

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
        let mut out = Vec::new();
        for (need, score) in RiskFactor::NEEDS.iter().zip(a.answers().needs) {
            if score < high {
                continue;
            }
            let key = format!(
                "plan_gap:{}:{}:{}",
                i.case.id,
                a.id,
                crate::enums::enum_name(*need)
            );
            let reason = |domain: &str| {
                format!(
                    "{} need scored {score} and the plan has no {domain} goal",
                    crate::enums::enum_name(*need)
                )
            };
            if let Some(mut firing) = suggest_goal(i.db, i.modules, i.case.id, *need, key, reason).await? {
                if let Some(Json::Object(s)) = &mut firing.suggestion {
                    s.insert("score".into(), json!(score));
                }
                out.push(firing);
            }
        }
        Ok(out)
    })
}

/// The plan-gap suggestion for `need` on a case whose plan has no goal in its domain
/// (none when it has one, or the need has no plan domain): a goal of that domain and the
/// referral kind of the module serving the need. `key` names the alert (one per key);
/// `reason` words it from the goal domain's name. Rules over other signals of a need (a
/// support need a person states in a check-in, say) raise the same suggestion.
pub async fn suggest_goal<C: ConnectionTrait>(
    db: &C,
    modules: &Registry,
    case_id: i64,
    need: RiskFactor,
    key: String,
    reason: impl FnOnce(&str) -> String,
) -> Result<Option<Firing>, DbErr> {
    let Some(domain) = need.plan_domain() else {
        return Ok(None);
    };
    let covered = goal::Entity::find()
        .filter(goal::Column::CaseId.eq(case_id))
        .filter(goal::Column::Domain.eq(domain))
        .one(db)
        .await?
        .is_some();
    if covered {
        return Ok(None);
    }
    let serving = modules.all().find(|m| m.needs_served().contains(&need));
    let referral_kind = match serving {
        Some(m) => offered_kind(db, modules, m.id()).await?,
        None => None,
    };
    let domain_name = crate::enums::enum_name(domain);
    let mut firing = Firing::new(
        key,
        AlertSeverity::Medium,
        reason(&domain_name),
        ActingRole::ProbationOfficer,
    );
    firing.suggestion = Some(json!({
        "need": crate::enums::enum_name(need),
        "goalDomain": domain_name,
        "referralKind": referral_kind,
    }));
    Ok(Some(firing))
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
