//! The `risk_assessments` table: one row per assessment, the newest not `superseded`.

use sea_orm::entity::prelude::*;

use super::instrument::OffenceType;
use crate::case::entity::RiskLevel;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub instrument_version: String,
    pub age_at_first_offence: i32,
    pub prior_convictions: i32,
    pub offence_type: OffenceType,
    pub need_employment: i32,
    pub need_education: i32,
    pub need_housing: i32,
    pub need_family_support: i32,
    pub need_peers: i32,
    pub need_substance_use: i32,
    pub need_attitudes: i32,
    pub need_mental_health: i32,
    pub static_score: i32,
    pub dynamic_score: i32,
    pub total: i32,
    /// The level the cut-offs give.
    pub computed_level: RiskLevel,
    /// The level in force: the computed one, or the officer's override.
    pub level: RiskLevel,
    pub override_reason: Option<String>,
    pub overridden_by: Option<i64>,
    pub overridden_at: Option<DateTimeUtc>,
    pub reassessment_due: Date,
    /// The assessment this one replaced.
    pub previous_id: Option<i64>,
    /// Replaced by a later assessment.
    pub superseded: bool,
    pub assessed_by: i64,
    pub assessed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The answers recorded, as the instrument takes them.
    pub fn answers(&self) -> super::instrument::Answers {
        super::instrument::Answers {
            age_at_first_offence: self.age_at_first_offence,
            prior_convictions: self.prior_convictions,
            offence_type: self.offence_type,
            needs: [
                self.need_employment,
                self.need_education,
                self.need_housing,
                self.need_family_support,
                self.need_peers,
                self.need_substance_use,
                self.need_attitudes,
                self.need_mental_health,
            ],
        }
    }
}
