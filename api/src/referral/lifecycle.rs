//! The referral state machine: which step may happen from which status, and by whom.
//!
//! ```text
//! DRAFT ─send─▶ SENT ─accept─▶ ACCEPTED ─start─▶ IN_PROGRESS ─complete─▶ COMPLETED
//!                 └─decline─▶ DECLINED
//! DRAFT, SENT, ACCEPTED, IN_PROGRESS ─cancel (referrer)─▶ CANCELLED
//! SENT, ACCEPTED, IN_PROGRESS ─withdraw (either side)─▶ CANCELLED
//! ```

use super::entity::{CancelReason, DeclineReason, ReferralStatus, WithdrawalReason};
use crate::error::{ApiError, ApiResult};

/// Which side of the referral acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The referring organisation.
    Referrer,
    /// The partner organisation the referral is addressed to.
    Recipient,
    /// The platform itself (a consent was withdrawn, say).
    Platform,
}

/// A step in a referral's life, with its reason where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Send,
    Accept,
    Decline(DeclineReason),
    Start,
    Complete,
    Cancel(CancelReason),
    Withdraw(WithdrawalReason),
}

impl Step {
    /// The reason's enumeration name, as stored with the transition.
    pub fn reason(self) -> Option<String> {
        use async_graphql::{InputType, Value};
        let v = match self {
            Self::Decline(r) => r.to_value(),
            Self::Cancel(r) => r.to_value(),
            Self::Withdraw(r) => r.to_value(),
            _ => return None,
        };
        match v {
            Value::Enum(name) => Some(name.to_string()),
            _ => None,
        }
    }

    /// Whether the reason is `OTHER` (a note is then required).
    pub fn reason_is_other(self) -> bool {
        matches!(
            self,
            Self::Decline(DeclineReason::Other)
                | Self::Cancel(CancelReason::Other)
                | Self::Withdraw(WithdrawalReason::Other)
        )
    }

    fn sides(self) -> &'static [Side] {
        match self {
            Self::Send | Self::Cancel(_) => &[Side::Referrer],
            Self::Accept | Self::Decline(_) | Self::Start | Self::Complete => &[Side::Recipient],
            Self::Withdraw(_) => &[Side::Referrer, Side::Recipient, Side::Platform],
        }
    }
}

/// The status `step` leads to from `from`, when `side` takes it.
pub fn next(from: ReferralStatus, step: Step, side: Side) -> ApiResult<ReferralStatus> {
    use ReferralStatus::*;
    let to = match step {
        Step::Send => Sent,
        Step::Accept => Accepted,
        Step::Decline(_) => Declined,
        Step::Start => InProgress,
        Step::Complete => Completed,
        Step::Cancel(_) | Step::Withdraw(_) => Cancelled,
    };
    let allowed_from: &[ReferralStatus] = match step {
        Step::Send => &[Draft],
        Step::Accept | Step::Decline(_) => &[Sent],
        Step::Start => &[Accepted],
        Step::Complete => &[InProgress],
        Step::Cancel(_) => &[Draft, Sent, Accepted, InProgress],
        Step::Withdraw(_) => &[Sent, Accepted, InProgress],
    };
    if !allowed_from.contains(&from) {
        return Err(ApiError::InvalidTransition {
            from: name(from),
            to: name(to),
        });
    }
    if !step.sides().contains(&side) {
        return Err(ApiError::Forbidden(
            match side {
                Side::Recipient => "only the referring organisation may do this",
                _ => "only the organisation the referral is addressed to may do this",
            }
            .into(),
        ));
    }
    Ok(to)
}

/// The GraphQL name of a status (`IN_PROGRESS`).
pub fn name(s: ReferralStatus) -> String {
    crate::enums::enum_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    const ALL: [ReferralStatus; 7] = [Draft, Sent, Accepted, Declined, InProgress, Completed, Cancelled];

    fn steps() -> Vec<Step> {
        vec![
            Step::Send,
            Step::Accept,
            Step::Decline(DeclineReason::NoCapacity),
            Step::Start,
            Step::Complete,
            Step::Cancel(CancelReason::NoLongerNeeded),
            Step::Withdraw(WithdrawalReason::PersonWithdrew),
        ]
    }

    #[test]
    fn the_happy_path_is_allowed() {
        assert_eq!(next(Draft, Step::Send, Side::Referrer).expect("allowed"), Sent);
        assert_eq!(
            next(Sent, Step::Accept, Side::Recipient).expect("allowed"),
            Accepted
        );
        assert_eq!(
            next(Accepted, Step::Start, Side::Recipient).expect("allowed"),
            InProgress
        );
        assert_eq!(
            next(InProgress, Step::Complete, Side::Recipient).expect("allowed"),
            Completed
        );
    }

    #[test]
    fn final_statuses_allow_no_step() {
        for from in ALL.into_iter().filter(|s| s.is_final()) {
            for step in steps() {
                for side in [Side::Referrer, Side::Recipient, Side::Platform] {
                    let err = next(from, step, side).expect_err("refused");
                    assert_eq!(err.code(), "INVALID_TRANSITION", "{from:?} {step:?}");
                }
            }
        }
    }

    #[test]
    fn each_side_takes_only_its_own_steps() {
        assert_eq!(
            next(Draft, Step::Send, Side::Recipient)
                .expect_err("refused")
                .code(),
            "FORBIDDEN"
        );
        assert_eq!(
            next(Sent, Step::Accept, Side::Referrer)
                .expect_err("refused")
                .code(),
            "FORBIDDEN"
        );
        assert_eq!(
            next(Sent, Step::Cancel(CancelReason::SentInError), Side::Recipient)
                .expect_err("refused")
                .code(),
            "FORBIDDEN"
        );
        assert!(
            next(
                Accepted,
                Step::Withdraw(WithdrawalReason::ConsentWithdrawn),
                Side::Platform
            )
            .is_ok()
        );
    }

    #[test]
    fn a_draft_cannot_be_accepted_or_withdrawn() {
        assert_eq!(
            next(Draft, Step::Accept, Side::Recipient)
                .expect_err("refused")
                .code(),
            "INVALID_TRANSITION"
        );
        assert_eq!(
            next(Draft, Step::Withdraw(WithdrawalReason::Other), Side::Referrer)
                .expect_err("refused")
                .code(),
            "INVALID_TRANSITION"
        );
    }

    #[test]
    fn reasons_are_stored_by_their_graphql_names() {
        assert_eq!(
            Step::Decline(DeclineReason::OutOfArea).reason().as_deref(),
            Some("OUT_OF_AREA")
        );
        assert_eq!(Step::Start.reason(), None);
        assert_eq!(name(InProgress), "IN_PROGRESS");
    }
}
