//! The catalogue as an Open Referral HSDS (3.0) shaped directory: services with their
//! organisation, location, schedules, languages and costs, so that NGOs can load
//! Hamkor's programmes into their own directories without a mapping of their own.

use std::collections::HashMap;

use chrono::NaiveTime;
use hamkor_api::error::ApiResult;
use hamkor_api::ids;
use hamkor_api::loaders::HasId;
use hamkor_api::organisation::entity as organisation;
use hamkor_api::pagination::{Page, encode_cursor};
use hamkor_api::territory::entity::{district, mahalla, region};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value as Json, json};

use super::catalogue::{self, ProgrammeFilter};
use crate::entity::{enum_name, intake, programme};
use crate::fit::hours;

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// RFC 5545 BYDAY of a day mask (`MO,WE,FR`).
pub fn byday(days: i32) -> String {
    DAYS.iter()
        .enumerate()
        .filter(|(i, _)| days & (1 << i) != 0)
        .map(|(_, d)| *d)
        .collect::<Vec<_>>()
        .join(",")
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// One page of the catalogue (programmes matching `f`, oldest first) as an Open
/// Referral HSDS 3.0 page of services (`contents`); `next_cursor` (with
/// `last_page: false`) fetches the next page.
pub async fn page(db: &DatabaseConnection, f: &ProgrammeFilter, page: Page) -> ApiResult<Json> {
    let paged = catalogue::list(db, f, page).await?;
    let contents = services(db, &paged.rows).await?;
    let next = paged
        .has_next
        .then(|| paged.rows.last().map(|r| encode_cursor(r.id)))
        .flatten();
    Ok(json!({
        "size": contents.len(),
        "first_page": page.after.is_none(),
        "last_page": !paged.has_next,
        "empty": contents.is_empty(),
        "next_cursor": next,
        "contents": contents,
    }))
}

/// The rows of `E` with `ids`, by id.
async fn by_id<E: HasId>(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i64>,
) -> ApiResult<HashMap<i64, E::Model>> {
    Ok(E::find()
        .filter(E::id_column().is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (E::id_of(&m), m))
        .collect())
}

/// The HSDS `service` objects of `rows` (one page), with their intakes from today on.
pub async fn services(db: &DatabaseConnection, rows: &[programme::Model]) -> ApiResult<Vec<Json>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let today = hamkor_api::db::now().date_naive();
    let mut intakes: HashMap<i64, Vec<intake::Model>> = HashMap::new();
    for i in intake::Entity::find()
        .filter(intake::Column::ProgrammeId.is_in(rows.iter().map(|r| r.id)))
        .filter(intake::Column::StartsOn.gte(today))
        .order_by_asc(intake::Column::StartsOn)
        .all(db)
        .await?
    {
        intakes.entry(i.programme_id).or_default().push(i);
    }
    let orgs = by_id::<organisation::Entity>(db, rows.iter().map(|p| p.organisation_id)).await?;
    let regions = by_id::<region::Entity>(db, rows.iter().filter_map(|p| p.region_id)).await?;
    let districts = by_id::<district::Entity>(db, rows.iter().filter_map(|p| p.district_id)).await?;
    let mahallas = by_id::<mahalla::Entity>(db, rows.iter().filter_map(|p| p.mahalla_id)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let id = ids::encode("EducationProgramme", p.id).to_string();
        let org = orgs.get(&p.organisation_id).cloned();
        let region = p.region_id.and_then(|r| regions.get(&r));
        let district = p.district_id.and_then(|d| districts.get(&d));
        let mahalla = p.mahalla_id.and_then(|m| mahallas.get(&m));
        let location = if p.remote {
            json!({
                "id": format!("{id}-location"),
                "location_type": "virtual",
                "name": "Remote",
                "addresses": [],
            })
        } else {
            json!({
                "id": format!("{id}-location"),
                "location_type": "physical",
                "name": mahalla.map(|m| m.name.clone()).or_else(|| district.map(|d| d.name_uz.clone())),
                "addresses": [{
                    "id": format!("{id}-address"),
                    "address_type": "physical",
                    "address_1": p.address.clone().unwrap_or_default(),
                    "city": district.map(|d| d.name_uz.clone()),
                    "region": mahalla.map(|m| m.name.clone()),
                    "state_province": region.map(|r| r.name_uz.clone()),
                    "country": "UZ",
                }],
            })
        };
        let timed = hours(p);
        let schedules: Vec<Json> = intakes
            .get(&p.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|i| {
                json!({
                    "id": ids::encode("EducationIntake", i.id).to_string(),
                    "service_id": id,
                    "freq": timed.map(|_| "WEEKLY"),
                    "byday": timed.map(|_| byday(p.days)),
                    "opens_at": timed.map(|h| hhmm(h.0)),
                    "closes_at": timed.map(|h| hhmm(h.1)),
                    "valid_from": i.starts_on,
                    "valid_to": i.ends_on,
                    "dtstart": i.starts_on,
                    "description": format!(
                        "Intake starting {}; {} of {} seats free",
                        i.starts_on,
                        (i.seats - i.seats_taken).max(0),
                        i.seats
                    ),
                })
            })
            .collect();
        let mut eligibility = Vec::new();
        if let Some(level) = p.min_education {
            eligibility.push(format!("completed education: {} or above", enum_name(level)));
        }
        out.push(json!({
            "id": id,
            "organization": org.map(|o| json!({
                "id": ids::encode("Organisation", o.id).to_string(),
                "name": o.name,
            })),
            "name": p.title,
            "alternate_name": p.subject,
            "description": p.description,
            "status": if p.active { "active" } else { "inactive" },
            "eligibility_description": (!eligibility.is_empty()).then(|| eligibility.join("; ")),
            "minimum_age": p.min_age,
            "maximum_age": p.max_age,
            "languages": [{"id": format!("{id}-language"), "code": p.language}],
            "cost_options": [{
                "id": format!("{id}-cost"),
                "currency": "UZS",
                "amount": p.cost_uzs,
                "option": if p.cost_uzs == 0 { "Free" } else { "Fee" },
            }],
            "service_areas": [],
            "attributes": [{
                "id": format!("{id}-kind"),
                "taxonomy_term": {"id": enum_name(p.kind), "code": enum_name(p.kind), "name": enum_name(p.kind), "taxonomy": "hamkor-education-kind"},
            }],
            "program": {"id": format!("{id}-program"), "name": p.subject},
            "accreditations": p.certificate,
            "schedules": schedules,
            "service_at_locations": [{
                "id": format!("{id}-at-location"),
                "location": location,
            }],
        }));
    }
    Ok(out)
}
