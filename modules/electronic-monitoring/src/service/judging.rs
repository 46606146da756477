//! Judging what a message changed for one activation: its fixes against the case's
//! curfew and zones ([`crate::judge`]), its device events by their own rules. Runs in the
//! message's transaction, with the activation locked, so two messages of one activation
//! are judged one after the other.

use chrono::{DateTime, Duration, Utc};
use hamkor_api::case::conditions::CurfewWindow;
use hamkor_api::case::entity::{ConditionKind, case, condition};
use hamkor_api::case::geofence::{CASE_TZ, Geofence, local_time};
use hamkor_api::module::Registry;
use hamkor_api::module::service::config_for;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value as Json;

use super::incidents::{self, Occurrence};
use crate::config::Config;
use crate::entity::{IncidentKind, IncidentSeverity, activation, device_event, position};
use crate::judge::{self, Debounce, Fix, Rules, Zone};

/// How far before the earliest new fix the judge re-reads, beyond twice the debounce: a
/// run that began earlier and was long enough is already an incident, which the new part
/// extends; a shorter one lies within this reach.
const LOOKBACK_MINUTES: i64 = 30;
/// Most fixes judged at once for one activation.
const MAX_FIXES: u64 = 50_000;

/// Judge the fixes from `earliest_fix` on and the new device `events` of `act`; returns
/// the activation as read under its lock (`None` when it is gone).
pub async fn judge(
    txn: &DatabaseTransaction,
    modules: &Registry,
    act: &activation::Model,
    earliest_fix: Option<DateTime<Utc>>,
    events: &[device_event::Model],
) -> anyhow::Result<Option<activation::Model>> {
    // Serialise judging per activation (PostgreSQL: a row lock; SQLite writes one at a time).
    let Some(act) = activation::Entity::find_by_id(act.id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(case) = case::Entity::find_by_id(act.case_id).one(txn).await? else {
        return Ok(Some(act));
    };
    let stored = config_for(txn, modules, case.organisation_id, crate::ID)
        .await
        .map_err(|e| anyhow::anyhow!("reading the organisation's configuration: {e:?}"))?;
    let cfg = Config::from_stored(stored.as_ref());
    let rules = rules_of(txn, case.id).await?;
    if let Some(since) = earliest_fix
        && !rules.is_empty()
    {
        let rows = position::Entity::find()
            .filter(position::Column::ActivationId.eq(act.id))
            .filter(
                position::Column::FixAt
                    .gte(since - Duration::minutes(LOOKBACK_MINUTES + 2 * i64::from(cfg.debounce_minutes))),
            )
            .order_by_asc(position::Column::FixAt)
            .limit(MAX_FIXES)
            .all(txn)
            .await?;
        let fixes: Vec<Fix> = rows
            .iter()
            .map(|r| Fix {
                id: r.id,
                at: r.fix_at,
                lat: r.lat,
                lon: r.lon,
                accuracy_m: r.accuracy_m,
            })
            .collect();
        let debounce = Debounce {
            fixes: cfg.debounce_fixes,
            minutes: cfg.debounce_minutes,
        };
        for ep in judge::episodes(&fixes, &rules, debounce) {
            let severity = match ep.kind {
                IncidentKind::EnteredForbiddenArea => IncidentSeverity::High,
                _ => IncidentSeverity::Medium,
            };
            let occ = Occurrence {
                kind: ep.kind,
                severity,
                first_at: ep.first.at,
                last_at: ep.last.at,
                first_fix_id: Some(ep.first.id),
                last_fix_id: Some(ep.last.id),
                merge_gap: Duration::zero(),
            };
            incidents::record(txn, &act, &case, occ).await?;
        }
    }
    for e in events {
        if let Some(occ) = device_occurrence(txn, &act, &rules, &cfg, e).await? {
            incidents::record(txn, &act, &case, occ).await?;
        }
    }
    Ok(Some(act))
}

fn point(at: DateTime<Utc>, kind: IncidentKind, severity: IncidentSeverity, gap_minutes: i64) -> Occurrence {
    Occurrence {
        kind,
        severity,
        first_at: at,
        last_at: at,
        first_fix_id: None,
        last_fix_id: None,
        merge_gap: Duration::minutes(gap_minutes),
    }
}

/// The incident a device event opens or extends, if any.
async fn device_occurrence<C: ConnectionTrait>(
    db: &C,
    act: &activation::Model,
    rules: &Rules,
    cfg: &Config,
    e: &device_event::Model,
) -> Result<Option<Occurrence>, sea_orm::DbErr> {
    let field = |k: &str| e.detail.get(k).cloned().unwrap_or(Json::Null);
    Ok(match e.kind.as_str() {
        "TAMPER" => Some(point(e.at, IncidentKind::Tamper, IncidentSeverity::High, 30)),
        "FAULT" => Some(point(e.at, IncidentKind::DeviceFault, IncidentSeverity::Low, 360)),
        "BATTERY" => field("level")
            .as_u64()
            .filter(|l| *l <= u64::from(cfg.battery_low_percent))
            .map(|_| point(e.at, IncidentKind::LowBattery, IncidentSeverity::Low, 360)),
        "PRESENCE" => {
            let away = field("inRange").as_bool() == Some(false);
            let t = local_time(e.at);
            (away && rules.curfews.iter().any(|(w, _)| w.contains(t)))
                .then(|| point(e.at, IncidentKind::Curfew, IncidentSeverity::Medium, 30))
        }
        "SIGNAL_LOST" | "SIGNAL_RESTORED" => signal_gap(db, act, cfg, e).await?,
        _ => None,
    })
}

/// A signal loss longer than the organisation allows, from a lost/restored pair (either
/// may arrive first).
async fn signal_gap<C: ConnectionTrait>(
    db: &C,
    act: &activation::Model,
    cfg: &Config,
    e: &device_event::Model,
) -> Result<Option<Occurrence>, sea_orm::DbErr> {
    let base = device_event::Entity::find().filter(device_event::Column::ActivationId.eq(act.id));
    let (lost, restored) = if e.kind == "SIGNAL_LOST" {
        let r = base
            .filter(device_event::Column::Kind.eq("SIGNAL_RESTORED"))
            .filter(device_event::Column::At.gt(e.at))
            .order_by_asc(device_event::Column::At)
            .one(db)
            .await?;
        (Some(e.at), r.map(|r| r.at))
    } else {
        let l = base
            .filter(device_event::Column::Kind.eq("SIGNAL_LOST"))
            .filter(device_event::Column::At.lt(e.at))
            .order_by_desc(device_event::Column::At)
            .one(db)
            .await?;
        (l.map(|l| l.at), Some(e.at))
    };
    let (Some(lost), Some(restored)) = (lost, restored) else {
        return Ok(None);
    };
    if restored - lost < Duration::minutes(i64::from(cfg.signal_loss_minutes)) {
        return Ok(None);
    }
    let mut occ = point(lost, IncidentKind::SignalLoss, IncidentSeverity::Medium, 0);
    occ.last_at = restored;
    Ok(Some(occ))
}

/// The curfews (with a home zone) and zones of a case's conditions.
pub async fn rules_of<C: ConnectionTrait>(db: &C, case_id: i64) -> Result<Rules, sea_orm::DbErr> {
    let rows = condition::Entity::find()
        .filter(condition::Column::CaseId.eq(case_id))
        .all(db)
        .await?;
    let mut rules = Rules::default();
    for c in rows {
        let Some(geofence) = c.geofence.as_ref().and_then(Geofence::from_stored) else {
            continue;
        };
        let zone = Zone {
            geofence,
            from: c.valid_from,
            until: c.valid_until,
        };
        match c.kind {
            ConditionKind::Curfew => {
                if let (Some(start), Some(end)) = (c.curfew_start, c.curfew_end)
                    && start != end
                {
                    rules.curfews.push((CurfewWindow { start, end }, zone));
                }
            }
            ConditionKind::StayWithinArea => rules.inclusion.push(zone),
            ConditionKind::StayOutOfArea => rules.exclusion.push(zone),
            ConditionKind::Reporting | ConditionKind::Other => {}
        }
    }
    Ok(rules)
}

/// The local date of `at` in the case's time zone.
pub fn local_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&CASE_TZ).date_naive()
}
