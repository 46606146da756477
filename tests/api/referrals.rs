//! Referrals through their whole lifecycle, consent gating and withdrawal, and what each
//! side may see.

use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, s, spawn_app};
use crate::modules::{Partners, partners, set_probe};
use crate::world::{World, world};

pub const REFERRAL_FIELDS: &str = "id status kind moduleId externalId overdue firstResponseDueAt
    declineReason cancelReason withdrawalReason legalBasis payload
    case { id } consent { id live }
    subject { fullName birthYear phone sentenceEnd dataScope conditions { kind } }
    transitions { fromStatus toStatus reason note actorOrganisation { id } }";

pub struct Setup {
    pub w: World,
    pub p: Partners,
}

/// The world, with the probe switched on for the employment centre.
pub async fn setup(app: &TestApp) -> Setup {
    let w = world(app).await;
    let p = partners(app, &w).await;
    set_probe(app, &p.employment_admin, true, None).await;
    Setup { w, p }
}

pub async fn create_referral(app: &TestApp, w: &World, to: &str) -> Resp {
    app.gql(
        Some(&w.officer),
        &format!("mutation($i: CreateReferralInput!) {{ createReferral(input: $i) {{ referral {{ {REFERRAL_FIELDS} }} }} }}"),
        json!({"i": {
            "caseId": w.case, "kind": "probe.session", "toOrganisationId": to,
            "summary": "Needs a few probe sessions", "payload": {"sessions": 4}
        }}),
    )
    .await
}

pub async fn draft(app: &TestApp, w: &World) -> String {
    let r = create_referral(app, w, &w.employment).await;
    s(r.ok(), "createReferral.referral.id").to_owned()
}

pub async fn record_consent(app: &TestApp, w: &World, recipient: Value) -> String {
    let mut input = json!({
        "personId": w.person, "purpose": "probe",
        "dataScope": ["IDENTITY", "SENTENCE_CONDITIONS"], "evidence": "Form 12/2026"
    });
    if let Some(obj) = recipient.as_object() {
        for (k, v) in obj {
            input[k] = v.clone();
        }
    }
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id live } }",
            json!({"i": input}),
        )
        .await;
    assert_eq!(r.ok()["recordConsent"]["live"], true);
    s(r.ok(), "recordConsent.id").to_owned()
}

/// Run a lifecycle mutation: `name` is the mutation, `extra` the input beyond the id.
pub async fn act(app: &TestApp, token: &str, name: &str, id: &str, extra: Value) -> Resp {
    let input_type = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    let input_type = match name {
        "startReferral" | "completeReferral" => "ReferralStepInput".to_owned(),
        _ => input_type,
    };
    let mut input = json!({"id": id});
    if let Some(obj) = extra.as_object() {
        for (k, v) in obj {
            input[k] = v.clone();
        }
    }
    app.gql(
        Some(token),
        &format!(
            "mutation($i: {input_type}!) {{ {name}(input: $i) {{ referral {{ {REFERRAL_FIELDS} }} }} }}"
        ),
        json!({"i": input}),
    )
    .await
}

fn referral<'a>(r: &'a Resp, name: &str) -> &'a Value {
    &r.ok()[name]["referral"]
}

#[tokio::test]
async fn a_referral_goes_through_its_whole_lifecycle_by_graphql_alone() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    let id = draft(&app, &w).await;

    // A draft is the referrer's own: the partner does not see it.
    let q = "query($id: ID!) { node(id: $id) { ... on Referral { id status } } }";
    assert!(app.gql(Some(&w.partner), q, json!({"id": id})).await.ok()["node"].is_null());

    // No consent yet: refused.
    act(&app, &w.officer, "sendReferral", &id, json!({}))
        .await
        .expect_code("CONFLICT");
    let consent = record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let r = act(&app, &w.officer, "sendReferral", &id, json!({})).await;
    let sent = referral(&r, "sendReferral");
    assert_eq!(sent["status"], "SENT");
    assert_eq!(sent["consent"]["id"], json!(consent));
    assert_eq!(sent["overdue"], false);
    assert!(sent["firstResponseDueAt"].is_string());

    // The partner sees it now, but not the person until it accepts.
    let r = app
        .gql(
            Some(&w.partner),
            &format!("{{ referrals(filter: {{direction: INCOMING}}) {{ totalCount edges {{ node {{ {REFERRAL_FIELDS} }} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["referrals"]["totalCount"], 1);
    let seen = &r.ok()["referrals"]["edges"][0]["node"];
    assert!(seen["subject"].is_null());
    assert!(seen["case"].is_null(), "a partner never gets the case record");
    assert!(seen["consent"].is_null(), "nor the consent record itself");

    let r = act(
        &app,
        &w.partner,
        "acceptReferral",
        &id,
        json!({"externalId": "EMP-2026-001"}),
    )
    .await;
    let accepted = referral(&r, "acceptReferral");
    assert_eq!(accepted["status"], "ACCEPTED");
    assert_eq!(accepted["externalId"], "EMP-2026-001");
    assert_eq!(
        accepted["subject"]["fullName"].as_str().map(|n| !n.is_empty()),
        Some(true)
    );
    assert!(
        accepted["subject"]["phone"].is_null(),
        "CONTACT is outside the consent"
    );
    assert!(accepted["subject"]["sentenceEnd"].is_string());
    assert!(accepted["case"].is_null());

    let r = act(
        &app,
        &w.partner,
        "startReferral",
        &id,
        json!({"note": "first session booked"}),
    )
    .await;
    assert_eq!(referral(&r, "startReferral")["status"], "IN_PROGRESS");
    let r = act(&app, &w.partner, "completeReferral", &id, json!({})).await;
    let done = referral(&r, "completeReferral");
    assert_eq!(done["status"], "COMPLETED");
    assert!(done["subject"].is_null(), "access ends with the referral");

    // Who and when for every step, seen from the referring side.
    let r = app
        .gql(
            Some(&w.officer),
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Referral {{ {REFERRAL_FIELDS} }} }} }}"),
            json!({"id": id}),
        )
        .await;
    let t = r.ok()["node"]["transitions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let steps: Vec<(Value, Value, Value)> = t
        .iter()
        .map(|x| {
            (
                x["fromStatus"].clone(),
                x["toStatus"].clone(),
                x["actorOrganisation"]["id"].clone(),
            )
        })
        .collect();
    let (referrer, partner) = (json!(w.probation), json!(w.employment));
    assert_eq!(
        steps,
        [
            (Value::Null, json!("DRAFT"), referrer.clone()),
            (json!("DRAFT"), json!("SENT"), referrer.clone()),
            (json!("SENT"), json!("ACCEPTED"), partner.clone()),
            (json!("ACCEPTED"), json!("IN_PROGRESS"), partner.clone()),
            (json!("IN_PROGRESS"), json!("COMPLETED"), partner),
        ]
    );
    assert_eq!(t[3]["note"], "first session booked");
    assert!(r.ok()["node"]["case"]["id"].is_string());
}

#[tokio::test]
async fn illegal_transitions_are_refused() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationKind": "EMPLOYMENT_CENTRE"})).await;
    let id = draft(&app, &w).await;

    act(&app, &w.partner, "acceptReferral", &id, json!({}))
        .await
        .expect_code("NOT_FOUND");
    act(
        &app,
        &w.officer,
        "withdrawReferral",
        &id,
        json!({"reason": "PERSON_WITHDREW"}),
    )
    .await
    .expect_code("INVALID_TRANSITION");
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();
    act(&app, &w.officer, "sendReferral", &id, json!({}))
        .await
        .expect_code("INVALID_TRANSITION");
    act(&app, &w.officer, "acceptReferral", &id, json!({}))
        .await
        .expect_code("FORBIDDEN");
    act(&app, &w.partner, "completeReferral", &id, json!({}))
        .await
        .expect_code("INVALID_TRANSITION");
    act(&app, &w.partner, "startReferral", &id, json!({}))
        .await
        .expect_code("INVALID_TRANSITION");
    act(
        &app,
        &w.partner,
        "cancelReferral",
        &id,
        json!({"reason": "NO_LONGER_NEEDED"}),
    )
    .await
    .expect_code("FORBIDDEN");
    let r = act(
        &app,
        &w.partner,
        "declineReferral",
        &id,
        json!({"reason": "OTHER"}),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.note"));

    let r = act(
        &app,
        &w.partner,
        "declineReferral",
        &id,
        json!({"reason": "NO_CAPACITY"}),
    )
    .await;
    let declined = referral(&r, "declineReferral");
    assert_eq!(declined["status"], "DECLINED");
    assert_eq!(declined["declineReason"], "NO_CAPACITY");
    for (who, name, extra) in [
        (&w.partner, "acceptReferral", json!({})),
        (
            &w.officer,
            "cancelReferral",
            json!({"reason": "NO_LONGER_NEEDED"}),
        ),
        (
            &w.partner,
            "withdrawReferral",
            json!({"reason": "PARTNER_WITHDREW"}),
        ),
    ] {
        act(&app, who, name, &id, extra)
            .await
            .expect_code("INVALID_TRANSITION");
    }
}

#[tokio::test]
async fn a_referral_can_be_cancelled_by_its_referrer_and_withdrawn_by_either_side() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;

    let first = draft(&app, &w).await;
    let r = act(
        &app,
        &w.officer,
        "cancelReferral",
        &first,
        json!({"reason": "SENT_IN_ERROR", "note": "wrong centre"}),
    )
    .await;
    let c = referral(&r, "cancelReferral");
    assert_eq!(
        (c["status"].clone(), c["cancelReason"].clone()),
        (json!("CANCELLED"), json!("SENT_IN_ERROR"))
    );
    assert_eq!(c["transitions"][1]["reason"], "SENT_IN_ERROR");

    let second = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &second, json!({}))
        .await
        .ok();
    act(&app, &w.partner, "acceptReferral", &second, json!({}))
        .await
        .ok();
    let r = act(
        &app,
        &w.partner,
        "withdrawReferral",
        &second,
        json!({"reason": "PERSON_UNREACHABLE"}),
    )
    .await;
    let c = referral(&r, "withdrawReferral");
    assert_eq!(c["status"], "CANCELLED");
    assert_eq!(c["withdrawalReason"], "PERSON_UNREACHABLE");
}

#[tokio::test]
async fn a_referral_goes_only_to_an_organisation_that_delivers_the_module() {
    let app = spawn_app().await;
    let Setup { w, p } = setup(&app).await;
    let r = create_referral(&app, &w, &p.ngo).await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.toOrganisationId"));

    // Switched off after the draft was made: sending is refused.
    let id = draft(&app, &w).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    set_probe(&app, &p.employment_admin, false, None).await;
    act(&app, &w.officer, "sendReferral", &id, json!({}))
        .await
        .expect_code("CONFLICT");
}

#[tokio::test]
async fn the_module_validates_the_referral_payload_and_the_kind_must_exist() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    let m = "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id payload } } }";
    let input = |kind: &str, payload: Value| json!({"i": {"caseId": w.case, "kind": kind, "toOrganisationId": w.employment, "summary": "x", "payload": payload}});
    for payload in [
        json!({"sessions": 0}),
        json!({"sessions": 3, "extra": true}),
        json!({}),
    ] {
        let r = app
            .gql(Some(&w.officer), m, input("probe.session", payload))
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("input.payload"));
    }
    let r = app
        .gql(
            Some(&w.officer),
            m,
            input("probe.unknown", json!({"sessions": 1})),
        )
        .await;
    assert_eq!(r.field(), Some("input.kind"));
    let r = app
        .gql(
            Some(&w.officer),
            m,
            input("probe.session", json!({"sessions": 3})),
        )
        .await;
    assert_eq!(
        r.ok()["createReferral"]["referral"]["payload"],
        json!({"sessions": 3})
    );
}

#[tokio::test]
async fn only_supervising_agencies_with_access_to_the_case_refer_it() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    let as_user = |token: String| {
        let app = &app;
        let w = &w;
        async move {
            app.gql(
                Some(&token),
                "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
                json!({"i": {"caseId": w.case, "kind": "probe.session", "toOrganisationId": w.employment,
                    "summary": "x", "payload": {"sessions": 1}}}),
            )
            .await
        }
    };
    as_user(w.member_a.clone()).await.expect_code("FORBIDDEN");
    as_user(w.officer_other.clone()).await.expect_code("NOT_FOUND");
    as_user(w.partner.clone()).await.expect_code("NOT_FOUND");
    as_user(w.inspector.clone()).await.ok();
}

#[tokio::test]
async fn a_legal_basis_lets_a_referral_go_without_consent_and_is_audited() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    let id = draft(&app, &w).await;
    let r = act(
        &app,
        &w.officer,
        "sendReferral",
        &id,
        json!({"legalBasis": "COURT_ORDER"}),
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    let r = act(
        &app,
        &w.officer,
        "sendReferral",
        &id,
        json!({"legalBasis": "COURT_ORDER", "legalBasisReason": "Court decision 2-123/2026 orders employment support"}),
    )
    .await;
    let sent = referral(&r, "sendReferral");
    assert_eq!(sent["status"], "SENT");
    assert_eq!(sent["legalBasis"], "COURT_ORDER");
    assert!(sent["consent"].is_null());
    let r = app
        .gql(
            Some(&w.auditor),
            "{ auditEvents(filter: {action: \"referral.consent_override\"}) { totalCount edges { node { targetId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["auditEvents"]["totalCount"], 1);
    assert_eq!(r.ok()["auditEvents"]["edges"][0]["node"]["targetId"], json!(id));

    let r = act(&app, &w.partner, "acceptReferral", &id, json!({})).await;
    assert!(referral(&r, "acceptReferral")["subject"]["fullName"].is_string());
}

#[tokio::test]
async fn withdrawing_consent_cuts_the_partner_off_at_once() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    let consent = record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let id = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();
    act(&app, &w.partner, "acceptReferral", &id, json!({})).await.ok();
    let see = format!("query($id: ID!) {{ node(id: $id) {{ ... on Referral {{ {REFERRAL_FIELDS} }} }} }}");
    let r = app.gql(Some(&w.partner), &see, json!({"id": id})).await;
    assert!(r.ok()["node"]["subject"]["fullName"].is_string());

    // Only the supervising agencies withdraw it, with a reason.
    let withdraw =
        "mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { live withdrawalReason } }";
    app.gql(
        Some(&w.partner),
        withdraw,
        json!({"i": {"id": consent, "reason": "PERSON_REQUEST"}}),
    )
    .await
    .expect_code("NOT_FOUND");
    let r = app
        .gql(
            Some(&w.officer),
            withdraw,
            json!({"i": {"id": consent, "reason": "PERSON_REQUEST"}}),
        )
        .await;
    assert_eq!(r.ok()["withdrawConsent"]["live"], false);
    app.gql(
        Some(&w.officer),
        withdraw,
        json!({"i": {"id": consent, "reason": "PERSON_REQUEST"}}),
    )
    .await
    .expect_code("CONFLICT");

    let r = app.gql(Some(&w.partner), &see, json!({"id": id})).await;
    let node = &r.ok()["node"];
    assert!(node["subject"].is_null());
    assert_eq!(node["status"], "CANCELLED");
    assert_eq!(node["withdrawalReason"], "CONSENT_WITHDRAWN");
    let r = app.gql(Some(&w.officer), &see, json!({"id": id})).await;
    assert_eq!(r.ok()["node"]["consent"]["live"], false);
    // A new referral cannot be sent under the withdrawn consent.
    let again = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &again, json!({}))
        .await
        .expect_code("CONFLICT");
}

#[tokio::test]
async fn a_consent_must_cover_the_recipient_and_the_purpose() {
    let app = spawn_app().await;
    let Setup { w, p } = setup(&app).await;
    // For another organisation: does not cover the employment centre.
    record_consent(&app, &w, json!({"organisationId": p.ngo})).await;
    let id = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({}))
        .await
        .expect_code("CONFLICT");
    // Expired consents do not count either; bad inputs are refused.
    let rec = "mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id } }";
    let base =
        json!({"personId": w.person, "purpose": "probe", "dataScope": ["IDENTITY"], "evidence": "Form 1"});
    for (patch, field) in [
        (
            json!({"expiresAt": "2020-01-01T00:00:00Z", "organisationId": w.employment}),
            "input.expiresAt",
        ),
        (
            json!({"purpose": "nothing", "organisationId": w.employment}),
            "input.purpose",
        ),
        (
            json!({"organisationId": w.employment, "organisationKind": "NGO"}),
            "input.organisationId",
        ),
        (
            json!({"organisationId": w.employment, "dataScope": []}),
            "input.dataScope",
        ),
        (
            json!({"organisationId": w.employment, "evidence": "  "}),
            "input.evidence",
        ),
    ] {
        let mut input = base.clone();
        for (k, v) in patch.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        let r = app.gql(Some(&w.officer), rec, json!({"i": input})).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some(field));
    }
    // A mahalla member may not record consents.
    let mut input = base.clone();
    input["organisationId"] = json!(w.employment);
    app.gql(Some(&w.member_a), rec, json!({"i": input}))
        .await
        .expect_code("FORBIDDEN");
    let r = app
        .gql(
            Some(&w.member_a),
            "query($p: ID!) { consents(personId: $p) { totalCount } }",
            json!({"p": w.person}),
        )
        .await;
    assert_eq!(r.ok()["consents"]["totalCount"], 1);
}

#[tokio::test]
async fn partners_see_exactly_the_referrals_sent_to_them() {
    let app = spawn_app().await;
    let Setup { w, p } = setup(&app).await;
    set_probe(&app, &p.ngo_admin, true, None).await;
    record_consent(&app, &w, json!({"organisationKind": "EMPLOYMENT_CENTRE"})).await;
    let to_employment = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &to_employment, json!({}))
        .await
        .ok();
    let r = create_referral(&app, &w, &p.ngo).await;
    let to_ngo = s(r.ok(), "createReferral.referral.id").to_owned();
    act(
        &app,
        &w.officer,
        "sendReferral",
        &to_ngo,
        json!({"legalBasis": "STATUTORY_DUTY", "legalBasisReason": "Law on probation, art. 12"}),
    )
    .await
    .ok();

    let list = "{ referrals { totalCount edges { node { id } } } }";
    let ids = |r: &Resp| -> Vec<String> {
        r.ok()["referrals"]["edges"]
            .as_array()
            .map(|e| e.iter().map(|x| s(x, "node.id").to_owned()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        ids(&app.gql(Some(&w.partner), list, json!({})).await),
        std::slice::from_ref(&to_employment)
    );
    assert_eq!(
        ids(&app.gql(Some(&p.ngo_staff), list, json!({})).await),
        std::slice::from_ref(&to_ngo)
    );
    assert_eq!(ids(&app.gql(Some(&w.officer), list, json!({})).await).len(), 2);
    assert_eq!(
        ids(&app.gql(Some(&w.officer_other), list, json!({})).await).len(),
        0
    );
    let see = "query($id: ID!) { node(id: $id) { id } }";
    assert!(
        app.gql(Some(&p.ngo_staff), see, json!({"id": to_employment}))
            .await
            .ok()["node"]
            .is_null()
    );
    act(&app, &p.ngo_staff, "acceptReferral", &to_employment, json!({}))
        .await
        .expect_code("NOT_FOUND");
}

#[tokio::test]
async fn an_unanswered_referral_becomes_overdue_after_its_deadline() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let id = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();
    let overdue = "{ referrals(filter: {overdue: true}) { totalCount edges { node { id overdue } } } }";
    assert_eq!(
        app.gql(Some(&w.partner), overdue, json!({})).await.ok()["referrals"]["totalCount"],
        0
    );

    // Move the deadline into the past, as time would.
    use sea_orm::ConnectionTrait;
    app.db()
        .execute_unprepared("UPDATE referrals SET first_response_due_at = sent_at")
        .await
        .expect("update");
    let r = app.gql(Some(&w.partner), overdue, json!({})).await;
    assert_eq!(r.ok()["referrals"]["totalCount"], 1);
    assert_eq!(r.ok()["referrals"]["edges"][0]["node"]["overdue"], true);
    act(&app, &w.partner, "acceptReferral", &id, json!({})).await.ok();
    assert_eq!(
        app.gql(Some(&w.partner), overdue, json!({})).await.ok()["referrals"]["totalCount"],
        0
    );
}

#[tokio::test]
async fn the_partner_reference_is_unique_within_the_partner() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let a = draft(&app, &w).await;
    let b = draft(&app, &w).await;
    for id in [&a, &b] {
        act(&app, &w.officer, "sendReferral", id, json!({})).await.ok();
    }
    act(
        &app,
        &w.partner,
        "acceptReferral",
        &a,
        json!({"externalId": "EXT-1"}),
    )
    .await
    .ok();
    act(
        &app,
        &w.partner,
        "acceptReferral",
        &b,
        json!({"externalId": "EXT-1"}),
    )
    .await
    .expect_code("CONFLICT");
    let set = "mutation($i: SetReferralExternalIdInput!) { setReferralExternalId(input: $i) { referral { externalId status } } }";
    let r = app
        .gql(
            Some(&w.partner),
            set,
            json!({"i": {"id": b, "externalId": "EXT-2"}}),
        )
        .await;
    assert_eq!(r.ok()["setReferralExternalId"]["referral"]["externalId"], "EXT-2");
    assert_eq!(
        r.ok()["setReferralExternalId"]["referral"]["status"],
        "SENT",
        "the refused accept left nothing behind"
    );
    app.gql(
        Some(&w.officer),
        set,
        json!({"i": {"id": b, "externalId": "EXT-3"}}),
    )
    .await
    .expect_code("FORBIDDEN");
}

#[tokio::test]
async fn an_answer_racing_another_change_starts_from_the_committed_status() {
    use std::time::Duration;

    use sea_orm::ConnectionTrait;

    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let id = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &id, json!({})).await.ok();
    let n = hamkor_api::ids::decode(&id).map(|(_, n)| n).expect("referral id");

    // Another writer changes the referral and holds its transaction open while the
    // partner accepts: the accept must wait and then see DECLINED, not overwrite it.
    let other = hamkor_api::db::write_txn(app.db()).await.expect("begin");
    other
        .execute_unprepared(&format!(
            "UPDATE referrals SET status = 'DECLINED' WHERE id = {n}"
        ))
        .await
        .expect("update");
    let (accept, ()) = tokio::join!(act(&app, &w.partner, "acceptReferral", &id, json!({})), async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        other.commit().await.expect("commit");
    });
    accept.expect_code("INVALID_TRANSITION");
}

#[tokio::test]
async fn mahalla_members_do_not_see_referrals() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    let id = draft(&app, &w).await;
    let r = app
        .gql(Some(&w.member_a), "{ referrals { totalCount } }", json!({}))
        .await;
    assert_eq!(r.ok()["referrals"]["totalCount"], 0);
    let r = app
        .gql(
            Some(&w.member_a),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert!(r.ok()["node"].is_null());
    let r = app
        .gql(
            Some(&w.inspector),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.ok()["node"]["id"], json!(id));
    // Nor their events, while the case's other events stay visible to them.
    let q = "query($t: [String!]) { events(filter: {types: $t}) { totalCount } }";
    let count = |token: String, types: Value| {
        let app = &app;
        async move { app.gql(Some(&token), q, json!({"t": types})).await.ok()["events"]["totalCount"].clone() }
    };
    assert_eq!(count(w.member_a.clone(), json!(["referral.created"])).await, 0);
    assert_eq!(count(w.inspector.clone(), json!(["referral.created"])).await, 1);
    assert_ne!(count(w.member_a.clone(), Value::Null).await, 0);
}

#[tokio::test]
async fn a_referral_of_a_closed_case_does_not_move_forward() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let waiting = draft(&app, &w).await;
    let sent = draft(&app, &w).await;
    act(&app, &w.officer, "sendReferral", &sent, json!({})).await.ok();
    crate::world::set_status(
        &app,
        &w.officer,
        &w.case,
        "REVOKED",
        Some("court revoked the sentence"),
    )
    .await
    .ok();
    act(&app, &w.officer, "sendReferral", &waiting, json!({}))
        .await
        .expect_code("CONFLICT");
    act(&app, &w.partner, "acceptReferral", &sent, json!({}))
        .await
        .expect_code("CONFLICT");
    // Declining or cancelling stays possible.
    let r = act(
        &app,
        &w.partner,
        "declineReferral",
        &sent,
        json!({"reason": "NOT_ELIGIBLE"}),
    )
    .await;
    assert_eq!(referral(&r, "declineReferral")["status"], "DECLINED");
    let set =
        "mutation($i: SetReferralExternalIdInput!) { setReferralExternalId(input: $i) { referral { id } } }";
    app.gql(
        Some(&w.partner),
        set,
        json!({"i": {"id": sent, "externalId": "LATE-1"}}),
    )
    .await
    .expect_code("CONFLICT");
}

#[tokio::test]
async fn administrators_do_not_follow_events_about_people() {
    let app = spawn_app().await;
    let Setup { w, .. } = setup(&app).await;
    record_consent(&app, &w, json!({"organisationId": w.employment})).await;
    let q = "{ events(filter: {types: [\"consent.recorded\", \"person.registered\"]}) { totalCount } }";
    for admin in [&w.admin, &w.org_admin] {
        let r = app.gql(Some(admin), q, json!({})).await;
        assert_eq!(r.ok()["events"]["totalCount"], 0);
    }
    // Organisation events stay theirs.
    let r = app
        .gql(
            Some(&w.admin),
            "{ events(filter: {types: [\"organisation.created\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_ne!(r.ok()["events"]["totalCount"], 0);
}
