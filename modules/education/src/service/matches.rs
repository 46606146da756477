//! Intakes for a case's person, each with whether it fits them and why not.

use std::collections::HashMap;

use hamkor_api::access::CaseAccess;
use hamkor_api::access::partner::partner_referral;
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::case;
use hamkor_api::case::service as cases;
use hamkor_api::consent::entity::DataScope;
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::pagination::{Page, Paged};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::catalogue::{self, IntakeFilter};
use super::enrolment::applicant_for;
use crate::entity::{EducationLevel, intake, programme};
use crate::fit::{FitIssue, assess};
use crate::{EducationReferral, ID};

/// An intake, and whether it fits the person it was searched for.
pub struct ProgrammeMatch {
    pub intake: intake::Model,
    pub programme: programme::Model,
    /// Every reason it does not fit (none: it fits).
    pub issues: Vec<FitIssue>,
}

/// Upcoming intakes matching `f` for the person of case `case_id`, soonest first, each
/// with what keeps the person from it (with `fits_only`, only those that fit and have a
/// seat). The person's education is `prior_education`, or else the one their referral
/// records. For the agencies supervising the case, and for a provider working an
/// education referral of it that may see the sentence's conditions.
pub async fn for_case(
    db: &DatabaseConnection,
    p: &Principal,
    case_id: i64,
    prior_education: Option<EducationLevel>,
    mut f: IntakeFilter,
    fits_only: bool,
    page: Page,
) -> ApiResult<Paged<ProgrammeMatch>> {
    let (c, referral) = match cases::get_for(db, p, case_id, CaseAccess::Supervise).await {
        Ok((c, _)) => (c, None),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => {
            match partner_referral(db, p, case_id, Some(ID), Some(DataScope::SentenceConditions)).await? {
                Some(r) => {
                    let c = case::Entity::find_by_id(case_id)
                        .one(db)
                        .await?
                        .ok_or(ApiError::NotFound("Case"))?;
                    (c, Some(r))
                }
                None => return Err(ApiError::NotFound("Case")),
            }
        }
        Err(e) => return Err(e),
    };
    let education = prior_education.or_else(|| {
        referral
            .as_ref()
            .and_then(|r| EducationReferral::from_json(&r.payload).prior_education())
    });
    let today = now().date_naive();
    let who = applicant_for(db, &c, education, today).await?;
    if fits_only {
        f.with_seats_only = true;
    }
    let paged = catalogue::intakes(db, &f, fits_only.then_some(&who), page).await?;
    let programmes: HashMap<i64, programme::Model> = programme::Entity::find()
        .filter(programme::Column::Id.is_in(paged.rows.iter().map(|i| i.programme_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut rows = Vec::with_capacity(paged.rows.len());
    for i in paged.rows {
        let Some(prog) = programmes.get(&i.programme_id) else {
            continue;
        };
        let issues = assess(&who, prog, &i, today);
        rows.push(ProgrammeMatch {
            intake: i,
            programme: prog.clone(),
            issues,
        });
    }
    Ok(Paged {
        rows,
        has_next: paged.has_next,
        page: paged.page,
        total: paged.total,
    })
}
