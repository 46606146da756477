//! A small, realistic demo: one district of Samarqand with its mahallas, an organisation
//! of each kind, a user of each role, people and cases in every state with their
//! supervision records and a rehabilitation plan. Everything goes through the services,
//! so the demo is validated, audited and evented like real work.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;

use crate::auth::principal::{Principal, RequestMeta};
use crate::auth::service::{Via, load_principal};
use crate::case::conditions::{self, RawCondition};
use crate::case::entity::{CaseKind, CaseStatus, ConditionKind, RiskLevel};
use crate::case::service::{self as cases, NewCase, Sentence};
use crate::db::now;
use crate::error::ApiError;
use crate::organisation::{self, OrganisationKind};
use crate::person::pinfl::Pinfl;
use crate::person::service::{self as people, PersonDetails};
use crate::plan::entity::GoalDomain;
use crate::plan::service as plans;
use crate::state::AppState;
use crate::supervision::entity::{
    AppointmentKind, AppointmentOutcome, NoteVisibility, ViolationKind, ViolationSeverity,
};
use crate::supervision::service as supervision;
use crate::territory::entity::{district, mahalla};
use crate::territory::resolve::Place;
use crate::user::entity::{Role, user};
use crate::user::service::{self as users, NewUser};

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

async fn as_task(st: &AppState, user_id: i64) -> anyhow::Result<Principal> {
    let meta = RequestMeta {
        request_id: String::new(),
        client: Some("seed".to_owned()),
        address: "local".to_owned(),
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
            None => crate::territory::service::create_mahalla(db, &admin, district.id, name, None)
                .await
                .map_err(err)?,
        };
        mahallas.push(m);
    }
    let in_district = Place {
        region_id: Some(district.region_id),
        district_id: Some(district.id),
        mahalla_id: None,
    };
    let mahalla_place = |i: usize| Place {
        region_id: Some(district.region_id),
        district_id: Some(district.id),
        mahalla_id: Some(mahallas[i].id),
    };

    let probation = org(
        st,
        &admin,
        "Samarqand shahar IIB probatsiya xizmati",
        OrganisationKind::ProbationService,
        in_district,
    )
    .await?;
    let police = org(
        st,
        &admin,
        "Samarqand shahar IIB profilaktika bo'limi",
        OrganisationKind::InternalAffairs,
        in_district,
    )
    .await?;
    let mfy = org(
        st,
        &admin,
        "Registon MFY",
        OrganisationKind::MahallaCommittee,
        mahalla_place(0),
    )
    .await?;
    let jobs = org(
        st,
        &admin,
        "Samarqand shahar bandlikka ko'maklashish markazi",
        OrganisationKind::EmploymentCentre,
        in_district,
    )
    .await?;
    let health = org(
        st,
        &admin,
        "Samarqand shahar tibbiyot birlashmasi",
        OrganisationKind::Health,
        in_district,
    )
    .await?;
    let college = org(
        st,
        &admin,
        "Samarqand xizmat ko'rsatish texnikumi",
        OrganisationKind::Education,
        in_district,
    )
    .await?;
    let ngo = org(
        st,
        &admin,
        "\"Oila va jamiyat\" NNT",
        OrganisationKind::Ngo,
        in_district,
    )
    .await?;

    let officer = account(
        st,
        probation,
        "officer.samarqand",
        "Dilnoza Yusupova",
        &[Role::ProbationOfficer],
        vec![],
    )
    .await?;
    account(
        st,
        probation,
        "orgadmin.samarqand",
        "Bekzod Rahimov",
        &[Role::OrgAdmin],
        vec![],
    )
    .await?;
    let inspector = account(
        st,
        police,
        "inspector.registon",
        "Jamshid Karimov",
        &[Role::PreventionInspector],
        vec![mahalla_place(0), mahalla_place(1)],
    )
    .await?;
    let chair = account(
        st,
        mfy,
        "rais.registon",
        "Habiba Tursunova",
        &[Role::MahallaMember],
        vec![mahalla_place(0)],
    )
    .await?;
    account(
        st,
        jobs,
        "counsellor.bandlik",
        "Sardor Aliyev",
        &[Role::PartnerStaff],
        vec![],
    )
    .await?;
    account(
        st,
        ngo,
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

    let today = now().date_naive();
    let people_data = [
        (
            "31505901234567",
            "Qodirov",
            "Anvar",
            "Baxtiyorovich",
            date(1990, 5, 15)?,
            0usize,
            CaseStatus::Active,
        ),
        (
            "31203951234568",
            "Nazarov",
            "Jasur",
            "Olimovich",
            date(1995, 3, 12)?,
            0,
            CaseStatus::Active,
        ),
        (
            "42207881234569",
            "Ergasheva",
            "Gulnora",
            "Shavkatovna",
            date(1988, 7, 22)?,
            1,
            CaseStatus::Suspended,
        ),
        (
            "31011001234560",
            "Xolmatov",
            "Sherzod",
            "Ravshanovich",
            date(2000, 11, 10)?,
            2,
            CaseStatus::Pending,
        ),
        (
            "30109851234561",
            "Umarov",
            "Botir",
            "Akmalovich",
            date(1985, 9, 1)?,
            1,
            CaseStatus::Completed,
        ),
        (
            "31402931234562",
            "Sobirov",
            "Ulug'bek",
            "Farhodovich",
            date(1993, 2, 14)?,
            3,
            CaseStatus::Revoked,
        ),
    ];
    let mut active_cases = Vec::new();
    for (i, (pinfl, last, first, patronymic, birth, m, status)) in people_data.into_iter().enumerate() {
        let person = people::create(
            db,
            &officer,
            Pinfl::parse("pinfl", pinfl).map_err(err)?,
            PersonDetails {
                last_name: last.to_owned(),
                first_name: first.to_owned(),
                patronymic: Some(patronymic.to_owned()),
                birth_date: birth,
                sex: None,
                mahalla_id: mahallas[m].id,
                address: Some(format!("{} ko'chasi, {}-uy", MAHALLAS[m], 10 + i)),
                phone: Some(format!("+99890{:07}", 1_234_560 + i)),
                languages: serde_json::json!(["uz", "ru"]),
                family_status: None,
                dependants: Some((i % 3) as i32),
            },
        )
        .await
        .map_err(err)?;
        let (start, end) = match status {
            CaseStatus::Completed => (today - Duration::days(800), today - Duration::days(70)),
            CaseStatus::Pending => (today + Duration::days(10), today + Duration::days(740)),
            _ => (
                today - Duration::days(120 + 30 * i as i64),
                today + Duration::days(600),
            ),
        };
        let curfew = conditions::parse(
            "demo",
            ConditionKind::Curfew,
            RawCondition {
                curfew_start: NaiveTime::from_hms_opt(22, 0, 0),
                curfew_end: NaiveTime::from_hms_opt(6, 0, 0),
                ..Default::default()
            },
        )
        .map_err(err)?;
        let stay = conditions::parse(
            "demo",
            ConditionKind::StayWithinArea,
            RawCondition {
                area: Some(in_district),
                ..Default::default()
            },
        )
        .map_err(err)?;
        let report = conditions::parse(
            "demo",
            ConditionKind::Reporting,
            RawCondition {
                report_every_days: Some(14),
                ..Default::default()
            },
        )
        .map_err(err)?;
        let case = cases::create(
            db,
            &officer,
            NewCase {
                person_id: person.id,
                sentence: Sentence {
                    kind: CaseKind::RestrictionOfLiberty,
                    court_name: "Samarqand shahar jinoyat ishlari bo'yicha sudi".to_owned(),
                    court_decision_date: start - Duration::days(20),
                    criminal_code_article: Some(format!("{}-modda", [169, 127, 168, 277, 105, 186][i])),
                    sentence_start: start,
                    sentence_end: end,
                },
                mahalla_id: None,
                officer_id: None,
                inspector_id: Some(inspector.user_id),
                risk_level: Some([RiskLevel::Medium, RiskLevel::Low, RiskLevel::High][i % 3]),
                conditions: vec![curfew, stay, report],
            },
        )
        .await
        .map_err(err)?;
        let path: &[(CaseStatus, Option<&str>)] = match status {
            CaseStatus::Pending => &[],
            CaseStatus::Active => &[(CaseStatus::Active, None)],
            CaseStatus::Suspended => &[
                (CaseStatus::Active, None),
                (CaseStatus::Suspended, Some("Kasalxonada davolanmoqda")),
            ],
            CaseStatus::Completed => &[(CaseStatus::Active, None), (CaseStatus::Completed, None)],
            CaseStatus::Revoked => &[
                (CaseStatus::Active, None),
                (
                    CaseStatus::Revoked,
                    Some("Sud jazoni ozodlikdan mahrum qilish bilan almashtirdi"),
                ),
            ],
        };
        for (to, reason) in path {
            cases::transition(db, &officer, case.id, *to, reason.map(str::to_owned))
                .await
                .map_err(err)?;
        }
        if status == CaseStatus::Active {
            active_cases.push(case.id);
        }
    }

    let first_case = *active_cases
        .first()
        .ok_or_else(|| anyhow::anyhow!("no active demo case"))?;
    let now_ts = Utc::now();
    supervision::record_check_in(
        db,
        &inspector,
        first_case,
        supervision::CheckIn {
            kind: AppointmentKind::HomeVisit,
            at: now_ts - Duration::days(9),
            outcome: AppointmentOutcome::Attended,
            location: Some("Uyda".to_owned()),
            note: Some("Tartib buzilishi yo'q".to_owned()),
        },
    )
    .await
    .map_err(err)?;
    supervision::record_check_in(
        db,
        &officer,
        first_case,
        supervision::CheckIn {
            kind: AppointmentKind::OfficeReport,
            at: now_ts - Duration::days(5),
            outcome: AppointmentOutcome::Missed,
            location: Some("Probatsiya xizmati".to_owned()),
            note: None,
        },
    )
    .await
    .map_err(err)?;
    supervision::schedule_appointment(
        db,
        &officer,
        first_case,
        AppointmentKind::OfficeReport,
        now_ts + Duration::days(3),
        Some("Probatsiya xizmati, 12-xona"),
    )
    .await
    .map_err(err)?;
    supervision::record_violation(
        db,
        &inspector,
        first_case,
        supervision::NewViolation {
            kind: ViolationKind::CurfewBreach,
            severity: ViolationSeverity::Minor,
            occurred_at: now_ts - Duration::days(4),
            description: "Soat 23:15 da uyda bo'lmagan, 23:40 da qaytgan".to_owned(),
        },
    )
    .await
    .map_err(err)?;
    supervision::add_note(
        db,
        &officer,
        first_case,
        NoteVisibility::Probation,
        "Sud qaroriga ko'ra nazorat kuchaytirilishi ko'rib chiqilsin.",
    )
    .await
    .map_err(err)?;
    supervision::add_note(
        db,
        &inspector,
        first_case,
        NoteVisibility::Agencies,
        "Qo'shnilar bilan suhbat o'tkazildi.",
    )
    .await
    .map_err(err)?;
    supervision::add_note(
        db,
        &chair,
        first_case,
        NoteVisibility::Mahalla,
        "Oilasi bilan uchrashildi, ishga joylashishda yordam kerak.",
    )
    .await
    .map_err(err)?;

    let plan = plans::create_plan(
        db,
        &officer,
        first_case,
        Some("Ishga joylashish va oilaviy munosabatlarni tiklash"),
    )
    .await
    .map_err(err)?;
    let job_goal = plans::add_goal(
        db,
        &officer,
        plan.id,
        GoalDomain::Employment,
        "Doimiy ishga joylashish",
        Some(today + Duration::days(90)),
    )
    .await
    .map_err(err)?;
    plans::add_action(
        db,
        &officer,
        job_goal.id,
        "Bandlik markazida ro'yxatdan o'tish",
        jobs,
        Some(today + Duration::days(14)),
    )
    .await
    .map_err(err)?;
    let study = plans::add_goal(
        db,
        &officer,
        plan.id,
        GoalDomain::Education,
        "Payvandchilik kursini tugatish",
        Some(today + Duration::days(180)),
    )
    .await
    .map_err(err)?;
    plans::add_action(
        db,
        &officer,
        study.id,
        "Texnikumdagi qisqa kursga yozilish",
        college,
        Some(today + Duration::days(30)),
    )
    .await
    .map_err(err)?;
    let family = plans::add_goal(
        db,
        &officer,
        plan.id,
        GoalDomain::Family,
        "Oilaviy munosabatlarni tiklash",
        None,
    )
    .await
    .map_err(err)?;
    plans::add_action(
        db,
        &officer,
        family.id,
        "Oila bilan suhbatlar (3 marta)",
        ngo,
        None,
    )
    .await
    .map_err(err)?;
    plans::add_action(
        db,
        &officer,
        family.id,
        "Tibbiy ko'rik",
        health,
        Some(today + Duration::days(21)),
    )
    .await
    .map_err(err)?;
    plans::update_plan(
        db,
        &officer,
        plan.id,
        Some(crate::plan::entity::PlanStatus::Active),
        None,
    )
    .await
    .map_err(err)?;

    // Registon's seven (the chair and the inspector with their logins) and its
    // prevention programme for the year, so that tasks and conferences can be tried.
    seat_the_seven(
        db,
        &admin,
        mahallas[0].id,
        chair.user_id,
        inspector.user_id,
        today,
    )
    .await?;

    // Every compiled-in module, switched on for the demo's agencies and partners, so
    // that each can be tried at once (an organisation admin switches it off again).
    let compiled: Vec<&'static str> = st.modules.all().map(|m| m.id()).collect();
    for organisation in [probation, police, jobs, health, college, ngo] {
        for module in &compiled {
            crate::module::service::configure(
                db,
                &st.modules,
                &admin,
                Some(organisation),
                module,
                true,
                None,
            )
            .await
            .map_err(err)?;
        }
    }

    Ok(DemoOutcome::Loaded(vec![
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
    ]))
}

async fn seat_the_seven(
    db: &sea_orm::DatabaseConnection,
    admin: &Principal,
    mahalla_id: i64,
    chair: i64,
    inspector: i64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use crate::mahalla::entity::{ActivityKind, SubRole};
    use crate::mahalla::{programme, roster};
    let starts_on = today - Duration::days(400);
    let seats = [
        (SubRole::Chair, "Habiba Tursunova", Some(chair)),
        (SubRole::PreventionInspector, "Jamshid Karimov", Some(inspector)),
        (SubRole::WomensActivist, "Zulfiya Rasulova", None),
        (SubRole::YouthLeader, "Otabek Mirzayev", None),
        (SubRole::ReligiousAffairs, "Abdulla Qosimov", None),
        (SubRole::EldersCouncil, "Ismoil Xoliqov", None),
        (SubRole::EducationRep, "Feruza Olimova", None),
    ];
    let mut youth = None;
    for (sub_role, name, user_id) in seats {
        let m = roster::appoint(
            db,
            admin,
            roster::NewMember {
                mahalla_id,
                sub_role,
                full_name: name.to_owned(),
                phone: None,
                user_id,
                starts_on,
                replace_current: false,
            },
        )
        .await
        .map_err(err)?;
        if sub_role == SubRole::YouthLeader {
            youth = Some(m.id);
        }
    }
    let prog = programme::create(
        db,
        admin,
        programme::NewProgramme {
            mahalla_id,
            title: "Registon MFY huquqbuzarliklar profilaktikasi dasturi".to_owned(),
            period_start: today - Duration::days(30),
            period_end: today + Duration::days(335),
            objectives: "Takroriy huquqbuzarliklarning oldini olish; bandlik va oilaviy qo'llab-quvvatlash"
                .to_owned(),
        },
    )
    .await
    .map_err(err)?;
    for (kind, title, offset) in [
        (ActivityKind::LegalEducation, "Huquqiy targ'ibot suhbati", 14),
        (ActivityKind::SportsYouth, "Yoshlar mini-futbol turniri", 30),
        (ActivityKind::JobFair, "Mahalla bandlik yarmarkasi", 60),
    ] {
        programme::add_activity(
            db,
            admin,
            programme::NewActivity {
                programme_id: prog.id,
                kind,
                title: title.to_owned(),
                planned_on: today + Duration::days(offset),
                place: Some("Registon MFY binosi".to_owned()),
                responsible_member_id: youth,
                case_ids: Vec::new(),
            },
        )
        .await
        .map_err(err)?;
    }
    Ok(())
}
