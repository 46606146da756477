//! A small, realistic demo: one district of Samarqand with its mahallas, an organisation
//! of each kind, a user of each role, people and cases in every state with their
//! supervision records and a rehabilitation plan. Everything goes through the services,
//! so the demo is validated, audited and evented like real work.
//!
//! By area: `places.rs` (the district and its mahallas), `agencies.rs` (organisations
//! and their people), `cases.rs` (people and cases), `records.rs` (supervision records),
//! `plan.rs` (a rehabilitation plan), `seven.rs` (the mahalla's seven and programme).

mod agencies;
mod cases;
mod places;
mod plan;
mod records;
mod seven;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use self::agencies::Agencies;
use crate::auth::principal::{Principal, RequestMeta};
use crate::auth::service::{Via, load_principal};
use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;
use crate::user::entity::{Role, user};

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "hamkor-demo-2026";
/// SOATO code of the demo district (the city of Samarqand).
const DEMO_DISTRICT_SOATO: &str = "1718401";
const MAHALLAS: [&str; 6] = [
    "Registon",
    "Bog'ishamol",
    "Ulug'bek",
    "Siyob",
    "Temur Malik",
    "Afrosiyob",
];

/// A demo account.
pub struct DemoUser {
    pub username: &'static str,
    pub role: Role,
    pub organisation: &'static str,
}

/// What the demo load did.
pub enum DemoOutcome {
    AlreadyLoaded,
    Loaded(Vec<DemoUser>),
}

fn err(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
    }
}

async fn as_task(st: &AppState, user_id: i64) -> anyhow::Result<Principal> {
    let meta = RequestMeta {
        request_id: String::new(),
        client: Some("seed".to_owned()),
        address: "local".to_owned(),
        device: None,
    };
    load_principal(&st.db, user_id, Via::LocalTask, meta)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow::anyhow!("bad date"))
}

/// Load the demo (territories first). Does nothing when it is already there.
pub async fn load(st: &AppState) -> anyhow::Result<DemoOutcome> {
    let db = &st.db;
    if user::Entity::find()
        .filter(user::Column::Username.eq("officer.samarqand"))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(DemoOutcome::AlreadyLoaded);
    }
    super::territories::load(db).await?;
    let admin_row = user::Entity::find()
        .filter(user::Column::Username.eq(crate::bootstrap::ADMIN_USERNAME))
        .one(db)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!("run the server once (or `hamkor migrate`) to create the admin first")
        })?;
    let admin = as_task(st, admin_row.id).await?;

    let territory = places::load(st, &admin).await?;
    let agencies = agencies::organisations(st, &admin, &territory).await?;
    let staff = agencies::accounts(st, &admin, &agencies, &territory).await?;
    let today = now().date_naive();
    let active_cases = cases::open(st, &staff, &territory, today).await?;
    let first_case = *active_cases
        .first()
        .ok_or_else(|| anyhow::anyhow!("no active demo case"))?;
    records::record(db, &staff, first_case).await?;
    plan::draw_up(db, &staff, &agencies, first_case, today).await?;
    seven::seat_the_seven(
        db,
        &admin,
        territory.mahallas[0].id,
        staff.chair.user_id,
        staff.inspector.user_id,
        today,
    )
    .await?;
    enable_modules(st, &admin, &agencies).await?;
    for m in st.modules.all() {
        m.seed_demo(st)
            .await
            .map_err(|e| e.context(format!("the demo of module {}", m.id())))?;
    }
    Ok(DemoOutcome::Loaded(demo_users()))
}

/// Every compiled-in module, switched on for the demo's agencies and partners.
async fn enable_modules(st: &AppState, admin: &Principal, a: &Agencies) -> anyhow::Result<()> {
    let db = &st.db;
    // So that each can be tried at once (an organisation admin switches it off again).
    let compiled: Vec<&'static str> = st.modules.all().map(|m| m.id()).collect();
    for organisation in [a.probation, a.police, a.jobs, a.health, a.college, a.ngo] {
        for module in &compiled {
            crate::module::service::configure(db, &st.modules, admin, Some(organisation), module, true, None)
                .await
                .map_err(err)?;
        }
    }

    Ok(())
}

/// The demo accounts to show whoever loaded it.
fn demo_users() -> Vec<DemoUser> {
    vec![
        DemoUser {
            username: "officer.samarqand",
            role: Role::ProbationOfficer,
            organisation: "probation service",
        },
        DemoUser {
            username: "orgadmin.samarqand",
            role: Role::OrgAdmin,
            organisation: "probation service",
        },
        DemoUser {
            username: "inspector.registon",
            role: Role::PreventionInspector,
            organisation: "internal affairs",
        },
        DemoUser {
            username: "rais.registon",
            role: Role::MahallaMember,
            organisation: "Registon mahalla",
        },
        DemoUser {
            username: "counsellor.bandlik",
            role: Role::PartnerStaff,
            organisation: "employment centre",
        },
        DemoUser {
            username: "worker.oila",
            role: Role::PartnerStaff,
            organisation: "NGO",
        },
        DemoUser {
            username: "auditor",
            role: Role::Auditor,
            organisation: "platform",
        },
    ]
}
