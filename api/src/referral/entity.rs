//! The `referrals` and `referral_transitions` tables and their enumerations.

crate::string_enum! {
    /// Where a referral stands.
    ReferralStatus {
        /// Being prepared by the referring organisation; the partner cannot see it.
        Draft,
        /// Sent; waiting for the partner to accept or decline.
        Sent,
        /// The partner will take the person on.
        Accepted,
        /// The partner will not (see `declineReason`).
        Declined,
        /// The partner is delivering the service.
        InProgress,
        /// The service was delivered.
        Completed,
        /// Stopped before completion (see `cancelReason` or `withdrawalReason`).
        Cancelled,
    }
}

impl ReferralStatus {
    /// A status no transition leaves.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Declined | Self::Completed | Self::Cancelled)
    }
}

crate::string_enum! {
    /// Why the partner declined.
    DeclineReason {
        /// No place, seat or slot free.
        NoCapacity,
        /// The person does not meet the service's criteria.
        NotEligible,
        /// The person lives or is confined outside the area the partner serves.
        OutOfArea,
        /// The person refused the service.
        PersonRefused,
        /// The sentence's conditions (curfew, travel) make the service impossible.
        ConditionsConflict,
        Other,
    }
}

crate::string_enum! {
    /// Why the referring organisation cancelled.
    CancelReason {
        NoLongerNeeded,
        SentInError,
        /// The case was closed or its sentence ended.
        CaseClosed,
        /// Referred elsewhere instead.
        ReferredElsewhere,
        Other,
    }
}

crate::string_enum! {
    /// Why a referral under way was stopped by the person's or the partner's withdrawal.
    WithdrawalReason {
        /// The person stopped taking part.
        PersonWithdrew,
        /// The person withdrew the consent the referral relied on.
        ConsentWithdrawn,
        /// The person could not be reached.
        PersonUnreachable,
        /// The partner can no longer deliver the service.
        PartnerWithdrew,
        Other,
    }
}

crate::string_enum! {
    /// The legal ground for sharing without the person's consent.
    LegalBasis {
        /// A court decision orders the service.
        CourtOrder,
        /// A statute obliges the agencies to share.
        StatutoryDuty,
        /// Needed to protect the person's or another's life or health.
        VitalInterests,
    }
}

pub mod referral {
    use sea_orm::entity::prelude::*;

    use super::{CancelReason, DeclineReason, LegalBasis, ReferralStatus, WithdrawalReason};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "referrals")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub person_id: i64,
        pub module_id: String,
        pub kind: String,
        pub from_organisation_id: i64,
        pub to_organisation_id: i64,
        pub status: ReferralStatus,
        /// Why the person is referred (free text from the referring officer).
        pub summary: String,
        /// The owning module's payload, validated by it.
        #[sea_orm(column_type = "JsonBinary")]
        pub payload: Json,
        /// The partner's own reference for the referral.
        pub external_id: Option<String>,
        pub consent_id: Option<i64>,
        /// The rehabilitation-plan goal the referral serves, if one was named.
        pub plan_goal_id: Option<i64>,
        pub legal_basis: Option<LegalBasis>,
        pub legal_basis_note: Option<String>,
        pub sent_at: Option<DateTimeUtc>,
        pub first_response_due_at: Option<DateTimeUtc>,
        pub responded_at: Option<DateTimeUtc>,
        pub closed_at: Option<DateTimeUtc>,
        pub decline_reason: Option<DeclineReason>,
        pub cancel_reason: Option<CancelReason>,
        pub withdrawal_reason: Option<WithdrawalReason>,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// Waiting for a first response past its deadline.
        pub fn is_overdue(&self, now: DateTimeUtc) -> bool {
            self.status == ReferralStatus::Sent && self.first_response_due_at.is_some_and(|due| due < now)
        }
    }
}

pub mod transition {
    use sea_orm::entity::prelude::*;

    use super::ReferralStatus;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "referral_transitions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub referral_id: i64,
        pub from_status: Option<ReferralStatus>,
        pub to_status: ReferralStatus,
        /// The reason enumeration's name (decline, cancel or withdrawal reason).
        pub reason: Option<String>,
        pub note: Option<String>,
        pub actor_user_id: Option<i64>,
        pub actor_organisation_id: Option<i64>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
