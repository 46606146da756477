//! The running server: bind, serve, shut down gracefully.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use async_graphql::Executor;
use axum::Router;
use tokio::net::TcpListener;

use crate::http;
use crate::state::AppState;

/// How often open tasks of the seven are checked for having passed their due date.
const OVERDUE_SWEEP_SECS: u64 = 15 * 60;
/// How often the risk model's drift check looks whether a monthly run is due.
const DRIFT_CHECK_SECS: u64 = 24 * 60 * 60;

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    lifecycle: crate::lifecycle::Lifecycle,
}

impl Application {
    /// Bind the configured address (port 0 picks a free port, as tests do) and start the
    /// outbox readers (subscriptions' event feed, modules' event hooks, early-warning rules,
    /// webhooks), the sweep for overdue tasks of the seven and the risk model's monthly
    /// drift check (looked at daily, run when the last is 30 days old).
    pub async fn build<E: Executor>(state: AppState, executor: E) -> anyhow::Result<Self> {
        let listen = state.settings.listen;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr()?;
        let interval = std::time::Duration::from_millis(state.settings.event_poll_interval_ms.max(10));
        let workers = &state.lifecycle;
        workers.spawn(
            "event_feed",
            crate::events::feed::run(state.db.clone(), state.feed.clone(), interval),
        );
        workers.spawn(
            "module_hooks",
            crate::module::hooks::run(state.db.clone(), state.modules.clone(), interval),
        );
        workers.spawn(
            "overdue_sweep",
            crate::mahalla::tasks::run_overdue_sweep(
                state.db.clone(),
                std::time::Duration::from_secs(OVERDUE_SWEEP_SECS),
            ),
        );
        workers.spawn(
            "risk_model_drift",
            crate::risk::model::drift::run_monthly(
                state.db.clone(),
                state.modules.clone(),
                crate::risk::model::drift::Thresholds {
                    psi: state.settings.risk_drift_psi,
                    calibration: state.settings.risk_drift_calibration,
                    min_cases: state.settings.validation_min_cell_size.max(100),
                },
                std::time::Duration::from_secs(DRIFT_CHECK_SECS),
            ),
        );
        workers.spawn(
            "early_warning",
            crate::alert::engine::run(state.db.clone(), state.modules.clone(), interval),
        );
        let host = crate::module::HostContext { app: &state };
        for m in state.modules.all() {
            m.start(&host)
                .with_context(|| format!("starting module {}", m.id()))?;
        }
        if state.settings.webhook_workers {
            crate::webhook::spawn_workers(&state.lifecycle, &state.db, &state.settings, interval)?;
        }
        let metrics_addr = match state.settings.metrics_listen {
            Some(at) => Some(crate::monitoring::serve(at, state.clone()).await?),
            None => None,
        };
        let lifecycle = state.lifecycle.clone();
        let router = http::router(state, executor)?;
        Ok(Self {
            listener,
            router,
            addr,
            metrics_addr,
            lifecycle,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the metrics listener, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Serve until `shutdown` resolves, then drain: `/readyz` answers 503, WebSockets
    /// close with 1001 (going away), no new connection is accepted, the requests in
    /// flight finish (each within the request timeout), and the workers stop.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let lifecycle = self.lifecycle.clone();
        let draining = async move {
            shutdown.await;
            lifecycle.begin_shutdown();
        };
        let served = axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(draining)
        .await;
        self.lifecycle.stop_workers();
        tracing::info!("stopped");
        served
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
