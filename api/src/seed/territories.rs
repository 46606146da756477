//! The national territorial classifier (regions and districts with SOATO codes), embedded
//! from `api/data/uz-territories.csv`.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::db::{now, write_txn};
use crate::territory::entity::{DistrictKind, district, region};

const CSV: &str = include_str!("../../data/uz-territories.csv");

/// One line of the classifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifierRow {
    pub is_region: bool,
    pub soato: String,
    pub parent_soato: Option<String>,
    pub name_uz: String,
    pub name_ru: String,
    pub name_en: String,
    pub district_kind: Option<DistrictKind>,
}

/// Parse the embedded classifier.
pub fn classifier() -> anyhow::Result<Vec<ClassifierRow>> {
    let mut out = Vec::new();
    for (n, line) in CSV.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        let [level, soato, parent, uz, ru, en, kind] = cols.as_slice() else {
            anyhow::bail!("classifier line {}: expected 7 columns", n + 1);
        };
        let district_kind = match *kind {
            "Region" => None,
            "District" => Some(DistrictKind::District),
            "District-level city" => Some(DistrictKind::City),
            "City district" => Some(DistrictKind::CityDistrict),
            other => anyhow::bail!("classifier line {}: unknown kind {other}", n + 1),
        };
        out.push(ClassifierRow {
            is_region: *level == "region",
            soato: (*soato).to_owned(),
            parent_soato: (!parent.is_empty()).then(|| (*parent).to_owned()),
            name_uz: (*uz).to_owned(),
            name_ru: (*ru).to_owned(),
            name_en: (*en).to_owned(),
            district_kind,
        });
    }
    Ok(out)
}

/// Counts of what a load added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub regions: usize,
    pub districts: usize,
}

/// Load every region and district that is not there yet (matched by SOATO code).
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<Loaded> {
    let rows = classifier()?;
    let txn = write_txn(db).await?;
    let mut loaded = Loaded::default();
    let at = now();
    let mut region_ids: HashMap<String, i64> = region::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.soato, r.id))
        .collect();
    for r in rows.iter().filter(|r| r.is_region) {
        if region_ids.contains_key(&r.soato) {
            continue;
        }
        let res = region::Entity::insert(region::ActiveModel {
            soato: Set(r.soato.clone()),
            name_uz: Set(r.name_uz.clone()),
            name_ru: Set(Some(r.name_ru.clone())),
            name_en: Set(Some(r.name_en.clone())),
            created_at: Set(at),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        region_ids.insert(r.soato.clone(), res.last_insert_id);
        loaded.regions += 1;
    }
    for d in rows.iter().filter(|r| !r.is_region) {
        let exists = district::Entity::find()
            .filter(district::Column::Soato.eq(d.soato.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let parent = d.parent_soato.as_deref().unwrap_or_default();
        let Some(region_id) = region_ids.get(parent) else {
            anyhow::bail!("district {} names an unknown region {parent}", d.soato);
        };
        district::Entity::insert(district::ActiveModel {
            region_id: Set(*region_id),
            soato: Set(d.soato.clone()),
            kind: Set(d.district_kind.unwrap_or(DistrictKind::District)),
            name_uz: Set(d.name_uz.clone()),
            name_ru: Set(Some(d.name_ru.clone())),
            name_en: Set(Some(d.name_en.clone())),
            created_at: Set(at),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        loaded.districts += 1;
    }
    txn.commit().await?;
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::classifier;

    #[test]
    fn the_classifier_has_14_regions_and_205_districts() {
        let rows = classifier().expect("parses");
        assert_eq!(rows.iter().filter(|r| r.is_region).count(), 14);
        assert_eq!(rows.iter().filter(|r| !r.is_region).count(), 205);
        assert!(
            rows.iter()
                .filter(|r| !r.is_region)
                .all(|d| d.parent_soato.as_deref().is_some_and(|p| d.soato.starts_with(p)))
        );
    }
}
