//! The people an organisation works employment referrals for, ranked for one of its
//! vacancies (the other direction of matching).

use std::collections::HashMap;

use hamkor_api::access::partner::partner_grant;
use hamkor_api::auth::principal::Principal;
use hamkor_api::case::entity::case;
use hamkor_api::case::restrictions::Restrictions;
use hamkor_api::consent::entity::{self as consent, DataScope};
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::Registry;
use hamkor_api::pagination::{Page, Paged, TotalCount};
use hamkor_api::person::entity as person;
use hamkor_api::referral::entity::{ReferralStatus, referral};
use hamkor_api::territory::resolve::Place;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::matches::{rank_offset, ranked};
use super::profiles::strings;
use super::{PARTNER_ROLES, weights};
use crate::ID;
use crate::entity::{profile, profile_skill, vacancy, vacancy_skill};
use crate::matching::{Assessment, Seeker, assess};

/// Most live referrals of one organisation considered as candidates for a vacancy.
pub const MAX_CANDIDATE_REFERRALS: u64 = 2_000;

/// A person ranked for one vacancy.
pub struct Candidate {
    /// The employment referral through which the caller works with the person.
    pub referral: referral::Model,
    pub profile: Option<profile::Model>,
    pub judged: Assessment,
    /// The score of a perfect match (the sum of the weights).
    pub max: u32,
}

/// People whose employment referral the caller's organisation works (accepted or in
/// progress, one referral per case: the newest whose consent shows it the sentence's
/// conditions), ranked for vacancy `v`: fitting ones first, best score first, then by
/// referral. For the staff working employment referrals.
pub async fn for_vacancy(
    db: &DatabaseConnection,
    registry: &Registry,
    p: &Principal,
    v: &vacancy::Model,
    page: Page,
) -> ApiResult<Paged<(i64, Candidate)>> {
    let offset = rank_offset(&page)?;
    if !p.has_any_role(PARTNER_ROLES) {
        return Err(ApiError::Forbidden(
            "candidates are for the staff working employment referrals".into(),
        ));
    }
    let live = referral::Entity::find()
        .filter(referral::Column::ModuleId.eq(ID))
        .filter(referral::Column::ToOrganisationId.eq(p.organisation_id))
        .filter(referral::Column::Status.is_in([ReferralStatus::Accepted, ReferralStatus::InProgress]))
        .order_by_desc(referral::Column::Id)
        .limit(MAX_CANDIDATE_REFERRALS)
        .all(db)
        .await?;
    let consent_ids: Vec<i64> = live.iter().filter_map(|r| r.consent_id).collect();
    let consents: HashMap<i64, consent::Model> = consent::Entity::find()
        .filter(consent::Column::Id.is_in(consent_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    // One referral per case: the newest whose consent shows the sentence's conditions.
    let mut chosen: HashMap<i64, referral::Model> = HashMap::new();
    for r in live {
        let c = r.consent_id.and_then(|id| consents.get(&id));
        if partner_grant(&r, c).is_some_and(|s| s.contains(&DataScope::SentenceConditions)) {
            chosen.entry(r.case_id).or_insert(r);
        }
    }
    let case_ids: Vec<i64> = chosen.keys().copied().collect();
    let seekers = seekers(db, &case_ids).await?;
    let v_skills = vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::VacancyId.eq(v.id))
        .all(db)
        .await?;
    let w = weights(db, registry, p).await?;
    let mut ranked_rows: Vec<Candidate> = Vec::with_capacity(chosen.len());
    for (case_id, r) in chosen {
        let Some((seeker, prof)) = seekers.get(&case_id) else {
            continue;
        };
        ranked_rows.push(Candidate {
            judged: assess(seeker, v, &v_skills, &w),
            referral: r,
            profile: prof.clone(),
            max: w.total(),
        });
    }
    ranked_rows.sort_by(|a, b| {
        a.judged
            .conflicts
            .is_empty()
            .cmp(&b.judged.conflicts.is_empty())
            .reverse()
            .then(b.judged.score.total_cmp(&a.judged.score))
            .then(a.referral.id.cmp(&b.referral.id))
    });
    let total_n = ranked_rows.len() as u64;
    let rows: Vec<Candidate> = ranked_rows
        .into_iter()
        .skip(offset as usize)
        .take(page.first as usize + 1)
        .collect();
    let has_next = rows.len() as u64 > page.first;
    let rows: Vec<Candidate> = rows.into_iter().take(page.first as usize).collect();
    let total = TotalCount::deferred(move || Box::pin(async move { Ok(total_n) }));
    Ok(ranked(rows, offset, has_next, page, total))
}

/// The seekers (and profiles) of many cases, in five queries: their cases, people,
/// profiles, profile skills and restrictions. A case that is gone is left out.
async fn seekers(
    db: &DatabaseConnection,
    case_ids: &[i64],
) -> ApiResult<HashMap<i64, (Seeker, Option<profile::Model>)>> {
    let today = now().date_naive();
    let cases: HashMap<i64, case::Model> = case::Entity::find()
        .filter(case::Column::Id.is_in(case_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let people: HashMap<i64, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(cases.values().map(|c| c.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.id, x))
        .collect();
    let profiles: HashMap<i64, profile::Model> = profile::Entity::find()
        .filter(profile::Column::CaseId.is_in(case_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.case_id, x))
        .collect();
    let mut skills: HashMap<i64, Vec<String>> = HashMap::new();
    for s in profile_skill::Entity::find()
        .filter(profile_skill::Column::ProfileId.is_in(profiles.values().map(|x| x.id)))
        .all(db)
        .await?
    {
        skills.entry(s.profile_id).or_default().push(s.skill);
    }
    let restrictions = Restrictions::of_cases(db, case_ids, today).await?;
    let mut out = HashMap::with_capacity(cases.len());
    for (case_id, c) in &cases {
        let Some(who) = people.get(&c.person_id) else {
            continue;
        };
        let prof = profiles.get(case_id);
        let seeker = Seeker {
            skills: prof
                .and_then(|x| skills.get(&x.id))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            education: prof.and_then(|x| x.education),
            desired: prof.map(|x| strings(&x.desired_occupations)).unwrap_or_default(),
            home: Place {
                region_id: Some(who.region_id),
                district_id: Some(who.district_id),
                mahalla_id: Some(who.mahalla_id),
            },
            restrictions: restrictions.get(case_id).cloned().unwrap_or_default(),
        };
        out.insert(*case_id, (seeker, prof.cloned()));
    }
    Ok(out)
}
