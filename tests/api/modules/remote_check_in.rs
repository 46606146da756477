//! The remote check-in module through GraphQL and its photo door: enrolment, the code by
//! (test) SMS, activation, what the person may reach — every root field and namespace
//! field of the schema —, a check-in with a photo and a location, review, a missed
//! check-in that expires and alerts the officer, a struggling answer, retries, bad input
//! with stable codes, and photo retention.

use std::sync::{Arc, OnceLock};

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use chrono::{Duration, Utc};
use hamkor_api::alert::engine::{evaluate_pending, sweep_modules};
use hamkor_api::alert::entity::alert;
use hamkor_remote_check_in::entity::{CheckInStatus, check_in};
use hamkor_remote_check_in::notifier::{self, Capture};
use hamkor_remote_check_in::photo::sample_jpeg_with_gps;
use hamkor_remote_check_in::storage::{self, PhotoStore};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, s, spawn_app};
use crate::world::{World, world};

const CENTRE: (f64, f64) = (39.6542, 66.9597);

fn capture() -> Arc<Capture> {
    static C: OnceLock<Arc<Capture>> = OnceLock::new();
    C.get_or_init(|| {
        let c = Arc::new(Capture::default());
        notifier::install(c.clone());
        c
    })
    .clone()
}

fn store() -> PhotoStore {
    static S: OnceLock<(tempfile::TempDir, PhotoStore)> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = PhotoStore::local(dir.path()).expect("store");
        storage::install(store.clone());
        (dir, store)
    })
    .1
    .clone()
}

async fn setup(app: &TestApp) -> World {
    let w = world(app).await;
    app.gql(
        Some(&w.org_admin),
        "mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { id enabled } }",
        json!({"i": {"moduleId": "remote_check_in", "enabled": true}}),
    )
    .await
    .ok();
    capture();
    store();
    w
}

/// Enrol the world's person with a window open from an hour ago (daily, 4 hours).
async fn enrol(app: &TestApp, w: &World, phone: &str, first_due_offset_h: i64) -> String {
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: EnrolRemoteCheckInInput!) { remoteCheckIn { enrol(input: $i) { id status language } } }",
            json!({"i": {
                "caseId": w.case, "phone": phone, "language": "UZ_LATN", "everyDays": 1,
                "windowHours": 4, "firstDueAt": Utc::now() + Duration::hours(first_due_offset_h)
            }}),
        )
        .await;
    s(r.ok(), "remoteCheckIn.enrol.id").to_owned()
}

fn last_code(phone: &str) -> String {
    let sent = capture().to(phone);
    let last = sent.last().expect("a message was sent");
    last.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| w.len() == 6)
        .expect("a six-digit code")
        .to_owned()
}

const ACTIVATE: &str = "mutation($i: ActivateRemoteCheckInInput!) { activateRemoteCheckIn(input: $i) { accessToken refreshToken } }";

async fn activate(app: &TestApp, phone: &str, code: &str, birth: &str) -> crate::helpers::Resp {
    app.gql(
        None,
        ACTIVATE,
        json!({"i": {"phone": phone, "code": code, "birthDate": birth, "deviceId": "phone-1"}}),
    )
    .await
}

async fn person_token(app: &TestApp, phone: &str) -> String {
    let r = activate(app, phone, &last_code(phone), "1990-05-15").await;
    s(r.ok(), "activateRemoteCheckIn.accessToken").to_owned()
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/remote-check-in/v1/photos"))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("upload");
    (r.status().as_u16(), r.json().await.expect("json"))
}

const SUBMIT: &str =
    "mutation($i: SubmitCheckInInput!) { remoteCheckIn { submitCheckIn(input: $i) { id status } } }";

async fn alerts_of(app: &TestApp, rule: &str) -> Vec<alert::Model> {
    alert::Entity::find()
        .filter(alert::Column::Rule.eq(rule))
        .all(app.db())
        .await
        .expect("alerts")
}

#[tokio::test]
async fn enrol_activate_check_in_review_and_miss() {
    const PHONE: &str = "+998901112201";
    let app = spawn_app().await;
    let w = setup(&app).await;
    app.gql(
        Some(&w.officer),
        "mutation($c: ID!, $i: CaseConditionInput!) { addCaseCondition(caseId: $c, input: $i) { id } }",
        json!({"c": w.case, "i": {"kind": "STAY_WITHIN_AREA", "description": "Samarqand",
            "geofence": {"circle": {"lat": CENTRE.0, "lon": CENTRE.1, "radiusM": 2000.0}}}}),
    )
    .await
    .ok();
    enrol(&app, &w, PHONE, -1).await;
    assert!(
        capture()
            .to(PHONE)
            .last()
            .is_some_and(|m| m.contains("faollashtirish"))
    );
    activate(&app, PHONE, "000000", "1990-05-15")
        .await
        .expect_code("ACTIVATION_CODE_INVALID");
    let code = last_code(PHONE);
    activate(&app, PHONE, &code, "1991-01-01")
        .await
        .expect_code("ACTIVATION_CODE_INVALID");
    let token = person_token(&app, PHONE).await;
    activate(&app, PHONE, &code, "1990-05-15")
        .await
        .expect_code("ACTIVATION_CODE_INVALID");
    sweep_modules(app.db(), &app.state.modules, Utc::now())
        .await
        .expect("sweep");
    assert!(
        capture().to(PHONE).iter().any(|m| m.contains("ochildi")),
        "the window-open reminder went out"
    );

    // The person reads their own things.
    let me = app
        .gql(
            Some(&token),
            "{ remoteCheckIn { me { language due { id open } conditions { kind text } questions { id label } referrals { partnerName } } } }",
            json!({}),
        )
        .await;
    let me = &me.ok()["remoteCheckIn"]["me"];
    assert_eq!(me["due"][0]["open"], json!(true));
    assert!(me["conditions"].as_array().is_some_and(|c| c.len() >= 2));
    assert_eq!(
        me["questions"][0]["label"],
        "Bugun o'zingizni qanday his qilyapsiz?"
    );
    app.gql(
        Some(&token),
        "{ cases(first: 5) { edges { node { id } } } }",
        json!({}),
    )
    .await
    .expect_code("FORBIDDEN");

    // A check-in with a photo (its EXIF and GPS stripped) and a location inside the area.
    let (status, body) = upload(&app, &token, sample_jpeg_with_gps(640, 480)).await;
    assert_eq!(status, 201, "{body}");
    let photo = body["photoId"].as_str().expect("photo id").to_owned();
    let input = json!({"i": {
        "submissionId": "sub-1", "photoId": photo,
        "answers": {"wellbeing": "WELL", "support": [{"need": "HOUSING", "text": "no room"}], "callback": true},
        "location": {"lat": CENTRE.0 + 0.001, "lon": CENTRE.1, "accuracyM": 20.0}
    }});
    let first = app.gql(Some(&token), SUBMIT, input.clone()).await;
    let id = s(first.ok(), "remoteCheckIn.submitCheckIn.id").to_owned();
    let again = app.gql(Some(&token), SUBMIT, input).await;
    assert_eq!(
        s(again.ok(), "remoteCheckIn.submitCheckIn.id"),
        id,
        "a retry is the same check-in"
    );
    let submitted = check_in::Entity::find()
        .filter(check_in::Column::Status.eq(CheckInStatus::Submitted))
        .all(app.db())
        .await
        .expect("rows");
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].location_inside, Some(true));
    let key = submitted[0].photo_key.clone().expect("a photo");
    let stored = store().get(&key).await.expect("read").expect("stored");
    assert!(!stored.windows(4).any(|w| w == b"Exif") && !stored.windows(3).any(|w| w == b"GPS"));

    // The officer's queue, the photo (audited) and the review.
    let q = app
        .gql(
            Some(&w.officer),
            "{ remoteCheckIn { reviewQueue { totalCount edges { node { id urgency callbackRequested photo { contentType } } } } callbacks { id } } }",
            json!({}),
        )
        .await;
    let q = q.ok();
    assert_eq!(q["remoteCheckIn"]["reviewQueue"]["totalCount"], json!(1));
    assert_eq!(
        q["remoteCheckIn"]["reviewQueue"]["edges"][0]["node"]["id"],
        json!(id)
    );
    assert_eq!(
        q["remoteCheckIn"]["reviewQueue"]["edges"][0]["node"]["photo"]["contentType"],
        "image/jpeg"
    );
    assert_eq!(q["remoteCheckIn"]["callbacks"][0]["id"], json!(id));
    app.gql(
        Some(&w.inspector),
        "{ remoteCheckIn { reviewQueue { edges { node { id } } } } }",
        json!({}),
    )
    .await
    .expect_code("MODULE_DISABLED");
    let reviewed = app
        .gql(
            Some(&w.officer),
            "mutation($i: ReviewCheckInInput!) { remoteCheckIn { review(input: $i) { status identity } } }",
            json!({"i": {"checkInId": id, "identity": "MATCH", "note": "same person"}}),
        )
        .await;
    assert_eq!(reviewed.ok()["remoteCheckIn"]["review"]["identity"], "MATCH");

    // A housing need with no housing goal: the plan-gap suggestion.
    evaluate_pending(app.db(), &app.state.modules)
        .await
        .expect("rules");
    let gap = alerts_of(&app, "check_in_support_gap").await;
    assert_eq!(gap.len(), 1);
    assert_eq!(
        gap[0].suggestion.as_ref().map(|s| s["goalDomain"].clone()),
        Some(json!("HOUSING"))
    );

    // The next check-in is missed: after its window and the grace period it expires and
    // the officer is alerted.
    let later = Utc::now() + Duration::days(2);
    sweep_modules(app.db(), &app.state.modules, later)
        .await
        .expect("sweep");
    evaluate_pending(app.db(), &app.state.modules)
        .await
        .expect("rules");
    let missed = alerts_of(&app, "check_in_missed").await;
    assert_eq!(missed.len(), 1);
    assert_eq!(
        missed[0].acting_role,
        hamkor_api::alert::entity::ActingRole::ProbationOfficer
    );

    // Past the retention after a MATCH the photo is gone, and the check-in says so.
    sweep_modules(app.db(), &app.state.modules, Utc::now() + Duration::days(29))
        .await
        .expect("sweep");
    assert!(store().get(&key).await.expect("read").is_none());
    let c = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { remoteCheckIn { checkIn(id: $id) { hasPhoto photoRemovedAt photoRemovedReason } } }",
            json!({"id": id}),
        )
        .await;
    let c = &c.ok()["remoteCheckIn"]["checkIn"];
    assert_eq!(c["hasPhoto"], json!(false));
    assert_eq!(c["photoRemovedReason"], "retention: 28 days after MATCH");
}

#[tokio::test]
async fn struggling_alerts_the_lead_officer_alone_at_once_and_revoking_ends_the_device() {
    const PHONE: &str = "+998901112202";
    let app = spawn_app().await;
    let w = setup(&app).await;
    let enrolment = enrol(&app, &w, PHONE, -1).await;
    let token = person_token(&app, PHONE).await;
    app.gql(
        Some(&token),
        SUBMIT,
        json!({"i": {"submissionId": "s-1", "answers": {"wellbeing": "STRUGGLING"}}}),
    )
    .await
    .ok();
    evaluate_pending(app.db(), &app.state.modules)
        .await
        .expect("rules");
    let raised = alerts_of(&app, "check_in_struggling").await;
    assert_eq!(raised.len(), 1);

    // The alert tells what the person reported: the lead officer's, like the check-in.
    let alert_id = hamkor_api::ids::encode("Alert", raised[0].id).to_string();
    let read = "query($id: ID!, $c: ID!) {
        alerts(filter: {rules: [\"check_in_struggling\"]}) { totalCount }
        node(id: $id) { id }
        case(id: $c) { alerts(first: 10) { totalCount } }
        events(first: 50, filter: {caseId: $c, types: [\"alert.raised\"]}) { totalCount } }";
    let vars = json!({"id": alert_id, "c": w.case});
    let officer = app.gql(Some(&w.officer), read, vars.clone()).await;
    let o = officer.ok();
    assert_eq!(o["alerts"]["totalCount"], 1);
    assert_eq!(o["node"]["id"], alert_id.as_str());
    assert_eq!(o["case"]["alerts"]["totalCount"], 1);
    assert_eq!(o["events"]["totalCount"], 1);
    let inspector = app.gql(Some(&w.inspector), read, vars).await;
    let i = inspector.ok();
    assert_eq!(i["alerts"]["totalCount"], 0);
    assert_eq!(i["node"], Value::Null);
    assert_eq!(i["case"]["alerts"]["totalCount"], 0);
    assert_eq!(i["events"]["totalCount"], 0);
    app.gql(
        Some(&w.inspector),
        "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }",
        json!({"id": alert_id}),
    )
    .await
    .expect_code("NOT_FOUND");

    app.gql(
        Some(&w.officer),
        "mutation($e: ID!) { remoteCheckIn { revoke(enrolmentId: $e) { status } } }",
        json!({"e": enrolment}),
    )
    .await
    .ok();
    let r = app
        .gql(Some(&token), "{ remoteCheckIn { me { language } } }", json!({}))
        .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
}

#[tokio::test]
async fn bad_input_is_refused_with_stable_codes_and_writes_nothing() {
    const PHONE: &str = "+998901112203";
    let app = spawn_app().await;
    let w = setup(&app).await;
    // A window that opens tomorrow.
    enrol(&app, &w, PHONE, 24).await;
    let token = person_token(&app, PHONE).await;
    app.gql(
        Some(&token),
        SUBMIT,
        json!({"i": {"submissionId": "x", "answers": {"wellbeing": "WELL"}}}),
    )
    .await
    .expect_code("OUTSIDE_WINDOW");
    let (status, body) = upload(&app, &token, vec![0xFF; 6 * 1024 * 1024]).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("PHOTO_TOO_LARGE")));
    let (status, body) = upload(&app, &token, b"%PDF-1.7 not a photo".to_vec()).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("PHOTO_NOT_AN_IMAGE")));
    let (status, _) = upload(&app, &w.officer, sample_jpeg_with_gps(32, 32)).await;
    assert_eq!(status, 403, "staff upload nothing");

    // Enrol again with an open window: the old device is revoked.
    enrol(&app, &w, PHONE, -1).await;
    let r = app
        .gql(Some(&token), "{ remoteCheckIn { me { language } } }", json!({}))
        .await;
    assert_eq!(r.status, 401);
    let code = last_code(PHONE);
    // An expired code.
    hamkor_remote_check_in::entity::activation_code::Entity::update_many()
        .col_expr(
            hamkor_remote_check_in::entity::activation_code::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(app.db())
        .await
        .expect("expire");
    activate(&app, PHONE, &code, "1990-05-15")
        .await
        .expect_code("ACTIVATION_CODE_EXPIRED");
    let list = app
        .gql(
            Some(&w.officer),
            "query($c: ID!) { remoteCheckIn { enrolments(caseId: $c) { id status } } }",
            json!({"c": w.case}),
        )
        .await;
    let current = list.ok()["remoteCheckIn"]["enrolments"][0]["id"].clone();
    app.gql(
        Some(&w.officer),
        "mutation($e: ID!) { remoteCheckIn { resendCode(enrolmentId: $e) { id } } }",
        json!({"e": current}),
    )
    .await
    .ok();
    let token = person_token(&app, PHONE).await;
    let r = app
        .gql(
            Some(&token),
            SUBMIT,
            json!({"i": {"submissionId": "y", "answers": {"wellbeing": "WELL", "mood": 3}}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.answers.mood"));
    let submitted = check_in::Entity::find()
        .filter(check_in::Column::SubmissionId.is_not_null())
        .all(app.db())
        .await
        .expect("rows");
    assert!(submitted.is_empty(), "nothing half-written");
}

/// Every root field and every field of a namespace under a root field, from the
/// published schema: the person's token is refused with FORBIDDEN everywhere but the
/// fields opened on purpose.
#[tokio::test]
async fn the_person_reaches_only_the_fields_opened_to_them() {
    const PHONE: &str = "+998901112204";
    let app = spawn_app().await;
    let w = setup(&app).await;
    enrol(&app, &w, PHONE, -1).await;
    let token = person_token(&app, PHONE).await;
    let doc = async_graphql::parser::parse_schema(hamkor::sdl()).expect("the schema parses");
    let mut objects = std::collections::HashMap::new();
    for def in &doc.definitions {
        if let TypeSystemDefinition::Type(t) = def
            && let TypeKind::Object(o) = &t.node.kind
        {
            let fields: Vec<(String, String)> = o
                .fields
                .iter()
                .map(|f| {
                    let ty = f.node.ty.node.to_string();
                    (
                        f.node.name.node.to_string(),
                        ty.trim_matches(|c| c == '!' || c == '[' || c == ']').to_owned(),
                    )
                })
                .collect();
            objects.insert(t.node.name.node.to_string(), fields);
        }
    }
    let open = [
        "Query.remoteCheckIn.me",
        "Mutation.remoteCheckIn.submitCheckIn",
        "Mutation.refresh",
        "Mutation.logout",
    ];
    let mut checked = 0;
    for (root, op) in [
        ("Query", "query"),
        ("Mutation", "mutation"),
        ("Subscription", "subscription"),
    ] {
        for (field, ty) in objects.get(root).cloned().unwrap_or_default() {
            let mut paths = vec![(format!("{root}.{field}"), format!("{op} {{ {field} }}"))];
            if let Some(inner) = objects.get(&ty) {
                for (sub, _) in inner {
                    paths.push((
                        format!("{root}.{field}.{sub}"),
                        format!("{op} {{ {field} {{ {sub} }} }}"),
                    ));
                }
            }
            for (path, query) in paths {
                let allowed = open
                    .iter()
                    .any(|o| *o == path || o.starts_with(&format!("{path}.")));
                if allowed && !path.starts_with("Query.") {
                    // Opened on purpose (logging out would end the test's session).
                    continue;
                }
                let r = app.gql(Some(&token), &query, json!({})).await;
                if allowed {
                    assert_ne!(r.code(), Some("FORBIDDEN"), "{path} should be open: {:?}", r.body);
                } else {
                    assert_eq!(
                        r.code(),
                        Some("FORBIDDEN"),
                        "{path} must be refused: {:?}",
                        r.body
                    );
                    assert!(r.body["data"].is_null(), "{path} returned data");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "only {checked} fields checked");
}

/// An enrolled person with an activated device, a submitted check-in with a photo.
async fn submitted(app: &TestApp, w: &World, phone: &str) -> (String, String) {
    let enrolment = enrol(app, w, phone, -1).await;
    let token = person_token(app, phone).await;
    let (status, body) = upload(app, &token, sample_jpeg_with_gps(64, 48)).await;
    assert_eq!(status, 201, "{body}");
    let r = app
        .gql(
            Some(&token),
            SUBMIT,
            json!({"i": {"submissionId": "role-1", "photoId": body["photoId"],
                "answers": {"wellbeing": "STRUGGLING", "callback": true}}}),
        )
        .await;
    (enrolment, s(r.ok(), "remoteCheckIn.submitCheckIn.id").to_owned())
}

async fn switch(app: &TestApp, token: &str, organisation: Option<&str>, enabled: bool) {
    app.gql(
        Some(token),
        "mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { id enabled } }",
        json!({"i": {"moduleId": "remote_check_in", "organisationId": organisation, "enabled": enabled}}),
    )
    .await
    .ok();
}

async fn photo_reads(app: &TestApp) -> usize {
    use hamkor_api::audit::entity as audit;
    audit::Entity::find()
        .filter(audit::Column::Action.eq("remote_check_in.photo.read"))
        .all(app.db())
        .await
        .expect("audit")
        .len()
}

/// Check-ins are what the person reports through their own app: the case's lead
/// officer reads and changes them; an inspector, a mahalla member, a partner, an
/// organisation admin, an auditor and the platform admin are refused FORBIDDEN even
/// with the module switched on for their organisation (an officer of another service
/// is told the records do not exist), the photo is not read, nothing changes, and none
/// of them receives a `remote_check_in.*` event.
#[tokio::test]
async fn only_the_lead_officer_reads_and_changes_check_ins() {
    const PHONE: &str = "+998901112205";
    let app = spawn_app().await;
    let w = setup(&app).await;
    let other_probation = s(
        app.gql(
            Some(&w.officer_other),
            "{ me { organisation { id } } }",
            json!({}),
        )
        .await
        .ok(),
        "me.organisation.id",
    )
    .to_owned();
    for org in [&w.mfy_a, &w.employment, &w.police, &other_probation] {
        switch(&app, &w.admin, Some(org), true).await;
    }
    switch(&app, &w.admin, None, true).await;
    let (enrolment, check_in_id) = submitted(&app, &w, PHONE).await;

    let reads = [
        (
            "enrolments",
            "query($c: ID!) { remoteCheckIn { enrolments(caseId: $c) { id phone } } }",
        ),
        (
            "checkIns",
            "query($c: ID!) { remoteCheckIn { checkIns(caseId: $c) { id answers } } }",
        ),
        (
            "checkIn",
            "query($k: ID!) { remoteCheckIn { checkIn(id: $k) { id wellbeing } } }",
        ),
        (
            "photo",
            "query($k: ID!) { remoteCheckIn { checkIn(id: $k) { photo { base64 } } } }",
        ),
        (
            "reviewQueue",
            "query { remoteCheckIn { reviewQueue { totalCount edges { node { id } } } } }",
        ),
        ("callbacks", "query { remoteCheckIn { callbacks { id } } }"),
    ];
    let changes = [
        (
            "review",
            "mutation($k: ID!) { remoteCheckIn { review(input: {checkInId: $k, identity: MATCH}) { id } } }",
        ),
        (
            "completeCallback",
            "mutation($k: ID!) { remoteCheckIn { completeCallback(checkInId: $k) { id } } }",
        ),
        (
            "resendCode",
            "mutation($e: ID!) { remoteCheckIn { resendCode(enrolmentId: $e) { id } } }",
        ),
        (
            "revoke",
            "mutation($e: ID!) { remoteCheckIn { revoke(enrolmentId: $e) { id } } }",
        ),
        (
            "enrol",
            "mutation($c: ID!) { remoteCheckIn { enrol(input: {caseId: $c, phone: \"+998901112299\", language: RU, everyDays: 1, windowHours: 4, firstDueAt: \"2030-01-01T09:00:00Z\"}) { id } } }",
        ),
    ];
    let vars = json!({"c": w.case, "e": enrolment, "k": check_in_id});
    let refused = [
        ("inspector", &w.inspector, "FORBIDDEN"),
        ("mahalla member", &w.member_a, "FORBIDDEN"),
        ("partner", &w.partner, "FORBIDDEN"),
        ("organisation admin", &w.org_admin, "FORBIDDEN"),
        ("auditor", &w.auditor, "FORBIDDEN"),
        ("platform admin", &w.admin, "FORBIDDEN"),
        ("officer of another service", &w.officer_other, "NOT_FOUND"),
    ];
    let reads_before = photo_reads(&app).await;
    for (who, token, code) in refused {
        for (what, query) in reads.iter().chain(changes.iter()) {
            let r = app.gql(Some(token), query, vars.clone()).await;
            // An officer elsewhere has no case here, but the lists of their own cases
            // (the queue, the callbacks) answer, empty.
            if who == "officer of another service" && matches!(*what, "reviewQueue" | "callbacks") {
                let data = &r.ok()["remoteCheckIn"];
                assert!(
                    data["callbacks"].as_array().is_some_and(Vec::is_empty)
                        || data["reviewQueue"]["totalCount"] == json!(0),
                    "{who} {what}: {data}"
                );
                continue;
            }
            assert_eq!(r.code(), Some(code), "{who} {what}: {:?}", r.body);
            assert!(
                r.body["data"].is_null() || r.body["data"]["remoteCheckIn"].is_null(),
                "{who} {what} returned data: {:?}",
                r.body
            );
        }
        let (status, _) = upload(&app, token, sample_jpeg_with_gps(16, 16)).await;
        assert_eq!(status, 403, "{who} uploads nothing");
        let events = app
            .gql(
                Some(token),
                "query($c: ID!) { events(first: 100, filter: {caseId: $c}) { nodes { type } } }",
                json!({"c": w.case}),
            )
            .await;
        let types: Vec<String> = events.body["data"]["events"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect();
        assert!(
            !types.iter().any(|t| t.starts_with("remote_check_in.")),
            "{who} received {types:?}"
        );
    }
    assert_eq!(
        photo_reads(&app).await,
        reads_before,
        "nobody refused saw the photo"
    );
    let row = check_in::Entity::find_by_id(hamkor_api::ids::decode(&check_in_id).expect("id").1)
        .one(app.db())
        .await
        .expect("row")
        .expect("the check-in");
    assert_eq!(row.status, CheckInStatus::Submitted, "nobody refused reviewed it");
    assert!(row.callback_done_at.is_none());

    // The lead officer reads all of it (the photo audited), receives the events, and
    // reviews.
    for (what, query) in reads {
        let r = app.gql(Some(&w.officer), query, vars.clone()).await;
        assert!(r.body["errors"].is_null(), "officer {what}: {:?}", r.body);
    }
    assert_eq!(photo_reads(&app).await, reads_before + 1);
    let events = app
        .gql(
            Some(&w.officer),
            "query($c: ID!) { events(first: 100, filter: {caseId: $c}) { nodes { type payload } } }",
            json!({"c": w.case}),
        )
        .await;
    let nodes = events.ok()["events"]["nodes"].clone();
    let submitted_event = nodes
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["type"] == "remote_check_in.submitted")
        .expect("the officer receives the submission");
    assert_eq!(submitted_event["payload"]["wellbeing"], "STRUGGLING");
    app.gql(Some(&w.officer), changes[0].1, vars.clone()).await.ok();
}

/// The organisation switched the module off after the enrolment: the right code
/// answers MODULE_DISABLED and writes nothing (no try counted, no device, no session);
/// an activated device can neither upload a photo nor check in, and nothing is written;
/// the sweep neither reminds nor expires until the module is on again.
#[tokio::test]
async fn a_module_switched_off_after_enrolment_refuses_activation_and_check_ins() {
    use hamkor_remote_check_in::entity::{activation_code, device, photo_upload};
    const PHONE: &str = "+998901112206";
    let app = spawn_app().await;
    let w = setup(&app).await;
    enrol(&app, &w, PHONE, -1).await;
    let code = last_code(PHONE);
    switch(&app, &w.org_admin, None, false).await;

    activate(&app, PHONE, &code, "1990-05-15")
        .await
        .expect_code("MODULE_DISABLED");
    activate(&app, PHONE, "000000", "1990-05-15")
        .await
        .expect_code("ACTIVATION_CODE_INVALID");
    let codes = activation_code::Entity::find()
        .all(app.db())
        .await
        .expect("codes");
    assert!(
        codes
            .iter()
            .all(|c| c.used_at.is_none() && c.failed_attempts == 0),
        "nothing written: {codes:?}"
    );
    assert!(
        device::Entity::find()
            .all(app.db())
            .await
            .expect("devices")
            .is_empty()
    );

    // Switched on again the same code works; then off again, the device is refused.
    switch(&app, &w.org_admin, None, true).await;
    let token = s(
        activate(&app, PHONE, &code, "1990-05-15").await.ok(),
        "activateRemoteCheckIn.accessToken",
    )
    .to_owned();
    switch(&app, &w.org_admin, None, false).await;
    let (status, body) = upload(&app, &token, sample_jpeg_with_gps(32, 32)).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("MODULE_DISABLED")));
    app.gql(
        Some(&token),
        SUBMIT,
        json!({"i": {"submissionId": "off-1", "answers": {"wellbeing": "WELL"}}}),
    )
    .await
    .expect_code("MODULE_DISABLED");
    let submitted = check_in::Entity::find()
        .filter(check_in::Column::SubmissionId.is_not_null())
        .all(app.db())
        .await
        .expect("rows");
    assert!(submitted.is_empty(), "no check-in written");
    assert!(
        photo_upload::Entity::find()
            .all(app.db())
            .await
            .expect("uploads")
            .is_empty()
    );

    // Nor does the sweep remind the person or let the check-in expire into an alert;
    // switched on again, it picks up where it left off.
    let expired = |app: &TestApp| {
        let db = app.db().clone();
        async move {
            check_in::Entity::find()
                .filter(check_in::Column::Status.eq(CheckInStatus::Expired))
                .all(&db)
                .await
                .expect("rows")
                .len()
        }
    };
    let sent = capture().to(PHONE).len();
    let later = Utc::now() + Duration::days(2);
    sweep_modules(app.db(), &app.state.modules, later)
        .await
        .expect("sweep");
    assert_eq!(capture().to(PHONE).len(), sent, "no reminder");
    assert_eq!(expired(&app).await, 0, "nothing expired");
    switch(&app, &w.org_admin, None, true).await;
    sweep_modules(app.db(), &app.state.modules, later)
        .await
        .expect("sweep");
    assert_eq!(expired(&app).await, 1, "the missed check-in expires once on");
}

/// A photo uploaded but never named by a submitted check-in is removed from storage,
/// with its upload row, once older than `orphanPhotoHours` (24 by default); a photo a
/// check-in names stays.
#[tokio::test]
async fn photos_never_attached_to_a_check_in_are_removed_after_a_day() {
    use hamkor_remote_check_in::entity::photo_upload;
    use hamkor_remote_check_in::service::sweep::remove_orphan_photos;
    const PHONE: &str = "+998901112207";
    let app = spawn_app().await;
    let w = setup(&app).await;
    enrol(&app, &w, PHONE, -1).await;
    let token = person_token(&app, PHONE).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (status, body) = upload(&app, &token, sample_jpeg_with_gps(64, 48)).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["photoId"].as_str().expect("id").to_owned());
    }
    app.gql(
        Some(&token),
        SUBMIT,
        json!({"i": {"submissionId": "o-1", "photoId": ids[0], "answers": {"wellbeing": "WELL"}}}),
    )
    .await
    .ok();
    let rows = photo_upload::Entity::find().all(app.db()).await.expect("uploads");
    let key_of = |id: &str| {
        rows.iter()
            .find(|r| r.object_key.ends_with(id))
            .map(|r| r.object_key.clone())
            .expect("an upload row")
    };
    let (attached, orphan) = (key_of(&ids[0]), key_of(&ids[1]));
    assert!(
        rows.iter()
            .any(|r| r.object_key == attached && r.check_in_id.is_some())
    );

    let removed = remove_orphan_photos(app.db(), &store(), Utc::now() + Duration::hours(23))
        .await
        .expect("sweep");
    assert_eq!(removed, 0, "not yet a day old");
    assert!(store().exists(&orphan).await.expect("head"));

    sweep_modules(app.db(), &app.state.modules, Utc::now() + Duration::hours(25))
        .await
        .expect("sweep");
    assert!(
        !store().exists(&orphan).await.expect("head"),
        "the orphan is gone"
    );
    assert!(
        store().exists(&attached).await.expect("head"),
        "the attached photo stays"
    );
    let left = photo_upload::Entity::find().all(app.db()).await.expect("uploads");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].object_key, attached);
}

/// The demo (`hamkor seed --demo`): Qodirov Anvar is enrolled, last week's check-in
/// expired, this week's waits in `officer.samarqand`'s review queue with its photo; a
/// second load changes nothing.
#[tokio::test]
async fn the_demo_shows_an_enrolment_a_check_in_to_review_and_a_missed_one() {
    let app = spawn_app().await;
    capture();
    store();
    for _ in 0..2 {
        hamkor_api::seed::demo::load(&app.state).await.expect("demo");
        hamkor_remote_check_in::demo::load(&app.state)
            .await
            .expect("module demo");
    }
    let officer = app
        .login("officer.samarqand", hamkor_api::seed::demo::DEMO_PASSWORD)
        .await;
    let q = app
        .gql(
            Some(&officer),
            "{ remoteCheckIn { reviewQueue { totalCount edges { node { id caseId hasPhoto callbackRequested supportNeeds } } } } }",
            json!({}),
        )
        .await;
    let q = &q.ok()["remoteCheckIn"]["reviewQueue"];
    assert_eq!(q["totalCount"], json!(1));
    let node = &q["edges"][0]["node"];
    assert_eq!(node["hasPhoto"], json!(true));
    assert_eq!(node["callbackRequested"], json!(true));
    assert_eq!(node["supportNeeds"], json!(["HOUSING"]));
    let list = app
        .gql(
            Some(&officer),
            "query($c: ID!) { remoteCheckIn { enrolments(caseId: $c) { status } checkIns(caseId: $c) { status } } }",
            json!({"c": node["caseId"]}),
        )
        .await;
    let list = &list.ok()["remoteCheckIn"];
    assert_eq!(list["enrolments"], json!([{"status": "ACTIVE"}]));
    let statuses: Vec<&str> = list["checkIns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert_eq!(statuses, ["SCHEDULED", "SUBMITTED", "EXPIRED"], "newest first");
}

/// The learned risk model counts the check-ins a person let expire in the 90 days before
/// an assessment, where the module is on for the case's organisation; switched off, the
/// module's features read 0 with its indicator.
#[tokio::test]
async fn expired_check_ins_are_a_feature_of_the_learned_model_where_the_module_is_on() {
    use hamkor_api::risk::entity as assessment;
    use hamkor_api::risk::model::features::{self, FeatureSet, Reading, Which};
    use sea_orm::Condition;
    const PHONE: &str = "+998901112207";
    let app = spawn_app().await;
    let w = setup(&app).await;
    enrol(&app, &w, PHONE, -1).await;
    // The window opened an hour ago passes unanswered.
    sweep_modules(app.db(), &app.state.modules, Utc::now() + Duration::days(2))
        .await
        .expect("sweep");
    crate::risk::assess(&app, &w.officer, &w.case, [1, 1, 1, 1, 1, 1, 1, 1]).await;

    let set = FeatureSet::of(&app.state.modules, app.db().get_database_backend());
    let keys: Vec<&str> = set.keys().collect();
    let at = |key: &str| {
        keys.iter()
            .position(|k| *k == key)
            .unwrap_or_else(|| panic!("{key} is not a feature: {keys:?}"))
    };
    let (on, expired) = (
        at("remote_check_in.enabled"),
        at("remote_check_in.expired_check_ins_90d"),
    );
    let case_id = hamkor_api::ids::decode(&w.case).expect("case id").1;
    let read = || {
        features::read(
            app.db(),
            &set,
            Reading {
                which: Which::InForce,
                cases: Condition::all().add(assessment::Column::CaseId.eq(case_id)),
                outcome: None,
                now: Utc::now(),
            },
        )
    };
    let rows = read().await.expect("features");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].values.len(), set.len());
    assert_eq!((rows[0].values[on], rows[0].values[expired]), (1.0, 1.0));

    switch(&app, &w.org_admin, None, false).await;
    let rows = read().await.expect("features");
    assert_eq!((rows[0].values[on], rows[0].values[expired]), (0.0, 0.0));
}
