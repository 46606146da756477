//! Electronic monitoring's upkeep: a device that falls silent (the module's sweep),
//! the retention of positions (day partitions on PostgreSQL, a bulk delete on SQLite),
//! and the demo's tagged case.

use chrono::{Duration, NaiveTime, SubsecRound, Utc};
use hamkor_api::alert::engine::{evaluate_pending, sweep_modules};
use hamkor_api::alert::entity::alert;
use hamkor_electronic_monitoring::entity::{IncidentKind, activation, incident, position};
use hamkor_electronic_monitoring::service::{partitions, retention, silence};
use hamkor_electronic_monitoring::sim;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::{HOME, SERIAL, last_night, post, setup};
use crate::helpers::spawn_app;

async fn signal_incidents(db: &sea_orm::DatabaseConnection) -> Vec<incident::Model> {
    incident::Entity::find()
        .filter(incident::Column::Kind.eq(IncidentKind::SignalLoss))
        .all(db)
        .await
        .expect("incidents")
}

async fn the_activation(db: &sea_orm::DatabaseConnection) -> activation::Model {
    activation::Entity::find()
        .one(db)
        .await
        .expect("read")
        .expect("an activation")
}

fn a_fix_at_home(minutes_ago: i64) -> hamkor_electronic_monitoring::ingest::message::Event {
    let at = Utc::now() - Duration::minutes(minutes_ago);
    sim::fix(
        SERIAL,
        format!("home-{}", at.timestamp()),
        at,
        HOME.0,
        HOME.1,
        10.0,
    )
}

#[tokio::test]
async fn a_device_that_falls_silent_raises_one_incident_per_gap_and_is_marked_when_heard_again() {
    let app = spawn_app().await;
    let em = setup(&app).await;
    let db = app.db();
    post(&app, &em, &[a_fix_at_home(1)]).await;
    let heard = the_activation(db).await.last_heard_at.expect("heard");
    let now = Utc::now();

    // Within the organisation's 30 minutes: nothing.
    assert_eq!(
        silence::sweep(db, now + Duration::minutes(20))
            .await
            .expect("sweep"),
        0
    );
    assert!(signal_incidents(db).await.is_empty());

    // Past them: one incident, through the module host's sweep; later sweeps of the same
    // gap raise nothing more.
    sweep_modules(db, &app.state.modules, now + Duration::minutes(31))
        .await
        .expect("sweep");
    let raised = signal_incidents(db).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].first_at, heard);
    for later in [45, 90, 600] {
        assert_eq!(
            silence::sweep(db, now + Duration::minutes(later))
                .await
                .expect("sweep"),
            0,
            "{later} minutes"
        );
    }
    assert_eq!(signal_incidents(db).await.len(), 1);
    assert_eq!(the_activation(db).await.silence_incident_id, Some(raised[0].id));

    // It alerts the officer like every incident.
    evaluate_pending(db, &app.state.modules).await.expect("rules");
    let alerts = alert::Entity::find()
        .filter(alert::Column::Rule.eq("monitoring_incident"))
        .filter(alert::Column::SubjectId.eq(raised[0].id))
        .count(db)
        .await
        .expect("alerts");
    assert_eq!(alerts, 1);

    // The device is heard again: the incident is marked, the activation cleared.
    post(&app, &em, &[a_fix_at_home(0)]).await;
    let marked = incident::Entity::find_by_id(raised[0].id)
        .one(db)
        .await
        .expect("read")
        .expect("incident");
    assert!(
        marked
            .note
            .as_deref()
            .is_some_and(|n| n.contains("signal returned")),
        "{marked:?}"
    );
    let act = the_activation(db).await;
    assert_eq!(act.silence_incident_id, None);
    assert!(act.last_heard_at > Some(heard));

    // A new silence after that is a new gap: a second incident.
    let back = act.last_heard_at.expect("heard");
    assert_eq!(
        silence::sweep(db, back + Duration::minutes(31))
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(signal_incidents(db).await.len(), 2);

    // A removed device is not watched.
    let mut m: activation::ActiveModel = the_activation(db).await.into();
    m.removed_at = Set(Some(Utc::now()));
    m.silence_incident_id = Set(None);
    sea_orm::ActiveModelTrait::update(m, db).await.expect("remove");
    assert_eq!(
        silence::sweep(db, back + Duration::days(2)).await.expect("sweep"),
        0
    );
}

async fn insert_fix(
    db: &sea_orm::DatabaseConnection,
    act: &activation::Model,
    vendor_id: i64,
    at: chrono::DateTime<Utc>,
) {
    position::Entity::insert(position::ActiveModel {
        activation_id: Set(act.id),
        vendor_id: Set(vendor_id),
        vendor_event_id: Set(format!("old-{}", at.timestamp())),
        fix_at: Set(at),
        lat: Set(HOME.0),
        lon: Set(HOME.1),
        accuracy_m: Set(10.0),
        speed_mps: Set(None),
        heading_deg: Set(None),
        received_at: Set(at),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await
    .expect("insert a fix");
}

async fn fix_times(db: &sea_orm::DatabaseConnection) -> Vec<chrono::DateTime<Utc>> {
    position::Entity::find()
        .all(db)
        .await
        .expect("positions")
        .into_iter()
        .map(|p| p.fix_at)
        .collect()
}

#[tokio::test]
async fn positions_past_retention_are_removed_and_newer_ones_kept() {
    let app = spawn_app().await;
    let em = setup(&app).await;
    let db = app.db();
    let act = the_activation(db).await;
    let vendor_id = hamkor_electronic_monitoring::entity::vendor::Entity::find()
        .one(db)
        .await
        .expect("read")
        .expect("vendor")
        .id;
    // Whole seconds: PostgreSQL keeps microseconds.
    let now = Utc::now().trunc_subsecs(0);
    let (old, kept) = (now - Duration::days(91), now - Duration::days(89));
    insert_fix(db, &act, vendor_id, old).await;
    insert_fix(db, &act, vendor_id, kept).await;
    let pg = db.get_database_backend() == DatabaseBackend::Postgres;
    if pg {
        // The old fix went to the default partition; give its day a partition (the
        // row moves into it) so that retention drops the day whole.
        let txn = db.begin().await.expect("begin");
        assert!(
            partitions::ensure_day(&txn, partitions::PARENT, old.date_naive())
                .await
                .expect("partition")
        );
        txn.commit().await.expect("commit");
        assert!(
            partitions::days(db)
                .await
                .expect("days")
                .contains(&old.date_naive())
        );
    }

    let swept = retention::sweep(db, 90, now).await.expect("sweep");
    let times = fix_times(db).await;
    assert!(!times.contains(&old), "the 91-day-old fix is gone");
    assert!(times.contains(&kept), "the 89-day-old fix stays");
    if pg {
        assert!(swept.partitions_dropped >= 1, "{swept:?}");
        let days = partitions::days(db).await.expect("days");
        assert!(!days.contains(&old.date_naive()));
        for ahead in 0..=partitions::DAYS_AHEAD {
            assert!(
                days.contains(&(now + Duration::days(ahead)).date_naive()),
                "{days:?}"
            );
        }
        // Nothing of today's ingest sits in the default partition.
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT COUNT(*) AS n FROM em_positions_default WHERE fix_at >= now() - interval '1 day'",
            ))
            .await
            .expect("count")
            .expect("row");
        assert_eq!(row.try_get::<i64>("", "n").expect("n"), 0);
    } else {
        assert_eq!(swept.positions, 1, "{swept:?}");
    }

    // The door still takes fixes, once each, after the sweep.
    let night = sim::night(
        SERIAL,
        HOME,
        last_night(),
        NaiveTime::from_hms_opt(22, 0, 0).expect("time"),
        30,
        None,
        0.0,
    );
    assert_eq!(post(&app, &em, &night).await["accepted"], json!(30));
    assert_eq!(post(&app, &em, &night).await["duplicates"], json!(30));
    assert_eq!(fix_times(db).await.len(), 31);
}

#[tokio::test]
async fn the_demo_has_a_tagged_case_whose_night_breach_opened_an_incident() {
    let app = spawn_app().await;
    hamkor_api::seed::demo::load(&app.state)
        .await
        .expect("demo loads");
    let db = app.db();
    let curfew = incident::Entity::find()
        .filter(incident::Column::Kind.eq(IncidentKind::Curfew))
        .all(db)
        .await
        .expect("incidents");
    assert_eq!(curfew.len(), 1, "{curfew:?}");
    assert!(position::Entity::find().count(db).await.expect("count") > 500);
    let act = the_activation(db).await;
    assert!(act.removed_at.is_none());

    // The officer sees it on the case, and its alert is raised.
    evaluate_pending(db, &app.state.modules).await.expect("rules");
    let token = app
        .login("officer.samarqand", hamkor_api::seed::demo::DEMO_PASSWORD)
        .await;
    let case = hamkor_api::ids::encode("Case", curfew[0].case_id);
    let seen = super::incidents(&app, &token, case.as_str()).await;
    assert!(seen.iter().any(|i| i["kind"] == "CURFEW"), "{seen:?}");
    let alerts = alert::Entity::find()
        .filter(alert::Column::Rule.eq("monitoring_incident"))
        .filter(alert::Column::SubjectId.eq(curfew[0].id))
        .count(db)
        .await
        .expect("alerts");
    assert_eq!(alerts, 1);

    // Loading the demo again changes nothing.
    hamkor_electronic_monitoring::demo::load(&app.state)
        .await
        .expect("again");
    assert_eq!(
        incident::Entity::find().count(db).await.expect("count"),
        curfew.len() as u64
    );
}
