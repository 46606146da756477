//! The `hamkor` binary as an operator runs it: processes of their own, started with an
//! environment, stopped with signals.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::JWT_SECRET;

/// The password of the demo users (`hamkor seed --demo`).
pub const DEMO_PASSWORD: &str = "hamkor-demo-2026";

/// A port nothing listens on now.
pub fn free_address() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// `hamkor <args>` run to its end in `dir` with `env`; panics with its output on failure.
pub fn run(dir: &Path, env: &[(&str, String)], args: &[&str]) -> String {
    let out = command(dir, env).args(args).output().expect("run hamkor");
    assert!(
        out.status.success(),
        "hamkor {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn command(dir: &Path, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hamkor"));
    cmd.current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("HAMKOR_CONFIG")
        .env("HAMKOR_JWT_SECRET", JWT_SECRET)
        .env("HAMKOR_ARGON2_MEMORY_KIB", "256")
        .env("HAMKOR_ARGON2_ITERATIONS", "1")
        .env("HAMKOR_EVENT_POLL_INTERVAL_MS", "50");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// A running `hamkor serve`.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
    pub client: reqwest::Client,
}

impl Server {
    /// Start `hamkor serve` on a free port and wait until `/readyz` answers 200.
    pub async fn start(dir: &Path, env: &[(&str, String)]) -> Self {
        let addr = free_address();
        Self::start_on(dir, env, addr).await
    }

    /// The same, on `addr` (a replica restarted where it was).
    pub async fn start_on(dir: &Path, env: &[(&str, String)], addr: SocketAddr) -> Self {
        let log = dir.join(format!("hamkor-{}.log", addr.port()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let child = command(dir, env)
            .args(["serve", "--listen", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start hamkor");
        let mut server = Self {
            child,
            addr,
            log,
            client: hamkor_api::webhook::tls::plain_client().expect("an HTTP client"),
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("hamkor exited ({status}) before it was ready: {}", self.log());
            }
            if let Ok(r) = self.client.get(self.url("/readyz")).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "hamkor never got ready: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the process wrote on standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Send `signal` (`TERM`, `KILL`) to the process.
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "could not send SIG{signal}");
    }

    /// Wait up to `timeout` for the process to end.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "hamkor did not stop within {timeout:?}: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A GraphQL request with `headers` added; the whole JSON answer.
    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        headers: &[(&str, &str)],
    ) -> Value {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
            .await
            .expect("send")
            .json()
            .await
            .expect("a JSON answer")
    }

    /// Sign in; the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .gql(
                None,
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
                json!({"u": username, "p": password}),
                &[],
            )
            .await;
        r["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("no token for {username}: {r}"))
            .to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
