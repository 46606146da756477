//! The HTTP surface: `/graphql`, GraphiQL, health and readiness, with request ids,
//! CORS, timeouts and panic safety.

pub mod analytics_csv;
pub mod auth;
pub mod graphql;
pub mod meta;
pub mod negotiate;
pub mod risk_model_card;
pub mod risk_validation_csv;
pub mod ws;

use std::time::Duration;

use async_graphql::Executor;
use async_graphql::http::GraphiQLSource;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Value, json};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// What the HTTP handlers share: the application state and the GraphQL executor.
#[derive(Clone)]
pub struct HttpState<E> {
    pub app: AppState,
    pub executor: E,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Build the router for `executor` (the assembled schema).
pub fn router<E: Executor>(app: AppState, executor: E) -> anyhow::Result<Router> {
    let settings = app.settings.clone();
    let state = HttpState { app, executor };
    let mut router = Router::new()
        .route("/graphql", get(graphql::handle::<E>).post(graphql::handle::<E>))
        .route("/analytics.csv", get(analytics_csv::export::<E>))
        .route("/risk-validation.csv", get(risk_validation_csv::export::<E>))
        .route("/risk-models/{id}/card.md", get(risk_model_card::export::<E>))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<E>));
    if settings.graphiql {
        router = router.route("/graphiql", get(graphiql));
    }
    let host_app = state.app.clone();
    let mut router: Router = router.fallback(not_found).with_state(state);
    let host = crate::module::HostContext { app: &host_app };
    for m in host_app.modules.all() {
        if let Some(routes) = m.routes(&host) {
            router = router.merge(routes);
        }
    }

    let layers = ServiceBuilder::new()
        .layer(middleware::from_fn(crate::monitoring::requests::track))
        .layer(middleware::from_fn(sanitise_request_id))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(http_span)
                .on_response(record_status),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::custom(|_| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(CONTENT_TYPE, "application/json")],
                json!({"errors": [{"message": "internal error", "extensions": {"code": "INTERNAL"}}]})
                    .to_string(),
            )
                .into_response()
        }))
        .layer(cors(&settings.cors_origins)?)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(settings.request_timeout_secs),
        ));
    Ok(router.layer(layers))
}

fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            AUTHORIZATION,
            CONTENT_TYPE,
            HeaderName::from_static("x-client-name"),
            REQUEST_ID,
        ])
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(600));
    if origins.is_empty() {
        return Ok(base);
    }
    if origins.iter().any(|o| o == "*") {
        return Ok(base.allow_origin(AllowOrigin::any()));
    }
    let list = origins
        .iter()
        .map(|o| HeaderValue::from_str(o).map_err(|_| anyhow::anyhow!("invalid CORS origin {o:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(base.allow_origin(AllowOrigin::list(list)))
}

/// The span of one request, named by its route (`POST /graphql`); a W3C `traceparent`
/// from the client makes it a child of the client's span.
fn http_span(req: &Request) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    // The path only: query strings may carry variables with personal data.
    let span = tracing::info_span!(
        "http",
        otel.name = %format_args!("{} {route}", req.method()),
        otel.kind = "server",
        method = %req.method(),
        path = %req.uri().path(),
        http.route = route,
        http.response.status_code = tracing::field::Empty,
        request_id = %id,
    );
    crate::telemetry::set_parent_from_headers(&span, req.headers());
    span
}

/// The status of the answer on the request's span (and the default log line).
fn record_status<B>(res: &http::Response<B>, latency: Duration, span: &tracing::Span) {
    span.record("http.response.status_code", res.status().as_u16());
    tracing::debug!(
        status = res.status().as_u16(),
        latency_ms = latency.as_millis() as u64,
        "answered"
    );
}

/// Keep a client's `x-request-id` only if it is short and plain; otherwise a fresh one
/// is generated (ids end up in logs and the audit log).
async fn sanitise_request_id(mut req: Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
        });
    if !ok {
        req.headers_mut().remove(&REQUEST_ID);
    }
    next.run(req).await
}

/// The process is alive.
async fn healthz() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "application/json")],
        json!({"status": "ok"}).to_string(),
    )
}

/// The database answers, every migration is applied, every background worker runs and
/// the process is not shutting down.
async fn readyz<E: Executor>(State(st): State<HttpState<E>>) -> impl IntoResponse {
    let unavailable = |reason: Value| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CONTENT_TYPE, "application/json")],
            json!({"status": "unavailable", "reason": reason}).to_string(),
        )
    };
    if st.app.lifecycle.is_stopping() {
        return unavailable(json!("shutting down"));
    }
    let stopped = st.app.lifecycle.stopped_workers();
    if !stopped.is_empty() {
        tracing::warn!(workers = ?stopped, "not ready: background workers stopped");
        return unavailable(json!({"stoppedWorkers": stopped}));
    }
    match crate::db::ready(&st.app.db, &st.app.modules).await {
        Ok(()) => (
            StatusCode::OK,
            [(CONTENT_TYPE, "application/json")],
            json!({"status": "ready"}).to_string(),
        ),
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "not ready");
            unavailable(json!("database"))
        }
    }
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Hamkor GraphiQL")
            .finish(),
    )
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "application/json")],
        json!({"errors": [{"message": "not found; the API is at /graphql", "extensions": {"code": "NOT_FOUND"}}]})
            .to_string(),
    )
}
