//! Tests: GraphQL over HTTP (methods, media types, status codes), request ids, health
//! endpoints, CORS, and the operation limits (depth, aliases, complexity, page size,
//! introspection).

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// A raw HTTP answer.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
}

async fn raw(resp: reqwest::Response) -> Raw {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    Raw {
        status,
        headers,
        body,
    }
}

/// `GET /graphql?query=…` with an optional bearer token.
async fn get(app: &TestApp, token: Option<&str>, query: &str) -> Raw {
    let url = Url::parse_with_params(&app.url("/graphql"), &[("query", query)]).expect("url");
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    raw(req.send().await.expect("request")).await
}

/// `POST /graphql` of `query` with the given `Accept`.
async fn post_accepting(app: &TestApp, accept: &str, query: &str) -> Raw {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header(ACCEPT, accept)
        .json(&json!({"query": query}))
        .send()
        .await
        .expect("request");
    raw(resp).await
}

/// `POST /graphql` of a body sent as is, with a content type.
async fn post_body(app: &TestApp, content_type: &str, body: &str) -> Raw {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    raw(resp).await
}

async fn path(app: &TestApp, p: &str) -> Raw {
    raw(app.client.get(app.url(p)).send().await.expect("request")).await
}

#[tokio::test]
async fn a_get_request_with_a_bearer_token_runs_a_query() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let r = get(&app, Some(&token), "{me{roles}}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(r.body["data"]["me"]["roles"], json!(["PLATFORM_ADMIN"]));
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_not_executed() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let r = get(&app, Some(&token), "mutation { logout }").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert_eq!(r.header("allow"), Some("POST"));
    assert!(r.body.get("data").is_none(), "{}", r.body);

    // The logout did not run: the token still works.
    let me = app.gql(Some(&token), "{ me { roles } }", json!({})).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.ok()["me"]["roles"], json!(["PLATFORM_ADMIN"]));
}

#[tokio::test]
async fn a_post_with_a_text_plain_body_is_refused_with_415() {
    let app = spawn_app().await;
    let r = post_body(&app, "text/plain", r#"{"query":"{ __typename }"}"#).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert!(r.body.get("data").is_none());
}

#[tokio::test]
async fn a_post_with_invalid_json_is_refused_with_400() {
    let app = spawn_app().await;
    let r = post_body(&app, "application/json", r#"{"query": "{ __typename }""#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["errors"][0]["message"].is_string());
    assert!(r.body.get("data").is_none());
}

#[tokio::test]
async fn a_batched_request_is_refused_with_400() {
    let app = spawn_app().await;
    let r = post_body(
        &app,
        "application/json",
        r#"[{"query":"{ __typename }"},{"query":"{ __typename }"}]"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.get("data").is_none());
}

#[tokio::test]
async fn a_body_without_a_query_is_refused_with_400() {
    let app = spawn_app().await;
    let r = post_body(&app, "application/json", r#"{"variables": {}}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.get("data").is_none());
}

#[tokio::test]
async fn variables_or_extensions_that_are_not_a_map_are_refused_with_400() {
    let app = spawn_app().await;
    for body in [
        r#"{"query": "{ __typename }", "variables": [1]}"#,
        r#"{"query": "{ __typename }", "variables": "x"}"#,
        r#"{"query": "{ __typename }", "extensions": [1]}"#,
        r#"{"query": "{ __typename }", "extensions": "x"}"#,
        r#"{"query": "{ __typename }", "extensions": 7}"#,
    ] {
        let r = post_body(&app, "application/json", body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(r.body.get("data").is_none(), "{body}: {}", r.body);
    }
    let r = post_body(
        &app,
        "application/json",
        r#"{"query": "{ __typename }", "extensions": {"a": 1}}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn a_document_that_does_not_parse_answers_400_without_data() {
    let app = spawn_app().await;
    let r = post_accepting(&app, GRAPHQL_RESPONSE_JSON, "{ me { roles ").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.content_type(), Some(GRAPHQL_RESPONSE_JSON));
    assert_eq!(r.code(), Some("GRAPHQL_PARSE_FAILED"), "{}", r.body);
    assert!(r.body.get("data").is_none(), "no data key expected: {}", r.body);
}

#[tokio::test]
async fn a_query_of_an_unknown_field_answers_400_with_the_graphql_response_type() {
    let app = spawn_app().await;
    let r = post_accepting(&app, GRAPHQL_RESPONSE_JSON, "{ noSuchField }").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.content_type(), Some(GRAPHQL_RESPONSE_JSON));
    assert_eq!(r.code(), Some("GRAPHQL_VALIDATION_FAILED"), "{}", r.body);
    assert!(r.body.get("data").is_none(), "no data key expected: {}", r.body);
}

#[tokio::test]
async fn with_accept_json_a_validation_error_answers_200() {
    let app = spawn_app().await;
    let r = post_accepting(&app, "application/json", "{ noSuchField }").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.content_type(), Some("application/json"));
    assert_eq!(r.code(), Some("GRAPHQL_VALIDATION_FAILED"), "{}", r.body);
}

#[tokio::test]
async fn an_unacceptable_accept_header_answers_406() {
    let app = spawn_app().await;
    let r = post_accepting(&app, "text/html", "{ __typename }").await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE, "{}", r.body);
    assert!(r.body.get("data").is_none());
}

#[tokio::test]
async fn a_body_larger_than_the_limit_answers_413() {
    let app = spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let body = json!({"query": "{ __typename }", "variables": {"pad": "x".repeat(4096)}});
    let resp = app
        .client
        .post(app.url("/graphql"))
        .json(&body)
        .send()
        .await
        .expect("request");
    let r = raw(resp).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);

    // A body under the limit is served.
    let small = post_accepting(&app, "application/json", "{ __typename }").await;
    assert_eq!(small.status, StatusCode::OK, "{}", small.body);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let answers = [
        post_accepting(&app, "application/json", "{ __typename }").await,
        post_accepting(&app, "application/json", "{ noSuchField }").await,
        post_body(&app, "text/plain", "{}").await,
        path(&app, "/healthz").await,
        path(&app, "/no/such/path").await,
    ];
    let ids: Vec<&str> = answers
        .iter()
        .map(|r| {
            r.header("x-request-id")
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| panic!("no x-request-id on a {} answer", r.status))
        })
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "request ids repeat: {ids:?}");
}

#[tokio::test]
async fn a_plain_client_request_id_is_echoed_back() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", "client-req_42.a:b")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("request");
    let r = raw(resp).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-request-id"), Some("client-req_42.a:b"));
}

#[tokio::test]
async fn a_request_id_with_odd_characters_is_replaced() {
    let app = spawn_app().await;
    let odd = "evil id <script>; drop";
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", odd)
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("request");
    let r = raw(resp).await;
    assert_eq!(r.status, StatusCode::OK);
    let id = r.header("x-request-id").expect("a request id");
    assert_ne!(id, odd);
    assert!(
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)),
        "replacement id: {id:?}"
    );
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let r = path(&app, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ok"}));
}

#[tokio::test]
async fn readyz_answers_ready() {
    let app = spawn_app().await;
    let r = path(&app, "/readyz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ready"}));
}

#[tokio::test]
async fn an_unknown_path_answers_404_json() {
    let app = spawn_app().await;
    let r = path(&app, "/no/such/path").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.content_type()
            .is_some_and(|c| c.starts_with("application/json")),
        "content-type: {:?}",
        r.content_type()
    );
    assert_eq!(r.code(), Some("NOT_FOUND"), "{}", r.body);
}

const DEEP: &str = "{ cases { edges { node { person { mahalla { district { region { id } } } } } } } }";

#[tokio::test]
async fn a_query_deeper_than_the_depth_limit_is_refused() {
    let app = spawn_app_with(|s| s.max_query_depth = 5).await;
    let token = app.admin_token().await;
    let r = app.gql(Some(&token), DEEP, json!({})).await;
    r.expect_code("GRAPHQL_VALIDATION_FAILED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn a_query_within_the_depth_limit_is_served() {
    let app = spawn_app_with(|s| s.max_query_depth = 5).await;
    let token = app.admin_token().await;
    let r = app
        .gql(Some(&token), "{ me { user { organisation { id } } } }", json!({}))
        .await;
    assert!(r.ok()["me"]["user"]["organisation"]["id"].is_string());
}

#[tokio::test]
async fn more_aliases_than_the_limit_are_refused() {
    let app = spawn_app_with(|s| s.max_aliases = 3).await;
    let token = app.admin_token().await;
    let r = app
        .gql(
            Some(&token),
            "{ a: me { roles } b: me { roles } c: me { roles } d: me { roles } }",
            json!({}),
        )
        .await;
    r.expect_code("GRAPHQL_VALIDATION_FAILED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn as_many_aliases_as_the_limit_are_served() {
    let app = spawn_app_with(|s| s.max_aliases = 3).await;
    let token = app.admin_token().await;
    let r = app
        .gql(
            Some(&token),
            "{ a: me { roles } b: me { roles } c: me { roles } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["c"]["roles"], json!(["PLATFORM_ADMIN"]));
}

#[tokio::test]
async fn a_query_over_the_complexity_limit_is_refused() {
    let app = spawn_app_with(|s| s.max_query_complexity = 50).await;
    let token = app.admin_token().await;
    let r = app
        .gql(
            Some(&token),
            "{ cases(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    r.expect_code("GRAPHQL_VALIDATION_FAILED");
    assert!(r.body["data"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn a_query_under_the_complexity_limit_is_served() {
    let app = spawn_app_with(|s| s.max_query_complexity = 50).await;
    let token = app.admin_token().await;
    let r = app
        .gql(Some(&token), "{ regions(first: 5) { nodes { id } } }", json!({}))
        .await;
    assert!(r.ok()["regions"]["nodes"].is_array());
}

#[tokio::test]
async fn first_above_the_maximum_page_size_is_bad_user_input() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let ok = app
        .gql(
            Some(&token),
            "{ regions(first: 100) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(ok.ok()["regions"]["nodes"].is_array());

    let r = app
        .gql(
            Some(&token),
            "{ regions(first: 101) { nodes { id } } }",
            json!({}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("first"));
}

const INTROSPECTION: &str = "{ __schema { types { name } } }";

#[tokio::test]
async fn introspection_works_by_default() {
    let app = spawn_app().await;
    let r = app.gql(None, INTROSPECTION, json!({})).await;
    let types = r.ok()["__schema"]["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["name"] == "Case"), "no Case type");
}

#[tokio::test]
async fn with_introspection_off_no_schema_is_revealed() {
    let app = spawn_app_with(|s| s.introspection = false).await;
    let token = app.admin_token().await;
    let r = app.gql(Some(&token), INTROSPECTION, json!({})).await;
    assert_eq!(r.status, 200);
    assert!(r.body["data"]["__schema"]["types"].is_null(), "{}", r.body);
}

#[tokio::test]
async fn with_introspection_off_an_introspection_query_fails() {
    let app = spawn_app_with(|s| s.introspection = false).await;
    let token = app.admin_token().await;
    let r = app.gql(Some(&token), INTROSPECTION, json!({})).await;
    assert!(
        r.body["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "an introspection query answered without an error: {}",
        r.body
    );
    assert!(r.body["data"]["__schema"]["types"].is_null(), "{}", r.body);
}

async fn preflight(app: &TestApp, origin: &str) -> Raw {
    let resp = app
        .client
        .request(Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type")
        .send()
        .await
        .expect("request");
    raw(resp).await
}

#[tokio::test]
async fn a_cors_preflight_from_an_allowed_origin_is_allowed() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://app.example.uz".into()]).await;
    let r = preflight(&app, "https://app.example.uz").await;
    assert!(r.status.is_success(), "preflight status {}", r.status);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example.uz")
    );
    let methods = r.header("access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("POST"), "allow-methods: {methods:?}");
}

#[tokio::test]
async fn a_cors_preflight_from_another_origin_is_not_allowed() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://app.example.uz".into()]).await;
    let r = preflight(&app, "https://evil.example").await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn an_anonymous_query_of_me_answers_200_with_unauthenticated() {
    let app = spawn_app().await;
    let r = app.gql(None, "{ me { roles } }", json!({})).await;
    assert_eq!(r.status, 200);
    r.expect_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn login_works_without_a_token() {
    let app = spawn_app().await;
    let r = app
        .gql(
            None,
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
            json!({"u": "admin", "p": crate::helpers::ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        !r.ok()["login"]["accessToken"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
}
