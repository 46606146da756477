//! Open vacancies ranked for a case's person: ranked in the database by the SQL form of
//! the matching rules, each result then explained factor by factor.

use std::collections::HashMap;

use hamkor_api::auth::principal::Principal;
use hamkor_api::consent::entity::DataScope;
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::Registry;
use hamkor_api::pagination::{Page, Paged, TotalCount};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Statement,
};

use super::profiles::{case_for_seeker, seeker};
use super::weights;
use crate::entity::{vacancy, vacancy_skill};
use crate::matching::{Assessment, VacancySearch, assess, ranked_sql};

/// Deepest a ranked list may be paged.
pub const MAX_RANK_OFFSET: i64 = 1_000;

/// A vacancy ranked for one person, with the reasons.
pub struct VacancyMatch {
    pub vacancy: vacancy::Model,
    /// Its skills, oldest first.
    pub skills: Vec<vacancy_skill::Model>,
    pub judged: Assessment,
    /// The score of a perfect match (the sum of the weights).
    pub max: u32,
}

/// Where a page of a ranked list starts: lists are ranked afresh on every call, so a
/// cursor is a position, at most [`MAX_RANK_OFFSET`] deep.
pub fn rank_offset(page: &Page) -> ApiResult<u64> {
    let offset = page.after.map_or(0, |a| a + 1);
    if !(0..=MAX_RANK_OFFSET).contains(&offset) {
        return Err(ApiError::bad_input(
            "after",
            format!("ranked lists go {MAX_RANK_OFFSET} deep"),
        ));
    }
    Ok(offset as u64)
}

/// A page of a ranked list, each row keyed by its position (its cursor).
pub fn ranked<T>(
    rows: Vec<T>,
    offset: u64,
    has_next: bool,
    page: Page,
    total: TotalCount,
) -> Paged<(i64, T)> {
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, n)| (offset as i64 + i as i64, n))
        .collect();
    Paged {
        rows,
        has_next,
        page,
        total,
    }
}

/// Open vacancies matching `search`, ranked for the person of case `case_id`, best first,
/// with the weights of the caller's organisation: for the agencies supervising the case
/// and the partner working its employment referral (when the person's consent shows it
/// the sentence's conditions).
pub async fn for_case(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    case_id: i64,
    search: VacancySearch,
    page: Page,
) -> ApiResult<Paged<(i64, VacancyMatch)>> {
    let offset = rank_offset(&page)?;
    let c = case_for_seeker(db, p, case_id, DataScope::SentenceConditions).await?;
    let today = now().date_naive();
    let (who, _) = seeker(db, &c, today).await?;
    let w = weights(db, registry, p).await?;
    let backend = db.get_database_backend();
    let sql = ranked_sql(backend, &who, &w, &search, today, page.first + 1, offset);
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            &sql.text,
            sql.values.clone(),
        ))
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get::<i64>("", "id")?);
    }
    let has_next = ids.len() as u64 > page.first;
    ids.truncate(page.first as usize);
    let found: HashMap<i64, vacancy::Model> = vacancy::Entity::find()
        .filter(vacancy::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let mut skills: HashMap<i64, Vec<vacancy_skill::Model>> = HashMap::new();
    for s in vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::VacancyId.is_in(ids.iter().copied()))
        .order_by_asc(vacancy_skill::Column::Id)
        .all(db)
        .await?
    {
        skills.entry(s.vacancy_id).or_default().push(s);
    }
    let out: Vec<VacancyMatch> = ids
        .iter()
        .filter_map(|id| found.get(id))
        .map(|v| {
            let skills = skills.remove(&v.id).unwrap_or_default();
            VacancyMatch {
                judged: assess(&who, v, &skills, &w),
                vacancy: v.clone(),
                skills,
                max: w.total(),
            }
        })
        .collect();
    let db = db.clone();
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({}) ranked", sql.base);
    let values = sql.values;
    let total = TotalCount::deferred(move || {
        let db = db.clone();
        let stmt = Statement::from_sql_and_values(backend, &count_sql, values.clone());
        Box::pin(async move {
            let row = db.query_one_raw(stmt).await?;
            Ok(row.map_or(Ok(0), |r| r.try_get::<i64>("", "n"))? as u64)
        })
    });
    Ok(ranked(out, offset, has_next, page, total))
}
