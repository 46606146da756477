//! The country's frame: mahallas under every district, and per district a probation
//! service and an internal-affairs unit with one officer and one inspector.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, Value};

use super::{BENCH_PASSWORD, Scale, insert, next_id};
use crate::state::AppState;
use crate::territory::entity::district;

/// Generated mahallas: (mahalla, district, region).
pub(super) type Mahallas = Vec<(i64, i64, i64)>;

/// Write `scale.mahallas_per_district` mahallas under every district; returns them and
/// how many rows were written.
pub(super) async fn mahallas(
    st: &AppState,
    districts: &[district::Model],
    scale: Scale,
    at: DateTime<Utc>,
) -> anyhow::Result<(Mahallas, usize)> {
    let db = &st.db;
    let mut mahalla_id = next_id(db, "mahallas").await?;
    let mut mahallas: Vec<(i64, i64, i64)> = Vec::new(); // (mahalla, district, region)
    let mut rows = Vec::new();
    for d in districts {
        for n in 0..scale.mahallas_per_district {
            rows.push(vec![
                mahalla_id.into(),
                d.id.into(),
                d.region_id.into(),
                format!("{} mahalla {}", d.soato, n + 1).into(),
                Value::String(None),
                at.into(),
            ]);
            mahallas.push((mahalla_id, d.id, d.region_id));
            mahalla_id += 1;
        }
    }
    let written = insert(
        db,
        "mahallas",
        &["id", "district_id", "region_id", "name", "code", "created_at"],
        rows,
    )
    .await?;
    Ok((mahallas, written))
}

/// Write the organisations and staff of every district; returns (district, officer,
/// inspector) per district and the id of the first organisation written (the
/// probation services and internal-affairs units alternate from there).
pub(super) async fn staff(
    st: &AppState,
    districts: &[district::Model],
    at: DateTime<Utc>,
) -> anyhow::Result<(Vec<(i64, i64, i64)>, i64)> {
    let db = &st.db;
    let mut staff = Vec::new();
    let hash = st
        .hasher
        .hash(&secrecy::SecretString::from(BENCH_PASSWORD))
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let mut org_id = next_id(db, "organisations").await?;
    let mut user_id = next_id(db, "users").await?;
    let (mut orgs, mut users, mut roles, mut scopes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for d in districts {
        let (probation, police) = (org_id, org_id + 1);
        org_id += 2;
        for (id, name, kind) in [
            (
                probation,
                format!("Bench probation {}", d.soato),
                "PROBATION_SERVICE",
            ),
            (police, format!("Bench police {}", d.soato), "INTERNAL_AFFAIRS"),
        ] {
            orgs.push(vec![
                id.into(),
                name.into(),
                kind.into(),
                Some(d.region_id).into(),
                Some(d.id).into(),
                Value::BigInt(None),
                true.into(),
                at.into(),
                at.into(),
            ]);
        }
        let (officer, inspector) = (user_id, user_id + 1);
        user_id += 2;
        for (id, org, name, role) in [
            (
                officer,
                probation,
                format!("officer.{}", d.soato),
                "PROBATION_OFFICER",
            ),
            (
                inspector,
                police,
                format!("inspector.{}", d.soato),
                "PREVENTION_INSPECTOR",
            ),
        ] {
            users.push(vec![
                id.into(),
                org.into(),
                name.clone().into(),
                name.into(),
                "PERSON".into(),
                Some(hash.clone()).into(),
                Value::String(None),
                Value::String(None),
                true.into(),
                at.into(),
                at.into(),
            ]);
            roles.push(vec![id.into(), role.into()]);
        }
        scopes.push(vec![
            inspector.into(),
            Value::BigInt(None),
            Some(d.id).into(),
            Value::BigInt(None),
        ]);
        staff.push((d.id, officer, inspector));
    }
    write_staff(&st.db, orgs, users, roles, scopes).await?;
    // Officers and their probation services were numbered in step above.
    let first_org = org_id - 2 * staff.len() as i64;
    Ok((staff, first_org))
}

type Rows = Vec<Vec<Value>>;

/// Write the generated organisations, users, their roles and the inspectors' scopes.
async fn write_staff(
    db: &DatabaseConnection,
    orgs: Rows,
    users: Rows,
    roles: Rows,
    scopes: Rows,
) -> anyhow::Result<()> {
    insert(
        db,
        "organisations",
        &[
            "id",
            "name",
            "kind",
            "region_id",
            "district_id",
            "mahalla_id",
            "active",
            "created_at",
            "updated_at",
        ],
        orgs,
    )
    .await?;
    insert(
        db,
        "users",
        &[
            "id",
            "organisation_id",
            "username",
            "display_name",
            "kind",
            "password_hash",
            "client_id",
            "client_secret_hash",
            "active",
            "created_at",
            "updated_at",
        ],
        users,
    )
    .await?;
    insert(db, "user_roles", &["user_id", "role"], roles).await?;
    insert(
        db,
        "user_territories",
        &["user_id", "region_id", "district_id", "mahalla_id"],
        scopes,
    )
    .await?;
    Ok(())
}
