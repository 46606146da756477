//! The demo's territory: the city of Samarqand and six of its mahallas.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{DEMO_DISTRICT_SOATO, MAHALLAS, err};
use crate::auth::principal::Principal;
use crate::state::AppState;
use crate::territory::entity::{district, mahalla};
use crate::territory::resolve::Place;

/// The demo district and its mahallas (created when missing).
pub(super) struct Territory {
    pub district: district::Model,
    pub mahallas: Vec<mahalla::Model>,
}

impl Territory {
    /// The whole district.
    pub fn in_district(&self) -> Place {
        Place {
            region_id: Some(self.district.region_id),
            district_id: Some(self.district.id),
            mahalla_id: None,
        }
    }

    /// The `i`-th demo mahalla.
    pub fn mahalla(&self, i: usize) -> Place {
        Place {
            region_id: Some(self.district.region_id),
            district_id: Some(self.district.id),
            mahalla_id: Some(self.mahallas[i].id),
        }
    }
}

/// Find the demo district in the classifier and its mahallas, creating those missing.
pub(super) async fn load(st: &AppState, admin: &Principal) -> anyhow::Result<Territory> {
    let db = &st.db;
    let district = district::Entity::find()
        .filter(district::Column::Soato.eq(DEMO_DISTRICT_SOATO))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the classifier lacks district {DEMO_DISTRICT_SOATO}"))?;
    let mut mahallas = Vec::new();
    for name in MAHALLAS {
        let existing = mahalla::Entity::find()
            .filter(mahalla::Column::DistrictId.eq(district.id))
            .filter(mahalla::Column::Name.eq(name))
            .one(db)
            .await?;
        let m = match existing {
            Some(m) => m,
            None => crate::territory::service::create_mahalla(db, admin, district.id, name, None)
                .await
                .map_err(err)?,
        };
        mahallas.push(m);
    }
    Ok(Territory { district, mahallas })
}
