//! A programme at a glance: activities by kind and status, overdue ones, cases reached
//! and participants, counted in the database for a page of programmes at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::mahalla::entity::{ActivityKind, ActivityStatus, activity, activity_case};

/// Counts of one kind of activity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindProgress {
    pub kind: Option<ActivityKind>,
    pub planned: i64,
    pub done: i64,
    pub cancelled: i64,
    /// Still planned with their date passed.
    pub overdue: i64,
}

/// A programme at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: KindProgress,
    pub by_kind: Vec<KindProgress>,
    /// Distinct cases named by activities done.
    pub cases_reached: i64,
    /// Participants counted at activities done.
    pub participants: i64,
}

impl Progress {
    /// The position of `kind` in `by_kind`, added when missing.
    fn kind_index(&mut self, kind: ActivityKind) -> usize {
        match self.by_kind.iter().position(|k| k.kind == Some(kind)) {
            Some(i) => i,
            None => {
                self.by_kind.push(KindProgress {
                    kind: Some(kind),
                    ..Default::default()
                });
                self.by_kind.len() - 1
            }
        }
    }

    /// Count `n` activities of `kind` in `status` (with `people` participants).
    fn count(&mut self, kind: ActivityKind, status: ActivityStatus, n: i64, people: Option<i64>) {
        let i = self.kind_index(kind);
        let (k, t) = (&mut self.by_kind[i], &mut self.total);
        match status {
            ActivityStatus::Planned => {
                k.planned += n;
                t.planned += n;
            }
            ActivityStatus::Done => {
                k.done += n;
                t.done += n;
                self.participants += people.unwrap_or(0);
            }
            ActivityStatus::Cancelled => {
                k.cancelled += n;
                t.cancelled += n;
            }
        }
    }

    /// Count `n` overdue activities of `kind`.
    fn count_overdue(&mut self, kind: ActivityKind, n: i64) {
        let i = self.kind_index(kind);
        self.by_kind[i].overdue += n;
        self.total.overdue += n;
    }
}

/// Progress of programmes on `today`, counted in the database: three grouped queries
/// for any number of programmes (the programme loader batches a page of them).
pub async fn progress_of<C: ConnectionTrait>(
    db: &C,
    programme_ids: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, Progress>, sea_orm::DbErr> {
    let mut out: HashMap<i64, Progress> = programme_ids
        .iter()
        .map(|id| (*id, Progress::default()))
        .collect();
    for (programme, kind, status, n, people) in counts(db, programme_ids).await? {
        out.entry(programme).or_default().count(kind, status, n, people);
    }
    for (programme, kind, n) in overdue(db, programme_ids, today).await? {
        out.entry(programme).or_default().count_overdue(kind, n);
    }
    for (programme, n) in reached(db, programme_ids).await? {
        out.entry(programme).or_default().cases_reached = n;
    }
    for p in out.values_mut() {
        p.by_kind.sort_by_key(|k| k.kind.map(|kind| kind as u8));
    }
    Ok(out)
}

/// Activities per programme, kind and status, with their participants.
async fn counts<C: ConnectionTrait>(
    db: &C,
    programme_ids: &[i64],
) -> Result<Vec<(i64, ActivityKind, ActivityStatus, i64, Option<i64>)>, sea_orm::DbErr> {
    use activity::Column as A;
    activity::Entity::find()
        .select_only()
        .column(A::ProgrammeId)
        .column(A::Kind)
        .column(A::Status)
        .column_as(Expr::col(A::Id).count(), "n")
        .column_as(Expr::col(A::Participants).sum(), "people")
        .filter(A::ProgrammeId.is_in(programme_ids.iter().copied()))
        .group_by(A::ProgrammeId)
        .group_by(A::Kind)
        .group_by(A::Status)
        .into_tuple()
        .all(db)
        .await
}

/// Activities per programme and kind still planned with their date before `today`.
async fn overdue<C: ConnectionTrait>(
    db: &C,
    programme_ids: &[i64],
    today: NaiveDate,
) -> Result<Vec<(i64, ActivityKind, i64)>, sea_orm::DbErr> {
    use activity::Column as A;
    activity::Entity::find()
        .select_only()
        .column(A::ProgrammeId)
        .column(A::Kind)
        .column_as(Expr::col(A::Id).count(), "n")
        .filter(A::ProgrammeId.is_in(programme_ids.iter().copied()))
        .filter(A::Status.eq(ActivityStatus::Planned))
        .filter(A::PlannedOn.lt(today))
        .group_by(A::ProgrammeId)
        .group_by(A::Kind)
        .into_tuple()
        .all(db)
        .await
}

/// Distinct cases per programme named by activities done.
async fn reached<C: ConnectionTrait>(
    db: &C,
    programme_ids: &[i64],
) -> Result<Vec<(i64, i64)>, sea_orm::DbErr> {
    use activity::Column as A;
    activity_case::Entity::find()
        .select_only()
        .column_as(Expr::col((activity::Entity, A::ProgrammeId)), "programme_id")
        .column_as(
            Expr::col((activity_case::Entity, activity_case::Column::CaseId)).count_distinct(),
            "n",
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            activity_case::Entity::belongs_to(activity::Entity)
                .from(activity_case::Column::ActivityId)
                .to(A::Id)
                .into(),
        )
        .filter(Expr::col((activity::Entity, A::ProgrammeId)).is_in(programme_ids.iter().copied()))
        .filter(Expr::col((activity::Entity, A::Status)).eq(ActivityStatus::Done))
        .group_by(Expr::col((activity::Entity, A::ProgrammeId)))
        .into_tuple()
        .all(db)
        .await
}
