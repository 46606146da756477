//! Which parts of a case each level of access shows: the field rule of `Case`.
//!
//! Everyone who may see a case at all ([`CaseAccess::Community`] and up: a mahalla
//! seven member of the case's mahalla) sees the person's name, birth date and address,
//! the case's kind, status and sentence dates, its conditions, its rehabilitation plan
//! and the notes marked MAHALLA. A mahalla member cannot see the sentence details (the
//! court, its decision date, the article of the Criminal Code), the risk level and
//! assessments, the status history, appointments, violations, referrals, alerts or the
//! person's PINFL: those are the supervising agencies' ([`CaseAccess::Supervise`] and
//! up). What the person reports through their own app is the lead officer's alone
//! ([`CaseAccess::Full`]). Notes are read by their visibility ([`CaseAccess::max_note_visibility`]).
//!
//! The resolvers of `Case` (and of the records reached through it) ask this rule; a
//! part it refuses answers FORBIDDEN, while the rest of the case is still returned.

use super::CaseAccess;
use crate::error::{ApiError, ApiResult};

/// A part of a case that not everyone who sees the case may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseField {
    /// The court that passed the sentence.
    CourtName,
    /// The date of the court's decision.
    CourtDecisionDate,
    /// The article of the Criminal Code.
    CriminalCodeArticle,
    /// The current risk level.
    RiskLevel,
    /// Risk assessments (each read is audited).
    RiskAssessments,
    /// The case's status changes.
    StatusHistory,
    /// Appointments and check-ins.
    Appointments,
    /// Violations and the responses to them.
    Violations,
    /// Referrals to partner organisations.
    Referrals,
    /// Early-warning alerts.
    Alerts,
    /// The person's personal identification number.
    PersonPinfl,
    /// Electronic monitoring: the fitted device, incidents and positions (positions are
    /// never in events; each read of them is audited), and the zones of the conditions
    /// (a home zone is an address; an exclusion zone may be drawn around a victim's).
    Monitoring,
    /// The learned model's attention score and its reasons (each read audited; never in
    /// an event, a sync record or an export).
    Attention,
    /// What the supervised person reports through their own app (remote check-ins: the
    /// answers, wellbeing, support needs, callbacks, the device's location and the
    /// photo): the lead probation officer's alone, like notes kept to the probation
    /// service.
    SelfReports,
}

impl CaseField {
    /// The least access to the case that shows this part.
    pub const fn needs(self) -> CaseAccess {
        match self {
            Self::CourtName
            | Self::CourtDecisionDate
            | Self::CriminalCodeArticle
            | Self::RiskLevel
            | Self::RiskAssessments
            | Self::StatusHistory
            | Self::Appointments
            | Self::Violations
            | Self::Referrals
            | Self::Alerts
            | Self::PersonPinfl
            | Self::Monitoring
            | Self::Attention => CaseAccess::Supervise,
            Self::SelfReports => CaseAccess::Full,
        }
    }

    /// Whether `access` shows this part.
    pub fn shown_at(self, access: CaseAccess) -> bool {
        access >= self.needs()
    }
}

/// Refuse (FORBIDDEN) a part of a case that `access` does not show.
pub fn require_field(access: CaseAccess, field: CaseField) -> ApiResult<()> {
    if field.shown_at(access) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mahalla_member_cannot_see_sentence_details_or_risk() {
        for field in [
            CaseField::CourtName,
            CaseField::CourtDecisionDate,
            CaseField::CriminalCodeArticle,
            CaseField::RiskLevel,
            CaseField::Violations,
        ] {
            assert!(!field.shown_at(CaseAccess::Community), "{field:?}");
            assert_eq!(
                require_field(CaseAccess::Community, field)
                    .expect_err("refused")
                    .code(),
                "FORBIDDEN"
            );
        }
    }

    #[test]
    fn the_supervising_agencies_see_every_part() {
        for access in [CaseAccess::Supervise, CaseAccess::Full] {
            assert!(require_field(access, CaseField::RiskAssessments).is_ok());
            assert!(require_field(access, CaseField::PersonPinfl).is_ok());
        }
    }

    #[test]
    fn only_the_lead_officer_sees_what_the_person_reports() {
        assert!(CaseField::SelfReports.shown_at(CaseAccess::Full));
        for access in [CaseAccess::Community, CaseAccess::Supervise] {
            assert!(!CaseField::SelfReports.shown_at(access), "{access:?}");
        }
    }
}
