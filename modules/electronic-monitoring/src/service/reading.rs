//! Reading a case's monitoring: for the supervising officer and inspector only (the
//! monitoring part of a case needs supervising access: no mahalla member, no partner,
//! no officer of another district). Positions are read here and nowhere else; the
//! GraphQL layer audits every read of them.

use chrono::{DateTime, Duration, Utc};
use hamkor_api::access::{CaseAccess, CaseField};
use hamkor_api::case::entity::case;
use hamkor_api::case::service::get_for;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{IncidentStatus, activation, dead_letter, incident, position, quarantine};

/// Most points `track` returns (a longer track is thinned evenly, keeping its ends).
pub const MAX_TRACK_POINTS: usize = 2_000;
/// Longest span `track` covers.
pub const MAX_TRACK_DAYS: i64 = 7;
/// Most fixes read to draw one track before thinning.
const MAX_TRACK_READ: u64 = 100_000;

/// The case, if the caller supervises it.
pub async fn case_for(
    db: &DatabaseConnection,
    p: &hamkor_api::auth::principal::Principal,
    case_id: i64,
) -> ApiResult<case::Model> {
    let (c, _) = get_for(
        db,
        p,
        case_id,
        CaseField::Monitoring.needs().max(CaseAccess::Supervise),
    )
    .await?;
    Ok(c)
}

/// The case's activations, the live ones first, then the most recent.
pub async fn activations(db: &DatabaseConnection, case_id: i64) -> ApiResult<Vec<activation::Model>> {
    let mut rows = activation::Entity::find()
        .filter(activation::Column::CaseId.eq(case_id))
        .order_by_desc(activation::Column::FittedAt)
        .limit(50)
        .all(db)
        .await?;
    rows.sort_by_key(|a| a.removed_at.is_some());
    Ok(rows)
}

fn of_case(case_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(activation::Column::Id)
        .from(activation::Entity)
        .and_where(activation::Column::CaseId.eq(case_id))
        .to_owned()
}

/// The latest fix of the case's devices.
pub async fn last_fix(db: &DatabaseConnection, case_id: i64) -> ApiResult<Option<position::Model>> {
    Ok(position::Entity::find()
        .filter(position::Column::ActivationId.in_subquery(of_case(case_id)))
        .order_by_desc(position::Column::FixAt)
        .one(db)
        .await?)
}

/// The case's incidents, newest first, optionally of one status.
pub async fn incidents(
    db: &DatabaseConnection,
    case_id: i64,
    status: Option<IncidentStatus>,
    page: Page,
) -> ApiResult<Paged<incident::Model>> {
    let mut q = incident::Entity::find().filter(incident::Column::CaseId.eq(case_id));
    if let Some(s) = status {
        q = q.filter(incident::Column::Status.eq(s));
    }
    paginate(db, q, incident::Column::Id, page, Order::Descending).await
}

/// The case's fixes from `from` to `to` in time order, thinned evenly to at most
/// [`MAX_TRACK_POINTS`].
pub async fn track(
    db: &DatabaseConnection,
    case_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<position::Model>> {
    if to <= from {
        return Err(ApiError::bad_input("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_TRACK_DAYS) {
        return Err(ApiError::bad_input(
            "to",
            format!("a track covers at most {MAX_TRACK_DAYS} days"),
        ));
    }
    let rows = position::Entity::find()
        .filter(position::Column::ActivationId.in_subquery(of_case(case_id)))
        .filter(position::Column::FixAt.gte(from))
        .filter(position::Column::FixAt.lt(to))
        .order_by_asc(position::Column::FixAt)
        .limit(MAX_TRACK_READ)
        .all(db)
        .await?;
    Ok(thin(rows, MAX_TRACK_POINTS))
}

/// Keep at most `max` of `rows`, evenly spaced, the first and last included.
pub fn thin<T>(rows: Vec<T>, max: usize) -> Vec<T> {
    let n = rows.len();
    if n <= max || max < 2 {
        return rows.into_iter().take(max.max(n.min(max))).collect();
    }
    let keep: std::collections::BTreeSet<usize> = (0..max).map(|i| i * (n - 1) / (max - 1)).collect();
    rows.into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, r)| r)
        .collect()
}

/// Quarantined events, newest first (platform admin).
pub async fn quarantined(
    db: &DatabaseConnection,
    p: &hamkor_api::auth::principal::Principal,
    page: Page,
) -> ApiResult<Paged<quarantine::Model>> {
    if !p.is_platform_admin() {
        return Err(ApiError::forbidden());
    }
    paginate(
        db,
        quarantine::Entity::find(),
        quarantine::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

/// Dead letters, newest first (platform admin).
pub async fn dead_letters(
    db: &DatabaseConnection,
    p: &hamkor_api::auth::principal::Principal,
    page: Page,
) -> ApiResult<Paged<dead_letter::Model>> {
    if !p.is_platform_admin() {
        return Err(ApiError::forbidden());
    }
    paginate(
        db,
        dead_letter::Entity::find(),
        dead_letter::Column::Id,
        page,
        Order::Descending,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::thin;

    #[test]
    fn a_long_track_is_thinned_keeping_its_ends() {
        let t = thin((0..10_000).collect::<Vec<_>>(), 2_000);
        assert_eq!(t.len(), 2_000);
        assert_eq!((t[0], t[1_999]), (0, 9_999));
        assert_eq!(thin(vec![1, 2, 3], 2_000), vec![1, 2, 3]);
    }
}
