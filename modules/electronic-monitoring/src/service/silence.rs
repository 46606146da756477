//! A signal that never returns: a live activation whose device has sent nothing for
//! longer than its organisation's `signalLossMinutes` opens one SIGNAL_LOSS incident,
//! which alerts like every incident. It is raised once per gap: the activation keeps the
//! incident's id until the device is heard again, and the module's sweep passes over it.
//! When the device is heard again the incident is marked (its `lastAt` becomes the time
//! the signal returned, a note says so, an audit entry records it); a person still
//! decides on it.

use chrono::{DateTime, Duration, Utc};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::RequestMeta;
use hamkor_api::case::entity::case;
use hamkor_api::db::{now, write_txn};
use hamkor_api::module::entity::organisation_module;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::incidents::{self, Occurrence};
use crate::config::Config;
use crate::entity::{IncidentKind, IncidentSeverity, activation, incident};

/// Most silent activations one sweep raises incidents for, per organisation.
const BATCH: u64 = 500;

/// When the device of `a` was last heard from (its fitting, before anything came).
pub fn last_heard(a: &activation::Model) -> DateTime<Utc> {
    a.last_heard_at.unwrap_or(a.fitted_at)
}

/// The device of `act` (read and locked in the caller's transaction) was heard at `at`:
/// remember it, and mark the incident of a gap that has now ended.
pub async fn heard<C: ConnectionTrait>(
    db: &C,
    act: &activation::Model,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    if let Some(id) = act.silence_incident_id {
        returned(db, id, at).await?;
    }
    activation::Entity::update_many()
        .col_expr(activation::Column::LastHeardAt, Expr::value(at))
        .col_expr(
            activation::Column::SilenceIncidentId,
            Expr::value(Option::<i64>::None),
        )
        .filter(activation::Column::Id.eq(act.id))
        .exec(db)
        .await?;
    Ok(())
}

async fn returned<C: ConnectionTrait>(db: &C, id: i64, at: DateTime<Utc>) -> Result<(), DbErr> {
    let Some(row) = incident::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let said = format!("signal returned at {}", at.format("%Y-%m-%d %H:%M UTC"));
    let mut m: incident::ActiveModel = row.clone().into();
    m.last_at = Set(at.max(row.first_at));
    m.note = Set(Some(match &row.note {
        Some(n) => format!("{n}\n{said}"),
        None => said,
    }));
    m.updated_at = Set(now());
    m.update(db).await?;
    audit::record_anonymous(
        db,
        None,
        &RequestMeta::default(),
        Entry::new("electronic_monitoring.incident.signal_returned")
            .target("MonitoringIncident", id)
            .case(row.case_id)
            .detail(json!({"returnedAt": at})),
    )
    .await
}

async fn config_of(db: &DatabaseConnection, organisation_id: i64) -> Result<Config, DbErr> {
    let row = organisation_module::Entity::find_by_id((organisation_id, crate::ID.to_owned()))
        .one(db)
        .await?;
    Ok(Config::from_stored(
        row.as_ref().filter(|r| r.enabled).map(|r| &r.config),
    ))
}

/// Open an incident for every live activation silent for longer than its
/// organisation allows and not yet raised for this gap, as of `at`; returns how many.
pub async fn sweep(db: &DatabaseConnection, at: DateTime<Utc>) -> anyhow::Result<usize> {
    let organisations: Vec<i64> = activation::Entity::find()
        .select_only()
        .column(activation::Column::OrganisationId)
        .distinct()
        .filter(activation::Column::RemovedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut raised = 0;
    for organisation in organisations {
        let cfg = config_of(db, organisation).await?;
        let cutoff = at - Duration::minutes(i64::from(cfg.signal_loss_minutes));
        let silent = activation::Entity::find()
            .filter(activation::Column::OrganisationId.eq(organisation))
            .filter(activation::Column::RemovedAt.is_null())
            .filter(activation::Column::SilenceIncidentId.is_null())
            .filter(
                Condition::any()
                    .add(activation::Column::LastHeardAt.lt(cutoff))
                    .add(
                        Condition::all()
                            .add(activation::Column::LastHeardAt.is_null())
                            .add(activation::Column::FittedAt.lt(cutoff)),
                    ),
            )
            .order_by_asc(activation::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        for a in silent {
            if raise(db, a.id, cutoff, at).await? {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

/// Raise the gap of one activation, re-checked under its lock (a message may have come).
async fn raise(
    db: &DatabaseConnection,
    id: i64,
    cutoff: DateTime<Utc>,
    at: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let txn = write_txn(db).await?;
    let Some(a) = activation::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    if a.removed_at.is_some() || a.silence_incident_id.is_some() || last_heard(&a) >= cutoff {
        return Ok(false);
    }
    let Some(c) = case::Entity::find_by_id(a.case_id).one(&txn).await? else {
        return Ok(false);
    };
    let incident = incidents::record(
        &txn,
        &a,
        &c,
        Occurrence {
            kind: IncidentKind::SignalLoss,
            severity: IncidentSeverity::Medium,
            first_at: last_heard(&a),
            last_at: at.max(last_heard(&a)),
            first_fix_id: None,
            last_fix_id: None,
            // A gap that begins when the last one ended (one message, then silence
            // again) is a gap of its own: merely touching incidents do not merge.
            merge_gap: Duration::seconds(-1),
        },
    )
    .await?;
    activation::Entity::update_many()
        .col_expr(activation::Column::SilenceIncidentId, Expr::value(incident))
        .filter(activation::Column::Id.eq(a.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}
