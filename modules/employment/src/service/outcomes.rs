//! What employment referrals achieved, per organisation or per district, counted in the
//! database over the referrals the caller may see.

use chrono::{Duration, NaiveDate};
use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::referral::entity::referral;
use hamkor_api::referral::service::visible_referrals;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::ID;

/// Most rows an outcome table has (organisations or districts).
pub const MAX_ROWS: u64 = 1_000;

/// How outcome rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The organisation working the referrals.
    Organisation,
    /// The district of the case.
    District,
}

/// One row: the distinct people referred in the period, of them those with an
/// application (matched), those hired, and those still employed at the 90-day check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub key: i64,
    pub referred: i64,
    pub matched: i64,
    pub hired: i64,
    pub employed_at_90_days: i64,
}

fn count_people_where(exists: &str) -> SimpleExpr {
    Expr::cust(format!(
        "COUNT(DISTINCT CASE WHEN EXISTS ({exists}) THEN referrals.person_id END)"
    ))
}

/// Outcomes of the employment referrals sent from `from` to `until` (inclusive).
pub async fn outcomes(
    db: &DatabaseConnection,
    p: &Principal,
    from: NaiveDate,
    until: NaiveDate,
    group: GroupBy,
) -> ApiResult<Vec<Outcome>> {
    if until < from {
        return Err(ApiError::bad_input("until", "must not be before from"));
    }
    if until - from > Duration::days(3_660) {
        return Err(ApiError::bad_input("until", "a period of at most ten years"));
    }
    let key = match group {
        GroupBy::Organisation => Expr::cust("referrals.to_organisation_id"),
        GroupBy::District => Expr::cust("(SELECT c.district_id FROM cases c WHERE c.id = referrals.case_id)"),
    };
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = (until + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let rows: Vec<(i64, i64, i64, i64, i64)> = referral::Entity::find()
        .filter(visible_referrals(p))
        .filter(referral::Column::ModuleId.eq(ID))
        .filter(referral::Column::SentAt.gte(start))
        .filter(referral::Column::SentAt.lt(end))
        .select_only()
        .column_as(key.clone(), "k")
        .column_as(Expr::cust("COUNT(DISTINCT referrals.person_id)"), "referred")
        .column_as(
            count_people_where("SELECT 1 FROM employment_applications a WHERE a.referral_id = referrals.id"),
            "matched",
        )
        .column_as(
            count_people_where(
                "SELECT 1 FROM employment_applications a WHERE a.referral_id = referrals.id AND a.status = 'HIRED'",
            ),
            "hired",
        )
        .column_as(
            count_people_where(
                "SELECT 1 FROM employment_retention_checks rc JOIN employment_applications a ON a.id = rc.application_id \
                 WHERE a.referral_id = referrals.id AND rc.day = 90 AND rc.outcome = 'EMPLOYED'",
            ),
            "retained",
        )
        .group_by(key)
        .limit(MAX_ROWS)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<Outcome> = rows
        .into_iter()
        .map(|(key, referred, matched, hired, employed_at_90_days)| Outcome {
            key,
            referred,
            matched,
            hired,
            employed_at_90_days,
        })
        .collect();
    out.sort_by_key(|o| o.key);
    Ok(out)
}
