//! The organisations that deliver psychological support, and what their active
//! practitioners offer: where an agency can refer.

use std::collections::{BTreeSet, HashMap};

use hamkor_api::error::ApiResult;
use hamkor_api::module::entity::organisation_module;
use hamkor_api::organisation::entity as organisation;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::practitioners::{language_code, tag_code, tags_of};
use super::with_rows;
use crate::entity::{Specialism, TagKind, practitioner, practitioner_tag};

/// An organisation that delivers the module, with what it offers.
pub struct Provider {
    pub organisation: organisation::Model,
    pub offer: Offer,
}

/// What a provider offers: its active practitioners' number, specialisms and languages.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    pub practitioners: usize,
    pub specialisms: BTreeSet<String>,
    pub languages: BTreeSet<String>,
}

/// Organisations that deliver the module: enabled for it, active, and with at least one
/// active practitioner (with the specialism and language asked for), oldest first.
pub async fn list(
    db: &DatabaseConnection,
    specialism: Option<Specialism>,
    language: Option<&str>,
    page: Page,
) -> ApiResult<Paged<Provider>> {
    let mut staff = Query::select()
        .column(practitioner::Column::OrganisationId)
        .from(practitioner::Entity)
        .and_where(practitioner::Column::Active.eq(true))
        .to_owned();
    for (kind, code) in [
        (TagKind::Specialism, specialism.map(tag_code)),
        (
            TagKind::Language,
            language
                .map(|l| language_code("filter.language", l))
                .transpose()?,
        ),
    ] {
        if let Some(code) = code {
            staff.and_where(
                practitioner::Column::Id.in_subquery(
                    Query::select()
                        .column(practitioner_tag::Column::PractitionerId)
                        .from(practitioner_tag::Entity)
                        .and_where(practitioner_tag::Column::TagKind.eq(kind))
                        .and_where(practitioner_tag::Column::Code.eq(code))
                        .to_owned(),
                ),
            );
        }
    }
    let enabled = Query::select()
        .column(organisation_module::Column::OrganisationId)
        .from(organisation_module::Entity)
        .and_where(organisation_module::Column::ModuleId.eq(crate::ID))
        .and_where(organisation_module::Column::Enabled.eq(true))
        .to_owned();
    let cond = Condition::all()
        .add(organisation::Column::Active.eq(true))
        .add(organisation::Column::Id.in_subquery(enabled))
        .add(organisation::Column::Id.in_subquery(staff));
    let paged = paginate(
        db,
        organisation::Entity::find().filter(cond),
        organisation::Column::Id,
        page,
        Order::Ascending,
    )
    .await?;
    let ids: Vec<i64> = paged.rows.iter().map(|o| o.id).collect();
    let mut offers = offers_of(db, &ids).await?;
    let rows = paged
        .rows
        .iter()
        .map(|o| Provider {
            offer: offers.remove(&o.id).unwrap_or_default(),
            organisation: o.clone(),
        })
        .collect();
    Ok(with_rows(paged, rows))
}

/// The offers of many organisations, from their active practitioners (two queries).
async fn offers_of<C: ConnectionTrait>(db: &C, organisation_ids: &[i64]) -> ApiResult<HashMap<i64, Offer>> {
    let mut out: HashMap<i64, Offer> = HashMap::new();
    if organisation_ids.is_empty() {
        return Ok(out);
    }
    let active = practitioner::Entity::find()
        .filter(practitioner::Column::OrganisationId.is_in(organisation_ids.iter().copied()))
        .filter(practitioner::Column::Active.eq(true))
        .all(db)
        .await?;
    for pr in &active {
        out.entry(pr.organisation_id).or_default().practitioners += 1;
    }
    let ids: Vec<i64> = active.iter().map(|pr| pr.id).collect();
    for tags in tags_of(db, &ids).await?.into_values() {
        for t in tags {
            let offer = out.entry(t.organisation_id).or_default();
            match t.tag_kind {
                TagKind::Specialism => offer.specialisms.insert(t.code),
                TagKind::Language => offer.languages.insert(t.code),
            };
        }
    }
    Ok(out)
}
