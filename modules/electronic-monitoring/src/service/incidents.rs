//! Incidents: opened or extended by the judge (one per occurrence: more of the same
//! breach extends it), then decided by a person: OPEN → ACKNOWLEDGED → CLOSED with an
//! outcome, or confirmed as a violation (one step, linked). Nothing here changes a
//! person's legal situation by itself.

use chrono::{DateTime, Duration, Utc};
use hamkor_api::access::CaseAccess;
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::{Principal, RequestMeta};
use hamkor_api::case::entity::case;
use hamkor_api::case::service::get_for;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent, event_type};
use hamkor_api::module::kit::enums::enum_name;
use hamkor_api::supervision::entity::{ViolationKind, ViolationSeverity};
use hamkor_api::supervision::service::{NewViolation, record_violation_in};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::entity::{IncidentKind, IncidentOutcome, IncidentSeverity, IncidentStatus, activation, incident};

/// One occurrence the judge found.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub kind: IncidentKind,
    pub severity: IncidentSeverity,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub first_fix_id: Option<i64>,
    pub last_fix_id: Option<i64>,
    /// Occurrences closer than this to an incident of the same kind extend it.
    pub merge_gap: Duration,
}

fn opened_payload(i: &incident::Model) -> serde_json::Value {
    // Ids, kinds and times only: never a position.
    json!({
        "incidentId": i.id,
        "activationId": i.activation_id,
        "kind": enum_name(i.kind),
        "severity": enum_name(i.severity),
        "firstAt": i.first_at,
    })
}

/// Open an incident for `occ`, or extend the one of the same kind it overlaps (joining
/// any others it now overlaps), and return its id. Replaying the same occurrence changes
/// nothing.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    act: &activation::Model,
    case: &case::Model,
    occ: Occurrence,
) -> Result<i64, DbErr> {
    let overlapping = incident::Entity::find()
        .filter(incident::Column::ActivationId.eq(act.id))
        .filter(incident::Column::Kind.eq(occ.kind))
        .filter(incident::Column::FirstAt.lte(occ.last_at + occ.merge_gap))
        .filter(incident::Column::LastAt.gte(occ.first_at - occ.merge_gap))
        .filter(
            incident::Column::Outcome
                .is_null()
                .or(incident::Column::Outcome.ne(IncidentOutcome::Merged)),
        )
        .order_by_asc(incident::Column::FirstAt)
        .order_by_asc(incident::Column::Id)
        .all(db)
        .await?;
    let at = now();
    let Some((keep, others)) = overlapping.split_first() else {
        let row = incident::ActiveModel {
            activation_id: Set(act.id),
            case_id: Set(case.id),
            organisation_id: Set(case.organisation_id),
            kind: Set(occ.kind),
            severity: Set(occ.severity),
            status: Set(IncidentStatus::Open),
            first_at: Set(occ.first_at),
            last_at: Set(occ.last_at),
            first_fix_id: Set(occ.first_fix_id),
            last_fix_id: Set(occ.last_fix_id),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?;
        audit::record_anonymous(
            db,
            None,
            &RequestMeta::default(),
            Entry::new("electronic_monitoring.incident.open")
                .target("MonitoringIncident", row.id)
                .case(case.id)
                .detail(json!({"kind": enum_name(row.kind), "severity": enum_name(row.severity)})),
        )
        .await?;
        events::emit(
            db,
            None,
            NewEvent::new(
                "electronic_monitoring.incident_opened",
                "MonitoringIncident",
                row.id,
            )
            .case(case.id)
            .organisation(case.organisation_id)
            .payload(opened_payload(&row)),
        )
        .await?;
        return Ok(row.id);
    };
    let mut first = (keep.first_at, keep.first_fix_id);
    let mut last = (keep.last_at, keep.last_fix_id);
    for (f, l) in others
        .iter()
        .map(|o| ((o.first_at, o.first_fix_id), (o.last_at, o.last_fix_id)))
        .chain([((occ.first_at, occ.first_fix_id), (occ.last_at, occ.last_fix_id))])
    {
        if f.0 < first.0 {
            first = f;
        }
        if l.0 > last.0 {
            last = l;
        }
    }
    if (first, last)
        != (
            (keep.first_at, keep.first_fix_id),
            (keep.last_at, keep.last_fix_id),
        )
    {
        let mut row: incident::ActiveModel = keep.clone().into();
        row.first_at = Set(first.0);
        row.first_fix_id = Set(first.1);
        row.last_at = Set(last.0);
        row.last_fix_id = Set(last.1);
        row.updated_at = Set(at);
        row.update(db).await?;
    }
    for o in others {
        let mut row: incident::ActiveModel = o.clone().into();
        row.status = Set(IncidentStatus::Closed);
        row.outcome = Set(Some(IncidentOutcome::Merged));
        row.note = Set(Some(format!("joined to incident {}", keep.id)));
        row.closed_at = Set(Some(at));
        row.updated_at = Set(at);
        row.update(db).await?;
    }
    Ok(keep.id)
}

/// Load an incident of a case the caller supervises (`needed` access), locked.
async fn load<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    id: i64,
    needed: CaseAccess,
) -> ApiResult<(incident::Model, case::Model)> {
    let row = incident::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("MonitoringIncident"))?;
    let (c, _) = get_for(db, p, row.case_id, needed).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("MonitoringIncident"),
        other => other,
    })?;
    Ok((row, c))
}

fn transition(from: IncidentStatus, to: IncidentStatus) -> ApiError {
    ApiError::InvalidTransition {
        from: enum_name(from),
        to: enum_name(to),
    }
}

async fn changed<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    row: &incident::Model,
    c: &case::Model,
    action: &'static str,
    event: &'static str,
) -> ApiResult<()> {
    audit::record(
        db,
        p,
        Entry::new(action)
            .target("MonitoringIncident", row.id)
            .case(c.id)
            .detail(json!({"status": enum_name(row.status), "outcome": row.outcome.map(enum_name)})),
    )
    .await?;
    events::emit(
        db,
        Some(p),
        NewEvent::new(event, "MonitoringIncident", row.id)
            .case(c.id)
            .organisation(c.organisation_id)
            .payload(json!({
                "incidentId": row.id,
                "kind": enum_name(row.kind),
                "status": enum_name(row.status),
                "outcome": row.outcome.map(enum_name),
                "violationId": row.violation_id,
            })),
    )
    .await?;
    Ok(())
}

/// The officer or inspector has seen the incident and is on it (OPEN → ACKNOWLEDGED).
pub async fn acknowledge(db: &DatabaseConnection, p: &Principal, id: i64) -> ApiResult<incident::Model> {
    let txn = write_txn(db).await?;
    let (row, c) = load(&txn, p, id, CaseAccess::Supervise).await?;
    if row.status != IncidentStatus::Open {
        return Err(transition(row.status, IncidentStatus::Acknowledged));
    }
    let mut m: incident::ActiveModel = row.into();
    m.status = Set(IncidentStatus::Acknowledged);
    m.acknowledged_by = Set(Some(p.user_id));
    m.acknowledged_at = Set(Some(now()));
    m.updated_at = Set(now());
    let row = m.update(&txn).await?;
    changed(
        &txn,
        p,
        &row,
        &c,
        "electronic_monitoring.incident.acknowledge",
        event_type("electronic_monitoring.incident_acknowledged"),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Close an incident without a violation (EXPLAINED or FALSE_ALARM), with a note.
pub async fn close(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    outcome: IncidentOutcome,
    note: &str,
) -> ApiResult<incident::Model> {
    if !matches!(outcome, IncidentOutcome::Explained | IncidentOutcome::FalseAlarm) {
        return Err(ApiError::bad_input(
            "input.outcome",
            "close with EXPLAINED or FALSE_ALARM; confirm a violation with confirmIncidentAsViolation",
        ));
    }
    let note = hamkor_api::validate::required("input.note", note, 2_000)?;
    let txn = write_txn(db).await?;
    let (row, c) = load(&txn, p, id, CaseAccess::Full).await?;
    if row.status == IncidentStatus::Closed {
        return Err(transition(row.status, IncidentStatus::Closed));
    }
    let mut m: incident::ActiveModel = row.into();
    m.status = Set(IncidentStatus::Closed);
    m.outcome = Set(Some(outcome));
    m.note = Set(Some(note));
    m.closed_by = Set(Some(p.user_id));
    m.closed_at = Set(Some(now()));
    m.updated_at = Set(now());
    let row = m.update(&txn).await?;
    changed(
        &txn,
        p,
        &row,
        &c,
        "electronic_monitoring.incident.close",
        event_type("electronic_monitoring.incident_closed"),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// What the officer confirms.
pub struct Confirmation {
    pub kind: ViolationKind,
    pub severity: ViolationSeverity,
    pub description: String,
}

/// The probation officer confirms an incident as a violation: the violation is recorded
/// (with its own audit entry and event) and linked, and the incident closed, in one
/// transaction.
pub async fn confirm_as_violation(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    v: Confirmation,
) -> ApiResult<(incident::Model, i64)> {
    if !matches!(
        v.kind,
        ViolationKind::CurfewBreach | ViolationKind::LeftArea | ViolationKind::EnteredForbiddenArea
    ) {
        return Err(ApiError::bad_input(
            "input.kind",
            "an incident confirms as CURFEW_BREACH, LEFT_AREA or ENTERED_FORBIDDEN_AREA",
        ));
    }
    let txn = write_txn(db).await?;
    let (row, c) = load(&txn, p, id, CaseAccess::Full).await?;
    if row.status == IncidentStatus::Closed {
        return Err(transition(row.status, IncidentStatus::Closed));
    }
    let violation = record_violation_in(
        &txn,
        p,
        c.id,
        NewViolation {
            kind: v.kind,
            severity: v.severity,
            occurred_at: row.first_at,
            description: v.description,
        },
    )
    .await?;
    let mut m: incident::ActiveModel = row.into();
    m.status = Set(IncidentStatus::Closed);
    m.outcome = Set(Some(IncidentOutcome::ConfirmedViolation));
    m.violation_id = Set(Some(violation.id));
    m.closed_by = Set(Some(p.user_id));
    m.closed_at = Set(Some(now()));
    m.updated_at = Set(now());
    let row = m.update(&txn).await?;
    changed(
        &txn,
        p,
        &row,
        &c,
        "electronic_monitoring.incident.confirm",
        event_type("electronic_monitoring.incident_closed"),
    )
    .await?;
    txn.commit().await?;
    Ok((row, violation.id))
}
