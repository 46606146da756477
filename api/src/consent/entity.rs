//! The `consents` table and its enumerations.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A part of a person's record that a consent lets a partner see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Enum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DataScope {
    /// Name, year of birth, sex.
    Identity,
    /// Phone number and mahalla of residence.
    Contact,
    /// Sentence dates and the court-ordered conditions (curfew, travel restrictions).
    SentenceConditions,
    /// Goals of the rehabilitation plan.
    RehabilitationPlan,
}

/// Why a consent was withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum ConsentWithdrawalReason {
    /// The person asked for it.
    PersonRequest,
    /// The consent was recorded in error.
    RecordedInError,
    /// The person's legal representative asked for it.
    RepresentativeRequest,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    /// The organisation the consent names, or else…
    pub organisation_id: Option<i64>,
    /// …every organisation of this kind.
    pub organisation_kind: Option<crate::organisation::entity::OrganisationKind>,
    /// The module whose services the consent covers (`employment`, …).
    pub purpose: String,
    /// A JSON array of [`DataScope`] names.
    #[sea_orm(column_type = "JsonBinary")]
    pub data_scope: Json,
    pub given_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    /// What proves it: a signed form's number, a recording's reference.
    pub evidence: String,
    pub recorded_by: i64,
    pub recorded_by_organisation_id: i64,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_by: Option<i64>,
    pub withdrawal_reason: Option<ConsentWithdrawalReason>,
    pub withdrawal_note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whether the consent is in force at `at`.
    pub fn is_live(&self, at: DateTimeUtc) -> bool {
        self.withdrawn_at.is_none() && self.given_at <= at && self.expires_at.is_none_or(|e| e > at)
    }

    /// The data the consent lets a partner see.
    pub fn scopes(&self) -> Vec<DataScope> {
        serde_json::from_value(self.data_scope.clone()).unwrap_or_default()
    }

    /// Whether the consent names `organisation` (by id or by kind).
    pub fn covers_organisation(
        &self,
        organisation_id: i64,
        kind: crate::organisation::entity::OrganisationKind,
    ) -> bool {
        self.organisation_id == Some(organisation_id) || self.organisation_kind == Some(kind)
    }
}
