//! Running the early-warning rules: a consumer of the outbox with its own persisted
//! cursor, and a periodic sweep for the time-based rules.
//!
//! The consumer reads committed events in id order with the same gap handling as the
//! subscription feed ([`Cursor`]), evaluates the rules listening to each event's type in
//! one write transaction per event, and moves its cursor with a compare-and-set, like
//! the module hooks. Two replicas (or a test calling [`evaluate_pending`] while the
//! worker runs) may evaluate the same event: the alert's unique key makes the second
//! insert a no-op, so each rule fires once per key.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
};
use serde_json::json;

use super::entity::{ActingRole, AlertAudience, AlertStatus, alert, consumer, rule_setting};
use super::rules::{Firing, RuleInput, SWEEP_RULES, event_rules};
use crate::case::entity::case;
use crate::db::{now, write_txn};
use crate::events::entity as domain_event;
use crate::events::feed::Cursor;
use crate::events::service::{self as events, NewEvent};
use crate::module::Registry;

/// The consumer's row in `event_consumers`.
pub const CONSUMER: &str = "early_warning";
/// How often the time-based rules are swept.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);
const BATCH: u64 = 200;

/// The aggregate type of alert events.
pub const AGGREGATE: &str = "Alert";

/// Evaluate the rules for new events every `interval`, and sweep every [`SWEEP_EVERY`],
/// for ever.
pub async fn run(db: DatabaseConnection, modules: Registry, interval: Duration) {
    let mut gap_at: (i64, Option<Instant>) = (0, None);
    let mut last_sweep: Option<Instant> = None;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(e) = evaluate_batch(&db, &modules, &mut gap_at).await {
            tracing::warn!(error = %e, "early-warning rules failed; retrying");
        }
        if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
            last_sweep = Some(Instant::now());
            if let Err(e) = sweep(&db, now()).await {
                tracing::warn!(error = %e, "early-warning sweep failed; retrying");
            }
            if let Err(e) = sweep_modules(&db, &modules, now()).await {
                tracing::warn!(error = %e, "a module's sweep failed; retrying");
            }
        }
    }
}

/// Evaluate every event committed so far that the consumer has not handled, and return
/// how many alerts were raised. Tests call this to run the rules deterministically.
pub async fn evaluate_pending(db: &DatabaseConnection, modules: &Registry) -> anyhow::Result<usize> {
    let mut gap_at = (0, None);
    let mut raised = 0;
    loop {
        let (handled, n) = evaluate_batch(db, modules, &mut gap_at).await?;
        raised += n;
        if handled < BATCH as usize {
            return Ok(raised);
        }
    }
}

async fn position(db: &DatabaseConnection) -> Result<i64, DbErr> {
    Ok(consumer::Entity::find_by_id(CONSUMER.to_owned())
        .one(db)
        .await?
        .map_or(0, |r| r.position))
}

/// One batch: returns (events handled, alerts raised).
async fn evaluate_batch(
    db: &DatabaseConnection,
    modules: &Registry,
    gap_at: &mut (i64, Option<Instant>),
) -> anyhow::Result<(usize, usize)> {
    let start = position(db).await?;
    if gap_at.0 != start {
        *gap_at = (start, None);
    }
    let batch = domain_event::Entity::find()
        .filter(domain_event::Column::Id.gt(start))
        .order_by_asc(domain_event::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut cursor = Cursor::new(start, gap_at.1);
    let ready = cursor.advance(batch, Instant::now());
    gap_at.1 = cursor.gap_since();
    let mut done = start;
    let mut raised = 0;
    let mut failure = None;
    for event in &ready {
        let span = crate::telemetry::event_span(CONSUMER, event);
        match tracing::Instrument::instrument(handle(db, modules, event), span).await {
            Ok(n) => raised += n,
            Err(e) => {
                failure = Some(anyhow::Error::from(e).context(format!("event {}", event.id)));
                break;
            }
        }
        done = event.id;
    }
    if done > start {
        consumer::Entity::update_many()
            .col_expr(consumer::Column::Position, Expr::value(done))
            .filter(consumer::Column::Name.eq(CONSUMER))
            .filter(consumer::Column::Position.eq(start))
            .exec(db)
            .await?;
    }
    match failure {
        Some(e) => Err(e),
        None => Ok((ready.len(), raised)),
    }
}

/// Evaluate the rules listening to one event, in one transaction.
async fn handle(
    db: &DatabaseConnection,
    modules: &Registry,
    event: &domain_event::Model,
) -> Result<usize, DbErr> {
    let Some(case_id) = event.case_id else {
        return Ok(0);
    };
    let listening: Vec<_> = event_rules(modules)
        .into_iter()
        .filter(|r| r.event_type == event.event_type)
        .collect();
    if listening.is_empty() {
        return Ok(0);
    }
    let txn = write_txn(db).await?;
    let Some(c) = case::Entity::find_by_id(case_id).one(&txn).await? else {
        return Ok(0);
    };
    let mut raised = 0;
    for rule in listening {
        let s = setting(&txn, c.organisation_id, rule.id).await?;
        if s.as_ref().is_some_and(|s| !s.enabled) {
            continue;
        }
        let input = RuleInput {
            db: &txn,
            event,
            case: &c,
            threshold: s.as_ref().and_then(|s| s.threshold).or(rule.default_threshold),
            window_days: s
                .as_ref()
                .and_then(|s| s.window_days)
                .or(rule.default_window_days),
            modules,
        };
        for firing in (rule.evaluate)(&input).await? {
            if raise(&txn, &c, (rule.id, rule.reveals), firing, Some(event.id)).await? {
                raised += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(raised)
}

/// The organisation's setting of a rule, if it changed the defaults.
pub async fn setting(
    db: &DatabaseTransaction,
    organisation_id: i64,
    rule: &str,
) -> Result<Option<rule_setting::Model>, DbErr> {
    rule_setting::Entity::find_by_id((organisation_id, rule.to_owned()))
        .one(db)
        .await
}

/// Evaluate the time-based rules as of `at`, and return how many alerts were raised.
/// Tests call this with a chosen time.
pub async fn sweep(db: &DatabaseConnection, at: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut raised = 0;
    for rule in SWEEP_RULES {
        let txn = write_txn(db).await?;
        for (case_id, firing) in (rule.find)(&txn, at).await? {
            let Some(c) = case::Entity::find_by_id(case_id).one(&txn).await? else {
                continue;
            };
            let s = setting(&txn, c.organisation_id, rule.id).await?;
            if s.is_some_and(|s| !s.enabled) {
                continue;
            }
            if raise(&txn, &c, (rule.id, rule.reveals), firing, None).await? {
                raised += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(raised)
}

/// Run every module's time-based work ([`Module::sweep`]) as of `at`, and return how
/// many things they raised. Tests call this with a chosen time.
///
/// [`Module::sweep`]: crate::module::Module::sweep
pub async fn sweep_modules(
    db: &DatabaseConnection,
    modules: &Registry,
    at: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let ctx = crate::module::EventContext { db };
    let mut raised = 0;
    for m in modules.all() {
        raised += m
            .sweep(&ctx, at)
            .await
            .map_err(|e| e.context(format!("module {}", m.id())))?;
    }
    Ok(raised)
}

/// Insert the alert unless one with its key exists, and emit `alert.raised` with it.
/// Returns whether it was raised now.
async fn raise(
    txn: &DatabaseTransaction,
    c: &case::Model,
    (rule, reveals): (&'static str, crate::access::CaseField),
    f: Firing,
    source_event_id: Option<i64>,
) -> Result<bool, DbErr> {
    let assignee = match f.acting {
        ActingRole::ProbationOfficer => c.officer_id,
        ActingRole::PreventionInspector => c.inspector_id.or(c.officer_id),
    };
    let key = f.key.clone();
    let inserted = alert::Entity::insert(alert::ActiveModel {
        case_id: Set(c.id),
        organisation_id: Set(c.organisation_id),
        rule: Set(rule.to_owned()),
        dedup_key: Set(f.key),
        severity: Set(f.severity),
        status: Set(AlertStatus::Open),
        reason: Set(f.reason),
        acting_role: Set(f.acting),
        audience: Set(AlertAudience::of(reveals)),
        assignee_id: Set(assignee),
        subject_id: Set(f.subject_id),
        suggestion: Set(f.suggestion),
        source_event_id: Set(source_event_id),
        raised_at: Set(now()),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
        acknowledge_note: Set(None),
        resolved_at: Set(None),
        resolved_by: Set(None),
        resolution_note: Set(None),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([alert::Column::DedupKey])
    .exec_without_returning(txn)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(false);
    }
    let Some(row) = alert::Entity::find()
        .filter(alert::Column::DedupKey.eq(key))
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    events::emit(
        txn,
        None,
        NewEvent::new("alert.raised", AGGREGATE, row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({
                "rule": rule,
                "severity": row.severity.to_value(),
                "actingRole": row.acting_role.to_value(),
                "assigneeId": row.assignee_id,
            })),
    )
    .await?;
    Ok(true)
}
