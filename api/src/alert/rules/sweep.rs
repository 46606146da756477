//! The time-based rules, evaluated by the periodic sweep.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Firing;
use super::Swept;
use crate::alert::entity::{ActingRole, AlertSeverity};
use crate::case::entity::{CaseStatus, case};
use crate::module::BoxFuture;
use crate::referral::entity::{ReferralStatus, referral};
use crate::risk::entity as assessment;

/// Most candidates one sweep rule looks at per sweep (the rest wait for the next one).
const SWEEP_BATCH: u64 = 500;

pub(super) fn reassessment_overdue(db: &DatabaseTransaction, now: DateTime<Utc>) -> BoxFuture<'_, Swept> {
    Box::pin(async move {
        let today = now.date_naive();
        let rows = assessment::Entity::find()
            .filter(assessment::Column::Superseded.eq(false))
            .filter(assessment::Column::ReassessmentDue.lt(today))
            .filter(
                assessment::Column::CaseId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(case::Column::Id)
                        .from(case::Entity)
                        .and_where(case::Column::Status.eq(CaseStatus::Active))
                        .to_owned(),
                ),
            )
            .filter(not_alerted(
                "reassessment_overdue",
                Expr::col((assessment::Entity, assessment::Column::Id)),
            ))
            .order_by_asc(assessment::Column::ReassessmentDue)
            .limit(SWEEP_BATCH)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                (
                    a.case_id,
                    Firing::new(
                        format!("reassessment_overdue:{}:{}", a.case_id, a.id),
                        AlertSeverity::Medium,
                        format!("risk reassessment was due on {}", a.reassessment_due),
                        ActingRole::ProbationOfficer,
                    )
                    .about(a.id),
                )
            })
            .collect())
    })
}

pub(super) fn referral_sla(db: &DatabaseTransaction, now: DateTime<Utc>) -> BoxFuture<'_, Swept> {
    Box::pin(async move {
        let rows = referral::Entity::find()
            .filter(referral::Column::Status.eq(ReferralStatus::Sent))
            .filter(referral::Column::FirstResponseDueAt.lt(now))
            .filter(not_alerted(
                "referral_sla",
                Expr::col((referral::Entity, referral::Column::Id)),
            ))
            .order_by_asc(referral::Column::FirstResponseDueAt)
            .limit(SWEEP_BATCH)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.case_id,
                    Firing::new(
                        format!("referral_sla:{}:{}", r.case_id, r.id),
                        AlertSeverity::Medium,
                        "a referral has had no answer past its response deadline",
                        ActingRole::ProbationOfficer,
                    )
                    .about(r.id),
                )
            })
            .collect())
    })
}

/// `NOT EXISTS` an alert of `rule` about the record whose id is `id`: the sweep's
/// candidates shrink as it fires, so a batch never stays stuck on records already alerted.
pub(super) fn not_alerted(rule: &'static str, id: Expr) -> Expr {
    use crate::alert::entity::alert;
    use sea_orm::sea_query::ExprTrait;
    Expr::exists(
        sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .from(alert::Entity)
            .and_where(Expr::col((alert::Entity, alert::Column::Rule)).eq(rule))
            .and_where(Expr::col((alert::Entity, alert::Column::SubjectId)).eq(id))
            .to_owned(),
    )
    .not()
}
