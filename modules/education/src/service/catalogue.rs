//! Finding programmes and intakes: the catalogue, and the search for a person.

use chrono::NaiveDate;
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::pagination::{Order, Page, Paged, TotalCount, paginate};
use hamkor_api::territory::resolve::Place;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{ProgrammeKind, intake, programme};
use crate::fit::{Applicant, programme_fits};

/// Filters of the catalogue and of the search for a case.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeFilter {
    pub kind: Option<ProgrammeKind>,
    pub language: Option<String>,
    pub provider_id: Option<i64>,
    /// Programmes in this place (any level) — remote ones too unless `exclude_remote`.
    pub place: Option<Place>,
    pub exclude_remote: bool,
    /// Closed programmes too (their provider's view).
    pub include_inactive: bool,
}

fn programme_condition(f: &ProgrammeFilter) -> Condition {
    use programme::Column as P;
    let mut c = Condition::all();
    if !f.include_inactive {
        c = c.add(P::Active.eq(true));
    }
    if let Some(k) = f.kind {
        c = c.add(P::Kind.eq(k));
    }
    if let Some(l) = &f.language {
        c = c.add(P::Language.eq(l.trim().to_ascii_lowercase()));
    }
    if let Some(o) = f.provider_id {
        c = c.add(P::OrganisationId.eq(o));
    }
    if let Some(place) = &f.place {
        let located = match (place.mahalla_id, place.district_id, place.region_id) {
            (Some(m), _, _) => Condition::all().add(P::MahallaId.eq(m)),
            (None, Some(d), _) => Condition::all().add(P::DistrictId.eq(d)),
            (None, None, Some(r)) => Condition::all().add(P::RegionId.eq(r)),
            (None, None, None) => Condition::all(),
        };
        c = c.add(if f.exclude_remote {
            located
        } else {
            Condition::any().add(located).add(P::Remote.eq(true))
        });
    } else if f.exclude_remote {
        c = c.add(P::Remote.eq(false));
    }
    c
}

/// The catalogue, oldest first.
pub async fn list(
    db: &DatabaseConnection,
    f: &ProgrammeFilter,
    page: Page,
) -> ApiResult<Paged<programme::Model>> {
    let q = programme::Entity::find().filter(programme_condition(f));
    paginate(db, q, programme::Column::Id, page, Order::Ascending).await
}

/// What an intake search looks for.
#[derive(Debug, Clone, Default)]
pub struct IntakeFilter {
    pub programme: ProgrammeFilter,
    /// Starting on or after (default: today; an earlier day lists running intakes).
    pub starts_from: Option<NaiveDate>,
    pub starts_until: Option<NaiveDate>,
    pub with_seats_only: bool,
}

/// Upcoming intakes matching `f` (and fitting `fits_for`, when given), soonest first,
/// keyed by (start date, id).
pub async fn intakes(
    db: &DatabaseConnection,
    f: &IntakeFilter,
    fits_for: Option<&Applicant>,
    page: Page,
) -> ApiResult<Paged<intake::Model>> {
    use intake::Column as I;
    let today = now().date_naive();
    let mut programmes = programme_condition(&f.programme);
    if let Some(who) = fits_for {
        programmes = programmes.add(programme_fits(who, today));
    }
    let mut sub = Query::select();
    sub.column(programme::Column::Id)
        .from(programme::Entity)
        .cond_where(programmes);
    let mut q = intake::Entity::find()
        .filter(I::ProgrammeId.in_subquery(sub))
        .filter(I::StartsOn.gte(f.starts_from.unwrap_or(today)));
    if let Some(until) = f.starts_until {
        q = q.filter(I::StartsOn.lte(until));
    }
    if f.with_seats_only {
        q = q.filter(Expr::col(I::SeatsTaken).lt(Expr::col(I::Seats)));
    }
    let total = TotalCount::of(db, q.clone());
    if let Some(after) = page.after {
        let Some(cursor) = intake::Entity::find_by_id(after).one(db).await? else {
            return Err(ApiError::bad_input("after", "not a valid cursor"));
        };
        q = q.filter(
            Condition::any().add(I::StartsOn.gt(cursor.starts_on)).add(
                Condition::all()
                    .add(I::StartsOn.eq(cursor.starts_on))
                    .add(I::Id.gt(cursor.id)),
            ),
        );
    }
    let mut rows = q
        .order_by_asc(I::StartsOn)
        .order_by_asc(I::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok(Paged {
        rows,
        has_next,
        page,
        total,
    })
}
