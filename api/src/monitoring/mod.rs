//! Metrics in the Prometheus text format, through the `metrics` facade, on a listener of
//! their own (`metrics_listen`, off by default) so they are never public by accident.
//!
//! Counters and histograms are recorded where things happen (HTTP middleware, the
//! GraphQL extension, sign-in, webhook senders); figures read from the database (pool,
//! outbox consumers' lag, webhook queue) are sampled when Prometheus scrapes. Every
//! label value comes from a bounded set: route templates, operation names seen in the
//! trusted documents or the first [`operations::MAX_OPERATION_NAMES`] valid ones, codes.

pub mod names;
pub mod operations;
pub mod requests;
pub mod sample;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use http::header::CONTENT_TYPE;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::state::AppState;

/// Bounds of the latency histograms, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The longest a scrape waits for the figures read from the database.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use (one per process: the
/// `metrics` facade has one global recorder). `None` if another recorder was installed.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    if let Some(h) = HANDLE.get() {
        return Some(h);
    }
    let built = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
        .map(PrometheusBuilder::install_recorder);
    match built {
        Ok(Ok(handle)) => {
            let _ = HANDLE.set(handle);
            names::describe();
            metrics::gauge!(names::BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            HANDLE.get()
        }
        Ok(Err(e)) | Err(e) => {
            tracing::warn!(error = %e, "cannot install the metrics recorder");
            HANDLE.get()
        }
    }
}

/// Bind `addr` and serve `GET /metrics` there, for ever (a task of its own). Returns the
/// address bound (port 0 picks a free one).
pub async fn serve(addr: SocketAddr, app: AppState) -> anyhow::Result<SocketAddr> {
    let handle = recorder().context("no metrics recorder")?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the metrics listener {addr}"))?;
    let bound = listener.local_addr()?;
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state((app, handle));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(bound)
}

async fn scrape(State((app, handle)): State<(AppState, &'static PrometheusHandle)>) -> Response {
    match tokio::time::timeout(SAMPLE_TIMEOUT, sample::record(&app)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "sampling metrics from the database failed"),
        Err(_) => tracing::warn!("sampling metrics from the database timed out"),
    }
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle.render(),
    )
        .into_response()
}
