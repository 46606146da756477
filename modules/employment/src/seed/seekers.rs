//! Job-seeker profiles for existing cases, half of them confined to their district.

use hamkor_api::seed::national::{insert, next_id};
use sea_orm::{DatabaseConnection, Value};
use serde_json::json;

use super::{LEVELS, Lcg, TRADES, World, pairs};

/// Profiles (and skills) for the first `count` cases; every other one is confined to
/// its district.
pub(super) async fn profiles(
    db: &DatabaseConnection,
    world: &World,
    rng: &mut Lcg,
    count: usize,
) -> anyhow::Result<()> {
    let World {
        at, admin, districts, ..
    } = world;
    let (at, admin) = (*at, *admin);
    let cases = pairs(
        db,
        &format!(
            "SELECT c.id, p.district_id FROM cases c JOIN persons p ON p.id = c.person_id ORDER BY c.id LIMIT {}",
            count
        ),
    )
    .await?;
    let first_profile = next_id(db, "employment_profiles").await?;
    let mut profile_rows = Vec::with_capacity(cases.len());
    let mut seeker_skills: Vec<Vec<Value>> = Vec::new();
    let mut confined: Vec<Vec<Value>> = Vec::new();
    for (i, (case, district)) in cases.iter().enumerate() {
        let id = first_profile + i as i64;
        let (code, _, skills) = TRADES[rng.below(TRADES.len())];
        let (other, _, more) = TRADES[rng.below(TRADES.len())];
        let mut mine: Vec<&str> = Vec::new();
        for s in skills.iter().chain(more.iter()).take(2 + rng.below(4)) {
            if !mine.contains(s) {
                mine.push(s);
            }
        }
        for s in &mine {
            seeker_skills.push(vec![id.into(), (*s).into(), (1 + rng.below(5) as i32).into()]);
        }
        profile_rows.push(vec![
            id.into(),
            (*case).into(),
            Some(LEVELS[rng.below(LEVELS.len())]).into(),
            "READY".into(),
            json!([code, other]).into(),
            json!(["uz"]).into(),
            json!([]).into(),
            json!([]).into(),
            admin.into(),
            at.into(),
            at.into(),
        ]);
        if i % 2 == 0 {
            let region = districts
                .iter()
                .find(|(d, _)| d == district)
                .map_or(0, |(_, r)| *r);
            confined.push(vec![
                (*case).into(),
                "STAY_WITHIN_AREA".into(),
                region.into(),
                (*district).into(),
                admin.into(),
                at.into(),
            ]);
        }
    }
    insert(
        db,
        "employment_profiles",
        &[
            "id",
            "case_id",
            "education",
            "readiness",
            "desired_occupations",
            "languages",
            "barriers",
            "work_history",
            "updated_by",
            "created_at",
            "updated_at",
        ],
        profile_rows,
    )
    .await?;
    insert(
        db,
        "employment_profile_skills",
        &["profile_id", "skill", "level"],
        seeker_skills,
    )
    .await?;
    insert(
        db,
        "case_conditions",
        &[
            "case_id",
            "kind",
            "region_id",
            "district_id",
            "created_by",
            "created_at",
        ],
        confined,
    )
    .await?;
    Ok(())
}
