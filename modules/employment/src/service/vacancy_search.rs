//! Finding vacancies: the list anyone who uses the module searches, and the vacancy an
//! organisation keeps under its own reference.

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::kit::external_id;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::territory::resolve::Place;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::{VacancyStatus, vacancy};

/// What a vacancy search looks for.
#[derive(Debug, Clone, Default)]
pub struct VacancyFilter {
    /// Default: OPEN.
    pub statuses: Vec<VacancyStatus>,
    /// In this region, district or mahalla.
    pub place: Option<Place>,
    /// An ISCO code prefix (see [`occupation_prefix`]).
    pub occupation: Option<String>,
    pub employer_id: Option<i64>,
    /// Published by the caller's organisation.
    pub mine: bool,
}

/// An ISCO-08 code prefix as a filter takes it: one to four digits (`field` names the
/// input).
pub fn occupation_prefix(o: Option<String>, field: &str) -> ApiResult<Option<String>> {
    match o {
        Some(code) if code.is_empty() || code.len() > 4 || !code.bytes().all(|b| b.is_ascii_digit()) => Err(
            ApiError::bad_input(field, "one to four digits of an ISCO-08 code"),
        ),
        other => Ok(other),
    }
}

/// Vacancies whose workplace lies in `place`.
fn in_place(place: &Place) -> Condition {
    use vacancy::Column as V;
    match (place.mahalla_id, place.district_id, place.region_id) {
        (Some(m), _, _) => Condition::all().add(V::MahallaId.eq(m)),
        (None, Some(d), _) => Condition::all().add(V::DistrictId.eq(d)),
        (None, None, Some(r)) => Condition::all().add(V::RegionId.eq(r)),
        (None, None, None) => Condition::all(),
    }
}

/// Vacancies, newest first (anyone whose organisation uses the module sees them all).
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: VacancyFilter,
    page: Page,
) -> ApiResult<Paged<vacancy::Model>> {
    let statuses = if f.statuses.is_empty() {
        vec![VacancyStatus::Open]
    } else {
        f.statuses
    };
    let mut q = vacancy::Entity::find().filter(vacancy::Column::Status.is_in(statuses));
    if let Some(place) = &f.place {
        q = q.filter(in_place(place));
    }
    if let Some(code) = f.occupation {
        q = q.filter(vacancy::Column::OccupationCode.starts_with(code));
    }
    if let Some(id) = f.employer_id {
        q = q.filter(vacancy::Column::EmployerId.eq(id));
    }
    if f.mine {
        q = q.filter(vacancy::Column::OrganisationId.eq(p.organisation_id));
    }
    paginate(db, q, vacancy::Column::Id, page, Order::Descending).await
}

/// The vacancy the caller's organisation published under its own reference.
pub async fn by_external_id(
    db: &DatabaseConnection,
    p: &Principal,
    external_id: &str,
) -> ApiResult<Option<vacancy::Model>> {
    external_id::find::<vacancy::Entity>(db, p, Condition::all(), external_id).await
}
