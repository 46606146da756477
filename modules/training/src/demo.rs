//! The module's part of the Samarqand demo (through the module host's
//! `Module::seed_demo`): a mediation course of the NGO, a seminar series with the
//! officer and the inspector enrolled, the officer's certificate (issued a year and a
//! month ago, so expired), and the probation service's requirement that its officers
//! renew it every 12 months, which the coverage shows as expired.

use chrono::Days;
use hamkor_api::auth::principal::{Principal, RequestMeta};
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::db::now;
use hamkor_api::state::AppState;
use hamkor_api::user::entity::{Role, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::entity::{TrainingFormat, TrainingTopic, course};
use crate::service::courses::{self, CourseSpec};
use crate::service::enrolment;
use crate::service::requirements::{self, Holder};
use crate::service::results::{self, Assessment};
use crate::service::sessions::{self, SessionSpec};

async fn as_user(st: &AppState, username: &str) -> anyhow::Result<Option<Principal>> {
    let Some(u) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&st.db)
        .await?
    else {
        return Ok(None);
    };
    let meta = RequestMeta {
        request_id: String::new(),
        client: Some("seed".to_owned()),
        address: "local".to_owned(),
        device: None,
    };
    Ok(Some(
        load_principal(&st.db, u.id, Via::LocalTask, meta)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    ))
}

use crate::anyhow_of as err;

/// Load the module's demo records (once: nothing when the course is there).
pub async fn load(st: &AppState) -> anyhow::Result<()> {
    const TITLE: &str = "Mahallada mediatsiya: nizolarni tinch hal qilish";
    let db = &st.db;
    if course::Entity::find()
        .filter(course::Column::Title.eq(TITLE))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let (Some(trainer), Some(admin), Some(officer), Some(inspector)) = (
        as_user(st, "worker.oila").await?,
        as_user(st, "orgadmin.samarqand").await?,
        as_user(st, "officer.samarqand").await?,
        as_user(st, "inspector.registon").await?,
    ) else {
        return Ok(());
    };
    let c = courses::publish(
        db,
        &trainer,
        CourseSpec {
            title: TITLE.to_owned(),
            topic: TrainingTopic::Mediation,
            audience_roles: vec![Role::ProbationOfficer, Role::PreventionInspector],
            audience_seats: vec![],
            format: TrainingFormat::Blended,
            hours: 36,
            language: "uz".to_owned(),
            validity_months: Some(12),
            description: Some(
                "Monthly seminars: mediation between the person, the family and the neighbours".to_owned(),
            ),
        },
    )
    .await
    .map_err(err)?;
    let today = now().date_naive();
    let start = today - Days::new(400);
    let s = sessions::open(
        db,
        &trainer,
        SessionSpec {
            course_id: c.id,
            starts_on: start,
            ends_on: today + Days::new(10),
            place: Some("Oila NGO, Registon ko'chasi 5".to_owned()),
            link: None,
            trainer: "Malika Saidova".to_owned(),
            capacity: 12,
        },
    )
    .await
    .map_err(err)?;
    let officer_place = enrolment::enrol(db, &admin, s.id, Some(officer.user_id))
        .await
        .map_err(err)?;
    enrolment::enrol(db, &inspector, s.id, None).await.map_err(err)?;
    results::attendance(db, &trainer, officer_place.id, start, true)
        .await
        .map_err(err)?;
    results::assess(
        db,
        &trainer,
        officer_place.id,
        Assessment {
            passed: true,
            score: Some(86),
            certificate_number: None,
            issued_on: Some(start + Days::new(1)),
        },
    )
    .await
    .map_err(err)?;
    requirements::set(db, &admin, c.id, Holder::Role(Role::ProbationOfficer), Some(12))
        .await
        .map_err(err)?;
    Ok(())
}
