//! The offline-sync benchmark (`hamkor-bench --sync`): an inspector's first pull from
//! nothing, an incremental pull after 1% of their records changed, and a push of 200
//! offline changes, each through the assembled schema as the inspector's phone. The
//! inspector is one made for the benchmark, whose territory is enough mahallas to hold
//! about 300 cases (the figure): the seeded inspectors each cover a whole
//! district, and on the national seed none of those holds fewer than about 970.

// The benchmark reports on the terminal.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use async_graphql::{Request, Variables};
use hamkor_api::auth::principal::Principal;
use hamkor_api::loaders::Loaders;
use hamkor_api::state::AppState;
use hamkor_api::user::entity::{Role, UserKind, user, user_role, user_territory};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Statement, TransactionTrait,
};
use serde_json::{Value, json};

use crate::HamkorSchema;

const PULL: &str = "mutation($d: ID!, $a: String) { sync { pull(deviceId: $d, after: $a, first: 1000) {
    wipe cursor hasMore records { kind id data } tombstones { kind id } } } }";
const PUSH: &str = "mutation($d: ID!, $c: [SyncChangeInput!]!) { sync { push(deviceId: $d, changes: $c) {
    changeId status error { code } } } }";

async fn run(
    schema: &HamkorSchema,
    st: &AppState,
    who: &Principal,
    query: &str,
    vars: Value,
) -> anyhow::Result<Value> {
    let req = Request::new(query)
        .variables(Variables::from_json(vars))
        .data(who.clone())
        .data(who.meta.clone())
        .data(Loaders::new(&st.db));
    let resp = crate::execute(schema, req).await;
    if !resp.errors.is_empty() {
        bail!("{:?}", resp.errors);
    }
    Ok(resp.data.into_json()?)
}

/// Pull every page from `after`: (time, bytes of JSON, records, last cursor).
async fn pull_all(
    schema: &HamkorSchema,
    st: &AppState,
    who: &Principal,
    device: &str,
    mut after: Option<String>,
) -> anyhow::Result<(Duration, usize, usize, String)> {
    let started = Instant::now();
    let (mut bytes, mut records) = (0, 0);
    loop {
        let data = run(schema, st, who, PULL, json!({"d": device, "a": after})).await?;
        bytes += serde_json::to_vec(&data)?.len();
        let page = &data["sync"]["pull"];
        records += page["records"].as_array().map_or(0, Vec::len);
        after = page["cursor"].as_str().map(str::to_owned);
        if page["hasMore"] != true {
            return Ok((started.elapsed(), bytes, records, after.context("cursor")?));
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).copied().map_or(0.0, ms)
}

/// The benchmark's inspector, by user name.
const INSPECTOR: &str = "inspector.sync-bench";

/// The rows of `sql`, each as integers.
async fn rows(st: &AppState, sql: String) -> anyhow::Result<Vec<Vec<i64>>> {
    let rows = st
        .db
        .query_all_raw(Statement::from_string(st.db.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|r| {
            (0..r.column_names().len())
                .map(|i| Ok(r.try_get_by_index::<i64>(i)?))
                .collect()
        })
        .collect()
}

/// The cases inside the benchmark inspector's territory, as an SQL condition on `c`.
fn in_territory(inspector: i64) -> String {
    format!("c.mahalla_id IN (SELECT mahalla_id FROM user_territories WHERE user_id = {inspector})")
}

/// The benchmark's inspector: (user id, mahallas, cases in them). Made on first use in
/// the police unit of the busiest district, with a territory of that district's
/// mahallas (largest caseload first) until they hold at least `cases` cases; on a small
/// seed, where no district holds that many, the region's next busiest districts' follow.
/// Reused as it is on later runs.
pub async fn inspector(st: &AppState, cases: i64) -> anyhow::Result<(i64, u64, i64)> {
    let db = &st.db;
    let id = match user::Entity::find()
        .filter(user::Column::Username.eq(INSPECTOR))
        .one(db)
        .await?
    {
        Some(u) => u.id,
        None => make_inspector(st, cases).await?,
    };
    let mahallas = user_territory::Entity::find()
        .filter(user_territory::Column::UserId.eq(id))
        .count(db)
        .await?;
    let held = rows(
        st,
        format!("SELECT COUNT(*) FROM cases c WHERE {}", in_territory(id)),
    )
    .await?;
    Ok((id, mahallas, held[0][0]))
}

async fn make_inspector(st: &AppState, cases: i64) -> anyhow::Result<i64> {
    let busiest = rows(
        st,
        "SELECT district_id, region_id FROM cases GROUP BY district_id, region_id
         ORDER BY COUNT(*) DESC, district_id LIMIT 1"
            .into(),
    )
    .await?;
    let [district, region] = busiest.first().context("no cases")?[..] else {
        bail!("district")
    };
    // (district, mahalla, cases) of the region; the busiest district first, then the
    // others by their caseload, each's mahallas largest first.
    let mut places = rows(
        st,
        format!(
            "SELECT district_id, mahalla_id, COUNT(*) FROM cases WHERE region_id = {region}
             GROUP BY district_id, mahalla_id"
        ),
    )
    .await?;
    let mut per_district = std::collections::HashMap::<i64, i64>::new();
    for p in &places {
        *per_district.entry(p[0]).or_default() += p[2];
    }
    places.sort_by_key(|p| (p[0] != district, -per_district[&p[0]], p[0], -p[2], p[1]));
    let mut chosen = Vec::new();
    let mut held = 0;
    for p in places {
        if held >= cases {
            break;
        }
        held += p[2];
        chosen.push(p[1]);
    }
    let organisation = rows(
        st,
        format!(
            "SELECT organisation_id FROM users WHERE id = (SELECT MIN(inspector_id) FROM cases WHERE district_id = {district})"
        ),
    )
    .await?;
    let organisation = organisation.first().context("the district's inspector")?[0];
    let txn = st.db.begin().await?;
    let now = chrono::Utc::now();
    let made = user::ActiveModel {
        organisation_id: Set(organisation),
        username: Set(INSPECTOR.into()),
        display_name: Set("Sync benchmark inspector".into()),
        kind: Set(UserKind::Person),
        password_hash: Set(None),
        client_id: Set(None),
        client_secret_hash: Set(None),
        previous_secret_hash: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    user_role::ActiveModel {
        user_id: Set(made.id),
        role: Set(Role::PreventionInspector),
    }
    .insert(&txn)
    .await?;
    user_territory::Entity::insert_many(chosen.into_iter().map(|m| user_territory::ActiveModel {
        user_id: Set(made.id),
        region_id: Set(None),
        district_id: Set(None),
        mahalla_id: Set(Some(m)),
        ..Default::default()
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(made.id)
}

/// The ids and versions of the appointments in the inspector's territory, `n` of them.
async fn appointments(st: &AppState, inspector: i64, n: usize) -> anyhow::Result<Vec<(i64, i32)>> {
    let sql = format!(
        "SELECT a.id, a.version FROM appointments a JOIN cases c ON c.id = a.case_id
         WHERE {} ORDER BY a.id LIMIT {n}",
        in_territory(inspector)
    );
    let rows = st
        .db
        .query_all_raw(Statement::from_string(st.db.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index::<i64>(0)?, r.try_get_by_index::<i32>(1)?)))
        .collect()
}

/// Run the sync scenarios as `who` (an inspector) and print their figures.
pub async fn bench(
    schema: &HamkorSchema,
    st: &AppState,
    who: &Principal,
    iterations: usize,
) -> anyhow::Result<()> {
    let key = format!("bench-{}", chrono::Utc::now().timestamp_millis());
    let data = run(
        schema,
        st,
        who,
        "mutation($k: String!) { sync { registerDevice(input: {deviceKey: $k, model: \"bench\", appVersion: \"1\"}) { id } } }",
        json!({"k": key}),
    )
    .await?;
    let device = data["sync"]["registerDevice"]["id"]
        .as_str()
        .context("device")?
        .to_owned();

    let mut first = Vec::new();
    let (mut bytes, mut records, mut cursor) = (0, 0, String::new());
    for _ in 0..iterations.max(1) {
        let (t, b, r, c) = pull_all(schema, st, who, &device, None).await?;
        first.push(t);
        (bytes, records, cursor) = (b, r, c);
    }
    println!(
        "| first pull from nothing ({records} records) | {:.1} ms | {:.2} MB |",
        median(first),
        bytes as f64 / 1e6
    );

    let changed = (records / 100).max(1);
    let mut incremental = Vec::new();
    for i in 0..iterations.max(1) {
        let ids: Vec<String> = appointments(st, who.user_id, changed)
            .await?
            .iter()
            .map(|(id, _)| id.to_string())
            .collect();
        let sql = format!(
            "UPDATE appointments SET version = version + 1, location = 'bench {i}' WHERE id IN ({})",
            ids.join(",")
        );
        st.db
            .execute_raw(Statement::from_string(st.db.get_database_backend(), sql))
            .await?;
        let (t, _, _, c) = pull_all(schema, st, who, &device, Some(cursor.clone())).await?;
        incremental.push(t);
        cursor = c;
    }
    println!(
        "| incremental pull, {changed} records changed (1%) | {:.1} ms | |",
        median(incremental)
    );

    let mut pushes = Vec::new();
    for i in 0..iterations.max(1) {
        let changes: Vec<Value> = appointments(st, who.user_id, 200)
            .await?
            .iter()
            .map(|(id, version)| {
                json!({"changeId": format!("{key}-{i}-{id}"), "kind": "APPOINTMENT",
                    "id": hamkor_api::ids::encode("Appointment", *id), "baseVersion": version,
                    "values": {"location": format!("pushed {i}")}})
            })
            .collect();
        let started = Instant::now();
        let data = run(schema, st, who, PUSH, json!({"d": device, "c": changes})).await?;
        pushes.push(started.elapsed());
        let results = data["sync"]["push"].as_array().context("results")?;
        let refused = results.iter().filter(|r| r["status"] == "REJECTED").count();
        if refused > 0 {
            bail!(
                "{refused} pushed changes refused: {:?}",
                results.iter().find(|r| r["status"] == "REJECTED")
            );
        }
    }
    println!("| push of 200 offline changes | {:.1} ms | |", median(pushes));
    Ok(())
}
