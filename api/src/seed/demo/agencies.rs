//! The demo's organisations (one of each kind) and their people, one of each role.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;

use super::places::Territory;
use super::{DEMO_PASSWORD, as_task, err};
use crate::auth::principal::Principal;
use crate::organisation::{self, OrganisationKind};
use crate::state::AppState;
use crate::territory::resolve::Place;
use crate::user::entity::Role;
use crate::user::service::{self as users, NewUser};

/// The demo's organisations, by id.
pub(super) struct Agencies {
    pub probation: i64,
    pub police: i64,
    pub mfy: i64,
    pub jobs: i64,
    pub health: i64,
    pub college: i64,
    pub ngo: i64,
}

/// The demo's people who work cases, as they act.
pub(super) struct Staff {
    pub officer: Principal,
    pub inspector: Principal,
    /// The chair of Registon's seven.
    pub chair: Principal,
}

/// Create (or find) the demo's organisations.
pub(super) async fn organisations(
    st: &AppState,
    admin: &Principal,
    t: &Territory,
) -> anyhow::Result<Agencies> {
    let probation = org(
        st,
        admin,
        "Samarqand shahar IIB probatsiya xizmati",
        OrganisationKind::ProbationService,
        t.in_district(),
    )
    .await?;
    let police = org(
        st,
        admin,
        "Samarqand shahar IIB profilaktika bo'limi",
        OrganisationKind::InternalAffairs,
        t.in_district(),
    )
    .await?;
    let mfy = org(
        st,
        admin,
        "Registon MFY",
        OrganisationKind::MahallaCommittee,
        t.mahalla(0),
    )
    .await?;
    let jobs = org(
        st,
        admin,
        "Samarqand shahar bandlikka ko'maklashish markazi",
        OrganisationKind::EmploymentCentre,
        t.in_district(),
    )
    .await?;
    let health = org(
        st,
        admin,
        "Samarqand shahar tibbiyot birlashmasi",
        OrganisationKind::Health,
        t.in_district(),
    )
    .await?;
    let college = org(
        st,
        admin,
        "Samarqand xizmat ko'rsatish texnikumi",
        OrganisationKind::Education,
        t.in_district(),
    )
    .await?;
    let ngo = org(
        st,
        admin,
        "\"Oila va jamiyat\" NNT",
        OrganisationKind::Ngo,
        t.in_district(),
    )
    .await?;

    Ok(Agencies {
        probation,
        police,
        mfy,
        jobs,
        health,
        college,
        ngo,
    })
}

/// Create the demo's accounts, one of each role.
pub(super) async fn accounts(
    st: &AppState,
    admin: &Principal,
    a: &Agencies,
    t: &Territory,
) -> anyhow::Result<Staff> {
    let officer = account(
        st,
        a.probation,
        "officer.samarqand",
        "Dilnoza Yusupova",
        &[Role::ProbationOfficer],
        vec![],
    )
    .await?;
    account(
        st,
        a.probation,
        "orgadmin.samarqand",
        "Bekzod Rahimov",
        &[Role::OrgAdmin],
        vec![],
    )
    .await?;
    let inspector = account(
        st,
        a.police,
        "inspector.registon",
        "Jamshid Karimov",
        &[Role::PreventionInspector],
        vec![t.mahalla(0), t.mahalla(1)],
    )
    .await?;
    let chair = account(
        st,
        a.mfy,
        "rais.registon",
        "Habiba Tursunova",
        &[Role::MahallaMember],
        vec![t.mahalla(0)],
    )
    .await?;
    account(
        st,
        a.jobs,
        "counsellor.bandlik",
        "Sardor Aliyev",
        &[Role::PartnerStaff],
        vec![],
    )
    .await?;
    account(
        st,
        a.ngo,
        "worker.oila",
        "Malika Saidova",
        &[Role::PartnerStaff],
        vec![],
    )
    .await?;
    account(
        st,
        admin.organisation_id,
        "auditor",
        "Nodira Ismoilova",
        &[Role::Auditor],
        vec![],
    )
    .await?;

    Ok(Staff {
        officer,
        inspector,
        chair,
    })
}

async fn org(
    st: &AppState,
    admin: &Principal,
    name: &str,
    kind: OrganisationKind,
    place: Place,
) -> anyhow::Result<i64> {
    if let Some(o) = organisation::Entity::find()
        .filter(organisation::entity::Column::Name.eq(name))
        .one(&st.db)
        .await?
    {
        return Ok(o.id);
    }
    Ok(organisation::service::create(&st.db, admin, name, kind, place)
        .await
        .map_err(err)?
        .id)
}

async fn account(
    st: &AppState,
    org_id: i64,
    username: &str,
    display: &str,
    roles: &[Role],
    territories: Vec<Place>,
) -> anyhow::Result<Principal> {
    let password = SecretString::from(DEMO_PASSWORD);
    let row = users::create(
        &st.db,
        &st.hasher,
        None,
        NewUser {
            organisation_id: org_id,
            username: username.to_owned(),
            display_name: display.to_owned(),
            password,
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
            territories,
        },
    )
    .await
    .map_err(err)?;
    as_task(st, row.id).await
}
