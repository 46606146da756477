//! The test harness: a fresh database and a running server per test.
//!
//! SQLite (a temporary file) by default; PostgreSQL when `HAMKOR_TEST_DATABASE_URL`
//! names a database, in which each test gets a schema of its own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::MergedObject;
use hamkor_api::app::Application;
use hamkor_api::bootstrap::ensure_admin;
use hamkor_api::config::Settings;
use hamkor_api::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::SecretString;
use serde_json::{Value, json};

/// The query root of the test server: Hamkor's, plus the probe module's namespace.
#[derive(MergedObject, Default)]
pub struct TestQuery(hamkor::Query, crate::probe::ProbeQueryRoot);

/// The query root of the test server as a federated subgraph.
#[derive(MergedObject, Default)]
pub struct TestFederatedQuery(TestQuery, hamkor::federation::EntityQuery);

/// The mutation root of the test server.
#[derive(MergedObject, Default)]
pub struct TestMutation(hamkor::Mutation, crate::probe::ProbeMutationRoot);

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const JWT_SECRET: &str = "test-secret-0123456789-abcdefghijklmnop";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub addr: SocketAddr,
    /// The metrics listener, when `metrics_listen` was set.
    pub metrics_addr: Option<SocketAddr>,
    /// Statements run against the database so far (to prove batching).
    pub queries: Arc<AtomicU64>,
    pub client: reqwest::Client,
    pub state: AppState,
    _dir: Option<tempfile::TempDir>,
}

/// A GraphQL response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
}

impl Resp {
    /// The `data`, failing the test if there are errors.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            serde_json::to_string_pretty(&self.body).unwrap_or_default()
        );
        &self.body["data"]
    }

    /// The code of the first error.
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// The offending field of the first error.
    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }

    /// Assert the first error has `code`.
    #[track_caller]
    pub fn expect_code(&self, code: &str) -> &Self {
        assert_eq!(
            self.code(),
            Some(code),
            "expected {code}: {}",
            serde_json::to_string_pretty(&self.body).unwrap_or_default()
        );
        self
    }
}

/// Settings every test starts from: loopback, port 0, cheap hashing.
pub fn test_settings() -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        jwt_secret: Some(SecretString::from(JWT_SECRET)),
        admin_password: Some(SecretString::from(ADMIN_PASSWORD)),
        argon2_memory_kib: 256,
        argon2_iterations: 1,
        graphiql: true,
        introspection: true,
        event_poll_interval_ms: 50,
        ..Settings::default()
    }
}

async fn database(settings: &mut Settings) -> (DatabaseConnection, Option<tempfile::TempDir>) {
    match std::env::var("HAMKOR_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = hamkor_api::db::connect(&url, 1)
                .await
                .expect("connect to the test database");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                .await
                .expect("create a test schema");
            admin.close().await.ok();
            settings.database_url = url.clone();
            let db = hamkor_api::db::connect_with_schema(&url, 5, Some(&schema))
                .await
                .expect("connect to the test schema");
            (db, None)
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("hamkor.db").display());
            settings.database_url = url.clone();
            let db = hamkor_api::db::connect(&url, 5).await.expect("open sqlite");
            (db, Some(dir))
        }
    }
}

/// Start a server on a fresh, migrated database with the platform admin created.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Check-in photos of this test process (the demo's, say) go to a temporary directory,
/// never to the default `data/` of the working tree.
#[cfg(feature = "remote_check_in")]
fn temporary_photo_store() {
    use hamkor_remote_check_in::storage::{self, PhotoStore};
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    if storage::current_if_installed().is_none() {
        storage::install(PhotoStore::local(dir.path()).expect("a photo store"));
    }
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    #[cfg(feature = "remote_check_in")]
    temporary_photo_store();
    let mut settings = test_settings();
    configure(&mut settings);
    let (mut db, dir) = database(&mut settings).await;
    let queries = Arc::new(AtomicU64::new(0));
    let counter = queries.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let modules = crate::probe::registry();
    hamkor_api::db::migrate(&db, &modules).await.expect("migrate");
    let state = AppState::new(db, settings, modules).expect("state");
    ensure_admin(&state).await.expect("admin");
    let app = if state.settings.federation {
        let schema = hamkor::schema_builder(
            TestFederatedQuery::default(),
            TestMutation::default(),
            hamkor::Subscription::default(),
            &state.settings,
        )
        .enable_federation()
        .data(state.clone())
        .finish();
        Application::build(state.clone(), schema).await.expect("bind")
    } else {
        let schema = hamkor::schema_builder(
            TestQuery::default(),
            TestMutation::default(),
            hamkor::Subscription::default(),
            &state.settings,
        )
        .data(state.clone())
        .finish();
        Application::build(state.clone(), schema).await.expect("bind")
    };
    let addr = app.local_addr();
    let metrics_addr = app.metrics_addr();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    TestApp {
        addr,
        metrics_addr,
        queries,
        client: hamkor_api::webhook::tls::plain_client().expect("an HTTP client"),
        state,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Database statements run so far.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// POST a GraphQL operation.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Resp {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json().await.expect("json body");
        Resp { status, body }
    }

    /// Sign in and return the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .gql(
                None,
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
                json!({"u": username, "p": password}),
            )
            .await;
        r.ok()["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("no token for {username}: {:?}", r.body))
            .to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }
}

/// A string field of a JSON value.
#[track_caller]
pub fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    let mut cur = v;
    for key in path.split('.') {
        cur = &cur[key];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("no string at {path} in {v}"))
}
