//! The case status machine: PENDING → ACTIVE ⇄ SUSPENDED → COMPLETED | REVOKED.

use chrono::NaiveDate;
use sea_orm::ActiveEnum;

use super::entity::CaseStatus;
use crate::error::{ApiError, ApiResult};

/// Whether the machine has an edge `from → to`.
pub fn allowed(from: CaseStatus, to: CaseStatus) -> bool {
    use CaseStatus::*;
    matches!(
        (from, to),
        (Pending, Active)
            | (Active, Suspended)
            | (Suspended, Active)
            | (Active | Suspended, Completed)
            | (Active | Suspended, Revoked)
    )
}

/// Whether a case in this status is over.
pub fn is_closed(status: CaseStatus) -> bool {
    matches!(status, CaseStatus::Completed | CaseStatus::Revoked)
}

/// Check a requested transition: the edge must exist, and a reason is required to
/// suspend, to revoke, and to complete before the sentence ends.
pub fn check(
    from: CaseStatus,
    to: CaseStatus,
    reason: Option<&str>,
    sentence_end: NaiveDate,
    today: NaiveDate,
) -> ApiResult<()> {
    if !allowed(from, to) {
        return Err(ApiError::InvalidTransition {
            from: from.to_value(),
            to: to.to_value(),
        });
    }
    let needs_reason = match to {
        CaseStatus::Suspended | CaseStatus::Revoked => true,
        CaseStatus::Completed => today < sentence_end,
        CaseStatus::Pending | CaseStatus::Active => false,
    };
    if needs_reason && reason.is_none() {
        return Err(ApiError::bad_input(
            "reason",
            format!("a reason is required to move a case to {}", to.to_value()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn the_documented_edges_are_allowed() {
        use CaseStatus::*;
        for (from, to) in [
            (Pending, Active),
            (Active, Suspended),
            (Suspended, Active),
            (Active, Completed),
            (Active, Revoked),
            (Suspended, Completed),
            (Suspended, Revoked),
        ] {
            assert!(allowed(from, to), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn every_other_edge_is_refused() {
        let allowed_count = CaseStatus::iter()
            .flat_map(|a| CaseStatus::iter().map(move |b| (a, b)))
            .filter(|(a, b)| allowed(*a, *b))
            .count();
        assert_eq!(allowed_count, 7);
        for to in CaseStatus::iter() {
            assert!(!allowed(CaseStatus::Completed, to));
            assert!(!allowed(CaseStatus::Revoked, to));
            assert!(!allowed(to, CaseStatus::Pending));
        }
    }

    #[test]
    fn refused_edges_answer_invalid_transition() {
        let err = check(
            CaseStatus::Pending,
            CaseStatus::Completed,
            None,
            day("2027-01-01"),
            day("2026-01-01"),
        );
        assert!(matches!(err, Err(ApiError::InvalidTransition { .. })));
    }

    #[test]
    fn suspending_needs_a_reason() {
        let end = day("2027-01-01");
        let today = day("2026-01-01");
        assert!(check(CaseStatus::Active, CaseStatus::Suspended, None, end, today).is_err());
        assert!(
            check(
                CaseStatus::Active,
                CaseStatus::Suspended,
                Some("in hospital"),
                end,
                today
            )
            .is_ok()
        );
    }

    #[test]
    fn completing_early_needs_a_reason_but_on_time_does_not() {
        let end = day("2026-06-01");
        assert!(
            check(
                CaseStatus::Active,
                CaseStatus::Completed,
                None,
                end,
                day("2026-05-01")
            )
            .is_err()
        );
        assert!(
            check(
                CaseStatus::Active,
                CaseStatus::Completed,
                None,
                end,
                day("2026-06-01")
            )
            .is_ok()
        );
    }
}
