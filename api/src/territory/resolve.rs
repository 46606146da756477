//! Turning a territory id of any level into the full chain (mahalla → district → region).

use sea_orm::{ConnectionTrait, EntityTrait};

use super::entity::{district, mahalla, region};
use crate::error::{ApiError, ApiResult};
use crate::ids;

/// A place in the territory tree, down to the level that was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
    pub mahalla_id: Option<i64>,
}

impl Place {
    /// Whether `other` lies inside this place (a national place contains everything).
    pub fn contains(&self, other: &Place) -> bool {
        match (self.mahalla_id, self.district_id, self.region_id) {
            (Some(m), _, _) => other.mahalla_id == Some(m),
            (None, Some(d), _) => other.district_id == Some(d),
            (None, None, Some(r)) => other.region_id == Some(r),
            (None, None, None) => true,
        }
    }
}

/// Resolve a global id of a Region, District or Mahalla into its place.
pub async fn place_of<C: ConnectionTrait>(db: &C, id: &async_graphql::ID, field: &str) -> ApiResult<Place> {
    let Some((type_name, num)) = ids::decode(id) else {
        return Err(ApiError::bad_input(field, "not a valid territory id"));
    };
    match type_name.as_str() {
        "Region" => {
            let r = region::Entity::find_by_id(num)
                .one(db)
                .await?
                .ok_or_else(|| ApiError::bad_input(field, "no such region"))?;
            Ok(Place {
                region_id: Some(r.id),
                ..Default::default()
            })
        }
        "District" => {
            let d = district::Entity::find_by_id(num)
                .one(db)
                .await?
                .ok_or_else(|| ApiError::bad_input(field, "no such district"))?;
            Ok(Place {
                region_id: Some(d.region_id),
                district_id: Some(d.id),
                mahalla_id: None,
            })
        }
        "Mahalla" => mahalla_place(db, num, field).await,
        _ => Err(ApiError::bad_input(
            field,
            "must be a Region, District or Mahalla id",
        )),
    }
}

/// The place of a mahalla given by database id.
pub async fn mahalla_place<C: ConnectionTrait>(db: &C, mahalla_id: i64, field: &str) -> ApiResult<Place> {
    let m = mahalla::Entity::find_by_id(mahalla_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input(field, "no such mahalla"))?;
    Ok(Place {
        region_id: Some(m.region_id),
        district_id: Some(m.district_id),
        mahalla_id: Some(m.id),
    })
}

#[cfg(test)]
mod tests {
    use super::Place;

    #[test]
    fn a_district_contains_its_mahallas_but_not_others() {
        let district = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: None,
        };
        let inside = Place {
            region_id: Some(1),
            district_id: Some(10),
            mahalla_id: Some(100),
        };
        let outside = Place {
            region_id: Some(1),
            district_id: Some(11),
            mahalla_id: Some(110),
        };
        assert!(district.contains(&inside));
        assert!(!district.contains(&outside));
        assert!(Place::default().contains(&outside));
    }
}
