//! The life of a process: its background workers (readiness fails when one has
//! stopped) and its shutdown (readiness fails at once, so a load balancer stops sending
//! requests; WebSockets close with 1001; requests in flight finish).

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Shared by every clone of the application state.
#[derive(Clone)]
pub struct Lifecycle {
    inner: Arc<Inner>,
}

struct Inner {
    workers: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
    stopping: watch::Sender<bool>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                workers: Mutex::new(Vec::new()),
                stopping: watch::Sender::new(false),
            }),
        }
    }
}

impl Lifecycle {
    /// Run `worker` for the life of the process. A worker loops for ever: should it end
    /// (a panic included), the process reports itself not ready.
    pub fn spawn(&self, name: &'static str, worker: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(worker);
        if let Ok(mut workers) = self.inner.workers.lock() {
            workers.push((name, handle));
        }
    }

    /// The workers that have ended, by name.
    pub fn stopped_workers(&self) -> Vec<&'static str> {
        self.inner.workers.lock().map_or_else(
            |_| vec!["(worker registry poisoned)"],
            |w| {
                w.iter()
                    .filter(|(_, h)| h.is_finished())
                    .map(|(n, _)| *n)
                    .collect()
            },
        )
    }

    /// Stop the worker named `name` (all of them of that name).
    pub fn stop_worker(&self, name: &str) {
        if let Ok(workers) = self.inner.workers.lock() {
            for (_, h) in workers.iter().filter(|(n, _)| *n == name) {
                h.abort();
            }
        }
    }

    /// Start shutting down: readiness fails and open WebSockets close.
    pub fn begin_shutdown(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Whether the process is shutting down.
    pub fn is_stopping(&self) -> bool {
        *self.inner.stopping.borrow()
    }

    /// Resolves once shutdown has begun.
    pub async fn stopping(&self) {
        let mut rx = self.inner.stopping.subscribe();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }

    /// Stop every worker (at the end of a shutdown).
    pub fn stop_workers(&self) {
        if let Ok(workers) = self.inner.workers.lock() {
            for (_, h) in workers.iter() {
                h.abort();
            }
        }
    }
}
