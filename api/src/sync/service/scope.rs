//! What a caller's device receives of each kind: exactly what the caller's reads show,
//! because each condition below is the one the read path itself uses (a case list, a
//! case's appointments and notes, the task lists, a programme's activities). Nothing
//! here decides access on its own.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::Value as Json;

use crate::access::{CaseAccess, CaseField, cases_with_access, of_cases, visible_cases};
use crate::auth::principal::Principal;
use crate::case::entity::case;
use crate::error::ApiResult;
use crate::mahalla::entity::{activity, task};
use crate::mahalla::programme::readable_activities;
use crate::mahalla::tasks;
use crate::module::Registry;
use crate::module::service::enabled_for;
use crate::person::entity as person;
use crate::supervision::entity::{appointment, note};
use crate::sync::entity::SyncKind;
use crate::sync::kind::RecordKind;
use crate::sync::records;
use crate::sync::source::SyncSource;

use super::delta::{Against, Delta, delta};

/// The kinds, in the order a pull sends them (cases before what hangs off them).
pub const KINDS: [SyncKind; 5] = [
    SyncKind::Case,
    SyncKind::Appointment,
    SyncKind::CaseNote,
    SyncKind::MahallaTask,
    SyncKind::ProgrammeActivity,
];

/// A kind a pull goes through: one of the core's, or a module's — switched off where
/// the caller's organisation does not have the module enabled (nothing of it is then
/// visible, so what the device holds of it is tombstoned).
pub(super) enum Scope {
    Core(SyncKind),
    Module {
        source: Arc<dyn SyncSource>,
        enabled: bool,
    },
}

impl Scope {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Core(k) => RecordKind::Core(*k),
            Self::Module { source, .. } => RecordKind::Module(source.key().to_owned()),
        }
    }

    /// The ids and versions of every record of the kind the caller may see now.
    pub async fn visible(&self, txn: &DatabaseTransaction, p: &Principal) -> ApiResult<HashMap<i64, i64>> {
        match self {
            Self::Core(k) => visible_ids(txn, p, *k).await,
            Self::Module { enabled: false, .. } => Ok(HashMap::new()),
            Self::Module { source, .. } => Ok(source.versions(txn, p).await?.into_iter().collect()),
        }
    }

    /// What the device has to be sent of the kind, decided in SQL against its shadow;
    /// `None` for the kinds compared in memory ([`Self::visible`] and [`Self::load`]):
    /// cases, whose version is their last change's time, and modules' kinds.
    pub async fn delta(
        &self,
        txn: &DatabaseTransaction,
        p: &Principal,
        at: &Against<'_>,
    ) -> ApiResult<Option<Delta>> {
        Ok(Some(match self {
            Self::Core(SyncKind::Appointment) => {
                let sight = readable_appointments(p);
                let sight = match listed(txn, cases_with_access(p, CaseField::Appointments.needs())).await? {
                    Some(cases) => Condition::all().add(appointment::Column::CaseId.is_in(cases)),
                    None => sight,
                };
                delta::<appointment::Entity>(
                    txn,
                    at,
                    sight,
                    appointment::Column::Id,
                    appointment::Column::Version,
                    |a| (a.id, i64::from(a.version), records::appointment(a)),
                )
                .await?
            }
            Self::Core(SyncKind::CaseNote) => {
                let sight = listed_notes(txn, p).await?.unwrap_or_else(|| readable_notes(p));
                delta::<note::Entity>(txn, at, sight, note::Column::Id, note::Column::Version, |n| {
                    (n.id, i64::from(n.version), records::note(n))
                })
                .await?
            }
            Self::Core(SyncKind::MahallaTask) => {
                delta::<task::Entity>(
                    txn,
                    at,
                    tasks::visible(p),
                    task::Column::Id,
                    task::Column::Version,
                    |t| (t.id, i64::from(t.version), records::task(t)),
                )
                .await?
            }
            Self::Core(SyncKind::ProgrammeActivity) => {
                delta::<activity::Entity>(
                    txn,
                    at,
                    readable_activities(p, None),
                    activity::Column::Id,
                    activity::Column::Version,
                    |a| (a.id, i64::from(a.version), records::activity(a)),
                )
                .await?
            }
            Self::Core(SyncKind::Case | SyncKind::Module) | Self::Module { .. } => return Ok(None),
        }))
    }

    /// The records with these ids the caller may see, as sent: (id, version, data).
    pub async fn load(
        &self,
        txn: &DatabaseTransaction,
        p: &Principal,
        ids: &[i64],
    ) -> ApiResult<Vec<(i64, i64, Json)>> {
        match self {
            Self::Core(k) => load(txn, p, *k, ids).await,
            Self::Module { .. } if ids.is_empty() => Ok(Vec::new()),
            Self::Module { enabled: false, .. } => Ok(Vec::new()),
            Self::Module { source, .. } => source.load(txn, p, ids).await,
        }
    }
}

/// Every kind a pull goes through, in order: the core's, then the modules'.
pub(super) async fn scopes(
    txn: &DatabaseTransaction,
    registry: &Registry,
    p: &Principal,
) -> ApiResult<Vec<Scope>> {
    let mut out: Vec<Scope> = KINDS.iter().map(|k| Scope::Core(*k)).collect();
    let sources = registry.sync_sources();
    if !sources.is_empty() {
        let enabled = enabled_for(txn, registry, p.organisation_id).await?;
        out.extend(sources.into_iter().map(|(m, source)| Scope::Module {
            enabled: enabled.contains(m.id()),
            source,
        }));
    }
    Ok(out)
}

/// The notes a case's `notes` field shows, over every case the caller sees: on a case
/// seen at a level, the visibilities that level reads. The cases seen at a higher level
/// are among those seen at a lower one, so every arm implies the first's case
/// condition; it stands on its own as well, so the planner reaches the notes through
/// their case index instead of reading the whole table to test the arms.
fn readable_notes(p: &Principal) -> Condition {
    let mut any = Condition::any();
    for level in [CaseAccess::Community, CaseAccess::Supervise, CaseAccess::Full] {
        any = any.add(
            Condition::all()
                .add(of_cases(note::Column::CaseId, cases_with_access(p, level)))
                .add(note::Column::Visibility.is_in(level.readable_note_visibilities())),
        );
    }
    Condition::all()
        .add(of_cases(note::Column::CaseId, visible_cases(p)))
        .add(any)
}

/// Most cases a sight condition names by id (see [`listed`]).
const MAX_LISTED_CASES: u64 = 5_000;

/// The ids of the cases `cond` selects, when there are at most [`MAX_LISTED_CASES`].
///
/// The conditions of a kind's sight select cases through a subquery; where a level's
/// notes are OR-ed with another's, PostgreSQL cannot use the case index for a subquery
/// and reads every note. Naming the caller's cases by id (read once, with the same
/// condition, in the same transaction) gives it index scans it can OR together. A
/// wider reader keeps the subquery.
async fn listed(txn: &DatabaseTransaction, cond: Condition) -> ApiResult<Option<Vec<i64>>> {
    let ids: Vec<i64> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(cond)
        .limit(MAX_LISTED_CASES + 1)
        .into_tuple()
        .all(txn)
        .await?;
    Ok((ids.len() as u64 <= MAX_LISTED_CASES).then_some(ids))
}

/// [`readable_notes`] with the cases of each level named by id (see [`listed`]).
async fn listed_notes(txn: &DatabaseTransaction, p: &Principal) -> ApiResult<Option<Condition>> {
    // Every level's cases are among those the caller sees at all (`visible_cases`).
    let mut any = Condition::any().add(crate::access::never());
    for level in [CaseAccess::Community, CaseAccess::Supervise, CaseAccess::Full] {
        let Some(cases) = listed(txn, cases_with_access(p, level)).await? else {
            return Ok(None);
        };
        if cases.is_empty() {
            continue;
        }
        any = any.add(
            Condition::all()
                .add(note::Column::CaseId.is_in(cases))
                .add(note::Column::Visibility.is_in(level.readable_note_visibilities())),
        );
    }
    Ok(Some(any))
}

/// Appointments as `appointments` lists them: on the cases whose appointments the
/// caller's level shows.
fn readable_appointments(p: &Principal) -> Condition {
    Condition::all().add(of_cases(
        appointment::Column::CaseId,
        cases_with_access(p, CaseField::Appointments.needs()),
    ))
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The ids and versions of every record of `kind` the caller may see now.
pub async fn visible_ids<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    kind: SyncKind,
) -> ApiResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = match kind {
        SyncKind::Case => case::Entity::find()
            .select_only()
            .column(case::Column::Id)
            .column(case::Column::UpdatedAt)
            .filter(visible_cases(p))
            .into_tuple::<(i64, DateTime<Utc>)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, at)| (id, millis(at)))
            .collect(),
        SyncKind::Appointment => {
            versions::<appointment::Entity, _>(
                db,
                appointment::Column::Id,
                appointment::Column::Version,
                readable_appointments(p),
            )
            .await?
        }
        SyncKind::CaseNote => {
            versions::<note::Entity, _>(db, note::Column::Id, note::Column::Version, readable_notes(p))
                .await?
        }
        SyncKind::MahallaTask => {
            versions::<task::Entity, _>(db, task::Column::Id, task::Column::Version, tasks::visible(p))
                .await?
        }
        SyncKind::Module => Vec::new(),
        SyncKind::ProgrammeActivity => {
            versions::<activity::Entity, _>(
                db,
                activity::Column::Id,
                activity::Column::Version,
                readable_activities(p, None),
            )
            .await?
        }
    };
    Ok(rows.into_iter().collect())
}

async fn versions<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    id: E::Column,
    version: E::Column,
    cond: Condition,
) -> ApiResult<Vec<(i64, i64)>> {
    Ok(E::find()
        .select_only()
        .column(id)
        .column(version)
        .filter(cond)
        .into_tuple::<(i64, i32)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, v)| (id, i64::from(v)))
        .collect())
}

/// The records of `kind` with these ids that the caller may see, as sent: (id,
/// version, data).
pub(super) async fn load<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    kind: SyncKind,
    ids: &[i64],
) -> ApiResult<Vec<(i64, i64, Json)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = ids.to_vec();
    Ok(match kind {
        SyncKind::Case => {
            let cases = case::Entity::find()
                .filter(visible_cases(p))
                .filter(case::Column::Id.is_in(ids))
                .all(db)
                .await?;
            let people: HashMap<i64, person::Model> = person::Entity::find()
                .filter(person::Column::Id.is_in(cases.iter().map(|c| c.person_id)))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
            cases
                .iter()
                .map(|c| {
                    (
                        c.id,
                        records::case_version(c),
                        records::case(c, people.get(&c.person_id)),
                    )
                })
                .collect()
        }
        SyncKind::Appointment => appointment::Entity::find()
            .filter(readable_appointments(p))
            .filter(appointment::Column::Id.is_in(ids))
            .all(db)
            .await?
            .iter()
            .map(|a| (a.id, i64::from(a.version), records::appointment(a)))
            .collect(),
        SyncKind::CaseNote => note::Entity::find()
            .filter(readable_notes(p))
            .filter(note::Column::Id.is_in(ids))
            .all(db)
            .await?
            .iter()
            .map(|n| (n.id, i64::from(n.version), records::note(n)))
            .collect(),
        SyncKind::MahallaTask => task::Entity::find()
            .filter(tasks::visible(p))
            .filter(task::Column::Id.is_in(ids))
            .all(db)
            .await?
            .iter()
            .map(|t| (t.id, i64::from(t.version), records::task(t)))
            .collect(),
        SyncKind::ProgrammeActivity => activity::Entity::find()
            .filter(readable_activities(p, None))
            .filter(activity::Column::Id.is_in(ids))
            .all(db)
            .await?
            .iter()
            .map(|a| (a.id, i64::from(a.version), records::activity(a)))
            .collect(),
        SyncKind::Module => Vec::new(),
    })
}
