//! People and cases: input validation, the status lifecycle, conditions and filters.

use serde_json::json;

use crate::helpers::{s, spawn_app, spawn_app_with};
use crate::world::{case_input, create_case, create_person, set_status, world};

const CREATE_PERSON: &str =
    "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id pinfl phone languages } }";

#[tokio::test]
async fn a_pinfl_that_is_not_14_digits_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for bad in ["1234", "3150590123456a", "315059012345678"] {
        let r = app
            .gql(
                Some(&w.officer),
                CREATE_PERSON,
                json!({"i": {"pinfl": bad, "lastName": "A", "firstName": "B", "birthDate": "1990-01-01", "mahallaId": w.mahalla_a}}),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("input.pinfl"));
    }
}

#[tokio::test]
async fn a_second_person_with_the_same_pinfl_is_a_conflict() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            CREATE_PERSON,
            json!({"i": {"pinfl": "31505901234567", "lastName": "A", "firstName": "B", "birthDate": "1990-01-01", "mahallaId": w.mahalla_a}}),
        )
        .await;
    r.expect_code("CONFLICT");
}

#[tokio::test]
async fn person_inputs_are_normalised() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            CREATE_PERSON,
            json!({"i": {"pinfl": "3150 5901 2345 00", "lastName": " Aliyev ", "firstName": "Vali", "birthDate": "1991-01-01",
                          "mahallaId": w.mahalla_a, "phone": "90 123 45 67", "languages": ["UZ", "ru", "uz"]}}),
        )
        .await;
    let p = &r.ok()["createPerson"];
    assert_eq!(p["pinfl"], "31505901234500");
    assert_eq!(p["phone"], "+998901234567");
    assert_eq!(p["languages"], json!(["uz", "ru"]));
}

#[tokio::test]
async fn only_probation_officers_register_people_and_open_cases() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for token in [&w.inspector, &w.member_a, &w.partner, &w.admin] {
        let r = app
            .gql(
                Some(token),
                CREATE_PERSON,
                json!({"i": {"pinfl": "31505901230001", "lastName": "A", "firstName": "B", "birthDate": "1990-01-01", "mahallaId": w.mahalla_a}}),
            )
            .await;
        r.expect_code("FORBIDDEN");
        let r = app
            .gql(
                Some(token),
                "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
                json!({"i": case_input(&w.person, json!({}))}),
            )
            .await;
        r.expect_code("FORBIDDEN");
    }
}

#[tokio::test]
async fn a_new_case_starts_pending_with_its_conditions_and_history() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = create_person(&app, &w.officer, &w.mahalla_b, "31505901230002").await;
    let case = create_case(&app, &w.officer, &person, json!({})).await;
    let r = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { case(id: $id) { status officer { id } mahalla { id } district { id }
               conditions { kind curfewStart curfewEnd reportEveryDays active }
               statusHistory { edges { node { fromStatus toStatus } } } } }",
            json!({"id": case}),
        )
        .await;
    let c = &r.ok()["case"];
    assert_eq!(c["status"], "PENDING");
    assert_eq!(c["officer"]["id"], w.officer_id);
    assert_eq!(c["mahalla"]["id"], w.mahalla_b);
    assert_eq!(c["district"]["id"], w.district);
    assert_eq!(c["conditions"][0]["kind"], "CURFEW");
    assert_eq!(c["conditions"][0]["curfewStart"], "22:00:00");
    assert_eq!(c["conditions"][1]["reportEveryDays"], 14);
    assert_eq!(c["statusHistory"]["edges"][0]["node"]["toStatus"], "PENDING");
}

#[tokio::test]
async fn the_documented_lifecycle_runs_from_pending_to_completed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = create_person(&app, &w.officer, &w.mahalla_a, "31505901230003").await;
    let case = create_case(&app, &w.officer, &person, json!({"sentenceEnd": "2026-03-01"})).await;
    for (status, reason) in [
        ("ACTIVE", None),
        ("SUSPENDED", Some("in hospital")),
        ("ACTIVE", None),
        ("COMPLETED", None),
    ] {
        let r = set_status(&app, &w.officer, &case, status, reason).await;
        assert_eq!(r.ok()["changeCaseStatus"]["status"], status);
    }
    let r = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { case(id: $id) { statusHistory { totalCount } } }",
            json!({"id": case}),
        )
        .await;
    assert_eq!(r.ok()["case"]["statusHistory"]["totalCount"], 5);
}

#[tokio::test]
async fn illegal_transitions_answer_invalid_transition_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = create_person(&app, &w.officer, &w.mahalla_a, "31505901230004").await;
    let case = create_case(&app, &w.officer, &person, json!({})).await;
    for to in ["COMPLETED", "SUSPENDED", "REVOKED", "PENDING"] {
        set_status(&app, &w.officer, &case, to, Some("reason"))
            .await
            .expect_code("INVALID_TRANSITION");
    }
    set_status(&app, &w.officer, &case, "ACTIVE", None).await.ok();
    set_status(
        &app,
        &w.officer,
        &case,
        "REVOKED",
        Some("court replaced the sentence"),
    )
    .await
    .ok();
    for to in ["ACTIVE", "SUSPENDED", "COMPLETED"] {
        set_status(&app, &w.officer, &case, to, Some("reason"))
            .await
            .expect_code("INVALID_TRANSITION");
    }
    let r = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { case(id: $id) { status statusHistory { totalCount } } }",
            json!({"id": case}),
        )
        .await;
    assert_eq!(r.ok()["case"]["status"], "REVOKED");
    assert_eq!(r.ok()["case"]["statusHistory"]["totalCount"], 3);
}

#[tokio::test]
async fn suspending_or_revoking_without_a_reason_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for to in ["SUSPENDED", "REVOKED"] {
        let r = set_status(&app, &w.officer, &w.case, to, None).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some("reason"));
    }
    // Completing before the sentence ends also needs a reason.
    set_status(&app, &w.officer, &w.case, "COMPLETED", None)
        .await
        .expect_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn a_closed_case_cannot_be_edited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    set_status(&app, &w.officer, &w.case, "REVOKED", Some("new offence"))
        .await
        .ok();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!) { updateCase(id: $id, input: {riskLevel: HIGH}) { id } }",
            json!({"id": w.case}),
        )
        .await;
    r.expect_code("CONFLICT");
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!) { addCaseCondition(caseId: $id, input: {kind: REPORTING, reportEveryDays: 7}) { id } }",
            json!({"id": w.case}),
        )
        .await;
    r.expect_code("CONFLICT");
}

#[tokio::test]
async fn sentence_dates_must_be_in_order() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
            json!({"i": case_input(&w.person, json!({"sentenceStart": "2027-01-01", "sentenceEnd": "2026-06-01"}))}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.sentenceEnd"));
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
            json!({"i": case_input(&w.person, json!({"courtDecisionDate": "2026-03-01", "sentenceStart": "2026-02-01"}))}),
        )
        .await;
    assert_eq!(r.field(), Some("input.sentenceStart"));
}

#[tokio::test]
async fn malformed_conditions_are_refused_naming_the_condition() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let bad = [
        (
            json!({"kind": "CURFEW", "curfewStart": "22:00:00"}),
            "input.conditions[0].curfewStart",
        ),
        (
            json!({"kind": "CURFEW", "curfewStart": "22:00:00", "curfewEnd": "22:00:00"}),
            "input.conditions[0].curfewEnd",
        ),
        (
            json!({"kind": "REPORTING", "reportEveryDays": 0}),
            "input.conditions[0].reportEveryDays",
        ),
        (
            json!({"kind": "STAY_WITHIN_AREA"}),
            "input.conditions[0].territoryId",
        ),
        (json!({"kind": "OTHER"}), "input.conditions[0].description"),
    ];
    for (cond, field) in bad {
        let r = app
            .gql(
                Some(&w.officer),
                "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
                json!({"i": case_input(&w.person, json!({"conditions": [cond]}))}),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.field(), Some(field));
    }
    let r = app
        .gql(Some(&w.officer), "{ cases { totalCount } }", json!({}))
        .await;
    assert_eq!(r.ok()["cases"]["totalCount"], 1, "nothing half-written");
}

#[tokio::test]
async fn an_area_condition_names_its_territory_and_can_be_ended() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!, $t: ID!) { addCaseCondition(caseId: $id, input: {kind: STAY_WITHIN_AREA, territoryId: $t}) {
               id kind active territory { ... on District { id soato } } } }",
            json!({"id": w.case, "t": w.district}),
        )
        .await;
    let c = &r.ok()["addCaseCondition"];
    assert_eq!(c["territory"]["soato"], "1718401");
    assert_eq!(c["active"], true);
    let id = s(c, "id").to_owned();
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!) { endCaseCondition(id: $id, validUntil: \"2026-01-01\") { active validUntil } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.ok()["endCaseCondition"]["active"], false);
    let r = app
        .gql(
            Some(&w.officer),
            "query($id: ID!) { case(id: $id) { conditions(activeOnly: true) { kind } } }",
            json!({"id": w.case}),
        )
        .await;
    assert_eq!(r.ok()["case"]["conditions"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn case_filters_select_by_status_mahalla_risk_officer_and_dates() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p2 = create_person(&app, &w.officer, &w.mahalla_b, "31505901230005").await;
    create_case(
        &app,
        &w.officer,
        &p2,
        json!({"riskLevel": "HIGH", "sentenceStart": "2026-04-01", "sentenceEnd": "2027-04-01"}),
    )
    .await;
    let count = |filter: serde_json::Value| {
        let app = &app;
        let token = w.officer.clone();
        async move {
            let r = app
                .gql(
                    Some(&token),
                    "query($f: CaseFilterInput) { cases(filter: $f) { totalCount } }",
                    json!({"f": filter}),
                )
                .await;
            r.ok()["cases"]["totalCount"].as_i64().unwrap_or(-1)
        }
    };
    assert_eq!(count(json!({})).await, 2);
    assert_eq!(count(json!({"statuses": ["ACTIVE"]})).await, 1);
    assert_eq!(count(json!({"statuses": ["PENDING", "ACTIVE"]})).await, 2);
    assert_eq!(count(json!({"mahallaIds": [w.mahalla_b]})).await, 1);
    assert_eq!(count(json!({"districtId": w.district})).await, 2);
    assert_eq!(count(json!({"regionId": w.region})).await, 2);
    assert_eq!(count(json!({"riskLevels": ["HIGH"]})).await, 1);
    assert_eq!(count(json!({"officerId": w.officer_id})).await, 2);
    assert_eq!(count(json!({"inspectorId": w.inspector_id})).await, 1);
    assert_eq!(count(json!({"sentenceStartFrom": "2026-03-01"})).await, 1);
    assert_eq!(count(json!({"sentenceEndTo": "2027-12-31"})).await, 1);
    assert_eq!(count(json!({"personId": w.person})).await, 1);
}

#[tokio::test]
async fn a_filter_id_of_the_wrong_type_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "query($f: CaseFilterInput) { cases(filter: $f) { totalCount } }",
            json!({"f": {"districtId": w.region}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("filter.districtId"));
}

#[tokio::test]
async fn the_officer_updates_risk_team_and_mahalla() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!, $m: ID!) { updateCase(id: $id, input: {riskLevel: HIGH, mahallaId: $m, inspectorId: null}) {
               riskLevel mahalla { id } inspector { id } } }",
            json!({"id": w.case, "m": w.mahalla_b}),
        )
        .await;
    let c = &r.ok()["updateCase"];
    assert_eq!(c["riskLevel"], "HIGH");
    assert_eq!(c["mahalla"]["id"], w.mahalla_b);
    assert!(c["inspector"].is_null());
    // The inspector covered mahalla A only and was unassigned: the case is no longer theirs.
    let r = app
        .gql(
            Some(&w.inspector),
            "query($id: ID!) { case(id: $id) { id } }",
            json!({"id": w.case}),
        )
        .await;
    assert!(r.ok()["case"].is_null());
}

#[tokio::test]
async fn the_lead_officer_must_be_an_officer_of_the_lead_organisation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.officer),
            "mutation($id: ID!, $o: ID!) { updateCase(id: $id, input: {officerId: $o}) { id } }",
            json!({"id": w.case, "o": w.inspector_id}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.officerId"));
}

#[tokio::test]
async fn people_are_searched_by_name_and_pinfl() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let q = "query($f: PersonFilterInput) { people(filter: $f) { totalCount edges { node { fullName } } } }";
    let r = app
        .gql(Some(&w.officer), q, json!({"f": {"search": "qodir"}}))
        .await;
    assert_eq!(r.ok()["people"]["totalCount"], 1);
    assert_eq!(
        r.ok()["people"]["edges"][0]["node"]["fullName"],
        "Qodirov Anvar Baxtiyorovich"
    );
    let r = app
        .gql(Some(&w.officer), q, json!({"f": {"pinfl": "31505901234567"}}))
        .await;
    assert_eq!(r.ok()["people"]["totalCount"], 1);
    let r = app
        .gql(Some(&w.officer), q, json!({"f": {"search": "nobody"}}))
        .await;
    assert_eq!(r.ok()["people"]["totalCount"], 0);
    let r = app
        .gql(Some(&w.officer), q, json!({"f": {"search": "100%_"}}))
        .await;
    assert_eq!(r.ok()["people"]["totalCount"], 0);
}

const CASE_LIST_WITH_RECORDS: &str =
    "{ cases(first: 50) { edges { node { id person { fullName } mahalla { name }
    officer { displayName } inspector { displayName } conditions { kind } rehabilitationPlan { id }
    appointments(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id outcome } } }
    violations(first: 3) { totalCount }
    statusHistory(first: 1) { edges { node { toStatus } } } } } } }";

#[tokio::test]
async fn a_list_of_cases_with_their_records_costs_the_same_queries_for_more_cases() {
    // The outbox readers poll the same database: keep them quiet while counting.
    let app = spawn_app_with(|s| s.event_poll_interval_ms = 3_600_000).await;
    let w = world(&app).await;
    let add_cases = |n: usize, offset: usize| {
        let app = &app;
        let w = &w;
        async move {
            for i in 0..n {
                let person = create_person(
                    app,
                    &w.officer,
                    &w.mahalla_a,
                    &format!("3150590120{:04}", offset + i),
                )
                .await;
                let case =
                    create_case(app, &w.officer, &person, json!({"inspectorId": w.inspector_id})).await;
                set_status(app, &w.officer, &case, "ACTIVE", None).await.ok();
                for _ in 0..3 {
                    app.gql(
                        Some(&w.officer),
                        "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
                        json!({"i": {"caseId": case, "kind": "PHONE", "at": "2026-11-01T10:00:00Z"}}),
                    )
                    .await
                    .ok();
                }
            }
        }
    };
    add_cases(2, 0).await;
    let before = app.query_count();
    let r = app.gql(Some(&w.officer), CASE_LIST_WITH_RECORDS, json!({})).await;
    let few = app.query_count() - before;
    assert_eq!(r.ok()["cases"]["edges"].as_array().map(Vec::len), Some(3));

    add_cases(6, 100).await;
    let before = app.query_count();
    let r = app.gql(Some(&w.officer), CASE_LIST_WITH_RECORDS, json!({})).await;
    let many = app.query_count() - before;
    let edges = r.ok()["cases"]["edges"].as_array().cloned().unwrap_or_default();
    assert_eq!(edges.len(), 9);
    assert_eq!(
        few, many,
        "the number of statements must not grow with the number of cases"
    );

    // Each case still gets its own page of appointments.
    let newest = &edges[0]["node"]["appointments"];
    assert_eq!(newest["totalCount"], 3);
    assert_eq!(newest["pageInfo"]["hasNextPage"], true);
    assert_eq!(newest["edges"].as_array().map(Vec::len), Some(2));
    let world_case = edges
        .iter()
        .find(|e| e["node"]["id"] == w.case)
        .expect("the world's case is listed");
    assert_eq!(world_case["node"]["appointments"]["totalCount"], 0);
}

#[tokio::test]
async fn a_nested_page_continues_from_its_cursor() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for day in 1..=5 {
        app.gql(
            Some(&w.officer),
            "mutation($i: RecordCheckInInput!) { recordCheckIn(input: $i) { id } }",
            json!({"i": {"caseId": w.case, "kind": "PHONE", "at": format!("2026-11-0{day}T10:00:00Z")}}),
        )
        .await
        .ok();
    }
    let q = "query($id: ID!, $after: String) { case(id: $id) { appointments(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { scheduledAt } } } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(Some(&w.officer), q, json!({"id": w.case, "after": after}))
            .await;
        let conn = &r.ok()["case"]["appointments"];
        for e in conn["edges"].as_array().into_iter().flatten() {
            seen.push(e["node"]["scheduledAt"].as_str().unwrap_or_default().to_owned());
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 5);
    assert!(seen[0].starts_with("2026-11-05"), "newest first: {seen:?}");
}
