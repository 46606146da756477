//! Reads of case content that are audited whatever path they take (a list, `node`,
//! `nodes`, a nested field, an event's payload): the resolvers note what they showed in
//! the request's [`ReadLog`], and the request writes one audit record per kind of
//! content read, listing the ids, when it finishes ([`record_reads`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use sea_orm::DbErr;
use serde_json::json;

use super::service::{Entry, record};
use crate::auth::principal::Principal;

/// A kind of case content whose every read is audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReadKind {
    /// The sentence details of a case: court, decision date, article (ids of cases).
    Sentence,
    /// The risk level of a case (ids of cases).
    Risk,
    /// A person's PINFL (ids of people).
    Pinfl,
    /// Electronic-monitoring positions of a case: its last fix or its track (ids of cases).
    Positions,
    /// The learned model's attention score of a case (ids of cases).
    Attention,
}

impl ReadKind {
    /// The audit action of a read of this kind.
    pub const fn action(self) -> &'static str {
        match self {
            Self::Sentence => "case.sentence.read",
            Self::Risk => "case.risk_level.read",
            Self::Pinfl => "person.pinfl.read",
            Self::Positions => "case.positions.read",
            Self::Attention => "case.attention.read",
        }
    }

    const fn target(self) -> &'static str {
        match self {
            Self::Sentence | Self::Risk | Self::Positions | Self::Attention => "Case",
            Self::Pinfl => "Person",
        }
    }
}

/// What one request has read so far.
#[derive(Debug, Default)]
pub struct ReadLog(Mutex<BTreeMap<ReadKind, BTreeSet<i64>>>);

impl ReadLog {
    /// Note that record `id` of `kind` was shown.
    pub fn note(&self, kind: ReadKind, id: i64) {
        let mut reads = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        reads.entry(kind).or_default().insert(id);
    }

    /// The reads noted so far, leaving the log empty.
    pub fn take(&self) -> BTreeMap<ReadKind, BTreeSet<i64>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// Write one audit record per kind of content `p` read, listing the ids (a single
/// record's id is also its target, and its case when it is one).
pub async fn record_reads<C: sea_orm::ConnectionTrait>(
    db: &C,
    p: &Principal,
    reads: BTreeMap<ReadKind, BTreeSet<i64>>,
) -> Result<(), DbErr> {
    for (kind, ids) in reads {
        let mut entry = Entry::new(kind.action()).detail(json!({"ids": ids, "count": ids.len()}));
        if let [id] = ids.iter().copied().collect::<Vec<_>>()[..] {
            entry = entry.target(kind.target(), id);
            if kind.target() == "Case" {
                entry = entry.case(id);
            }
        }
        record(db, p, entry).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_read_twice_is_listed_once() {
        let log = ReadLog::default();
        log.note(ReadKind::Sentence, 3);
        log.note(ReadKind::Sentence, 3);
        log.note(ReadKind::Pinfl, 7);
        let reads = log.take();
        assert_eq!(reads[&ReadKind::Sentence].len(), 1);
        assert_eq!(reads[&ReadKind::Pinfl].len(), 1);
        assert!(log.take().is_empty());
    }
}
