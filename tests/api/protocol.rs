//! Protocol edges: suggestions follow introspection, input values not of their type are
//! BAD_USER_INPUT naming the field, and the standard introspection query is accepted.

use serde_json::{Value, json};

use crate::helpers::{Resp, spawn_app, spawn_app_with};
use crate::world::world;

/// graphql-js's `getIntrospectionQuery()` with its default options, as schema-driven
/// tools (GraphiQL's docs, code generators, fuzzers) send it.
const INTROSPECTION_QUERY: &str = include_str!("fixtures/introspection-query.graphql");

fn messages(r: &Resp) -> String {
    r.body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .filter_map(|e| e["message"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn without_introspection_validation_errors_suggest_no_names() {
    let app = spawn_app_with(|s| s.introspection = false).await;
    for query in [
        "{ caes { totalCount } }",
        "{ cases(frist: 1) { totalCount } }",
        "mutation { logn(username: \"a\", password: \"b\") { accessToken } }",
    ] {
        let r = app.gql(None, query, json!({})).await;
        r.expect_code("GRAPHQL_VALIDATION_FAILED");
        let said = messages(&r);
        assert!(!said.contains("Did you mean"), "{query}: {said}");
    }
}

#[tokio::test]
async fn with_introspection_validation_errors_still_suggest() {
    let app = spawn_app().await;
    let r = app.gql(None, "{ caes { totalCount } }", json!({})).await;
    assert!(messages(&r).contains("Did you mean"), "{}", r.body);
}

#[tokio::test]
async fn input_values_not_of_their_type_are_bad_user_input_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let w = world(&app).await;
    #[cfg(feature = "employment")]
    app.gql(
        Some(&w.org_admin),
        "mutation { configureModule(input: {moduleId: \"employment\", enabled: true}) { enabled } }",
        json!({}),
    )
    .await
    .ok();
    #[allow(unused_mut)] // the module's cases join only when it is compiled in
    let mut cases: Vec<(&str, Value, &str)> = vec![
        (
            "mutation($i: CaseConditionInput!) { addCaseCondition(caseId: \"Q2FzZTox\", input: $i) { id } }",
            json!({"i": {"kind": "CURFEW", "curfewStart": "25:00:00", "curfewEnd": "06:00:00"}}),
            "input",
        ),
        (
            "query($i: AnalyticsInput!) { analytics(input: $i) { total { casesPending } } }",
            json!({"i": {"level": "REGION", "from": "1990-02-30", "to": "1990-03-30"}}),
            "input",
        ),
        (
            "{ analytics(input: {level: REGION, from: \"1990-02-30\", to: \"1990-03-30\"}) { total { casesPending } } }",
            json!({}),
            "input",
        ),
        (
            "query($f: AuditEventFilterInput) { auditEvents(filter: $f) { totalCount } }",
            json!({"f": {"from": "yesterday"}}),
            "filter",
        ),
    ];
    #[cfg(feature = "employment")]
    cases.extend([
        (
            "query($n: Int) { employment { vacancies(first: $n) { totalCount } } }",
            json!({"n": 99_999_999_999_u64}),
            "first",
        ),
        (
            "{ employment { vacancies(first: 99999999999) { totalCount } } }",
            json!({}),
            "first",
        ),
    ]);
    for (n, (query, variables, field)) in cases.into_iter().enumerate() {
        // The module's questions are asked by an officer of an organisation that has it on.
        let caller = if n >= 4 { &w.officer } else { &admin };
        let r = app.gql(Some(caller), query, variables).await;
        assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{query}: {}", r.body);
        assert!(
            r.field()
                .is_some_and(|f| f == field || f.starts_with(&format!("{field}."))),
            "{query}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn the_standard_introspection_query_is_answered() {
    let app = spawn_app().await;
    let r = app.gql(None, INTROSPECTION_QUERY, json!({})).await;
    let types = r.ok()["__schema"]["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["name"] == "Case"));
}

#[tokio::test]
async fn introspection_has_a_depth_bound_of_its_own() {
    let app = spawn_app().await;
    let mut of_type = String::from("name");
    for _ in 0..30 {
        of_type = format!("ofType {{ {of_type} }}");
    }
    let r = app
        .gql(
            None,
            &format!("{{ __type(name: \"Case\") {{ {of_type} }} }}"),
            json!({}),
        )
        .await;
    r.expect_code("GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn ordinary_fields_keep_the_depth_limit() {
    let app = spawn_app_with(|s| s.max_query_depth = 3).await;
    let admin = app.admin_token().await;
    let r = app
        .gql(Some(&admin), "{ cases { nodes { officer { id } } } }", json!({}))
        .await;
    r.expect_code("GRAPHQL_VALIDATION_FAILED");
    assert!(messages(&r).contains("nested too deep"), "{}", r.body);
    let r = app
        .gql(Some(&admin), "{ cases { nodes { id } } }", json!({}))
        .await;
    r.ok();
}
