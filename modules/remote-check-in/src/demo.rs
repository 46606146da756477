//! The module's part of the Samarqand demo (`Module::seed_demo`): Qodirov Anvar (the
//! demo's first case, officer `officer.samarqand`) enrolled in remote check-in, every
//! seven days with a 24-hour window; the check-in of a week ago was missed and has
//! expired, and this week's, sent two hours ago with a photo, a housing need and a
//! callback request, waits in the officer's review queue. Through the module's services,
//! as the officer and as the person; nothing when the case is enrolled already.

use chrono::Duration;
use hamkor_api::auth::principal::{Principal, RequestMeta};
use hamkor_api::auth::service::{Via, load_principal};
use hamkor_api::case::entity::case;
use hamkor_api::db::now;
use hamkor_api::person::entity as person;
use hamkor_api::state::AppState;
use hamkor_api::user::entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::entity::{CheckInLanguage, enrolment};
use crate::schedule::Schedule;
use crate::service::check_ins::{self, Submission};
use crate::service::{enrolment as enrolments, sweep};
use crate::{anyhow_of, notifier, photo, storage};

/// The enrolled person (Qodirov Anvar).
const PINFL: &str = "31505901234567";
/// The phone the demo enrols (the default notifier only writes the outbox and the log).
pub const PHONE: &str = "+998901234567";

async fn as_user(st: &AppState, user_id: i64) -> anyhow::Result<Principal> {
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

/// Load the module's demo (once: nothing when the case is enrolled already).
pub async fn load(st: &AppState) -> anyhow::Result<()> {
    let db = &st.db;
    let (Some(officer), Some(person)) = (
        user::Entity::find()
            .filter(user::Column::Username.eq("officer.samarqand"))
            .one(db)
            .await?,
        person::Entity::find()
            .filter(person::Column::Pinfl.eq(PINFL))
            .one(db)
            .await?,
    ) else {
        return Ok(());
    };
    let Some(case) = case::Entity::find()
        .filter(case::Column::PersonId.eq(person.id))
        .order_by_asc(case::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if enrolment::Entity::find()
        .filter(enrolment::Column::CaseId.eq(case.id))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let officer = as_user(st, officer.id).await?;
    let at = now();
    // Last week's window closed long enough ago to expire; this week's opened two
    // hours ago.
    let first_due = at - Duration::days(7) - Duration::hours(2);
    let e = enrolments::enrol(
        db,
        &officer,
        enrolments::EnrolSpec {
            case_id: case.id,
            phone: PHONE.to_owned(),
            language: CheckInLanguage::UzLatn,
            schedule: Schedule::new(first_due, Some(7), None, 24).map_err(anyhow_of)?,
            shared_goal_ids: Vec::new(),
        },
    )
    .await
    .map_err(anyhow_of)?;
    let store = storage::current()?;
    let n = notifier::current();
    sweep::sweep(db, &store, n.as_ref(), at)
        .await
        .map_err(anyhow_of)?;

    let me = as_user(st, e.user_id).await?;
    let photo_id = check_ins::upload_photo(
        db,
        &st.modules,
        &store,
        &me,
        photo::sample_jpeg_with_gps(480, 360).into(),
    )
    .await
    .map_err(anyhow_of)?;
    check_ins::submit(
        db,
        &st.modules,
        &store,
        &me,
        Submission {
            submission_id: "demo-1".to_owned(),
            answers: json!({
                "wellbeing": "NOT_GREAT",
                "support": [{"need": "HOUSING", "text": "Ijara shartnomasi oy oxirida tugaydi"}],
                "callback": true
            }),
            photo_id: Some(photo_id),
            location: None,
        },
    )
    .await
    .map_err(anyhow_of)?;
    Ok(())
}
