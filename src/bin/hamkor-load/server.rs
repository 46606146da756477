//! The server under load: the `hamkor` binary as a child process, and the clients that
//! drive it.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

/// The `hamkor` server as a child process on a free loopback port.
pub struct Server {
    child: Child,
    addr: String,
}

impl Server {
    pub async fn start(database_url: &str) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?
            .parent()
            .context("no directory")?
            .join(format!("hamkor{}", std::env::consts::EXE_SUFFIX));
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(&exe)
            .env("DATABASE_URL", database_url)
            .env("HAMKOR_LISTEN", &addr)
            .env("HAMKOR_LOG_FILTER", "warn")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} (build it with --bin hamkor)", exe.display()))?;
        let server = Self { child, addr };
        let client = hamkor_api::webhook::tls::plain_client()?;
        for _ in 0..300 {
            if let Ok(r) = client.get(server.url("/readyz")).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not become ready on {}", server.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn proc(&self, file: &str) -> anyhow::Result<String> {
        Ok(std::fs::read_to_string(format!(
            "/proc/{}/{file}",
            self.child.id()
        ))?)
    }

    /// User and system CPU time of the server so far, in clock ticks.
    pub fn cpu_ticks(&self) -> anyhow::Result<u64> {
        let stat = self.proc("stat")?;
        // Fields after the parenthesised command name; utime and stime are 14th and 15th.
        let rest = stat.rsplit_once(')').context("malformed stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Ok(fields[11].parse::<u64>()? + fields[12].parse::<u64>()?)
    }

    fn status_kib(&self, key: &str) -> anyhow::Result<u64> {
        let status = self.proc("status")?;
        let line = status
            .lines()
            .find(|l| l.starts_with(key))
            .with_context(|| format!("no {key}"))?;
        Ok(line.split_whitespace().nth(1).context("no value")?.parse()?)
    }

    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        self.status_kib("VmRSS:")
    }

    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        self.status_kib("VmHWM:")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Run {
    pub latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn quantile_ms(&self, p: f64) -> f64 {
        let Some(last) = self.latencies.len().checked_sub(1) else {
            return 0.0;
        };
        self.latencies[(last as f64 * p).round() as usize].as_secs_f64() * 1000.0
    }
}

/// `connections` clients, each on its own kept-alive connection, send the operation one
/// request after another for `length`; every answer must be data without errors.
pub async fn drive(
    server: &Server,
    token: &str,
    body: &Value,
    connections: usize,
    length: Duration,
) -> anyhow::Result<Run> {
    let payload = Arc::new(serde_json::to_vec(body)?);
    let url = Arc::new(server.url("/graphql"));
    let auth = Arc::new(format!("Bearer {token}"));
    let started = Instant::now();
    let deadline = started + length;
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (payload, url, auth) = (payload.clone(), url.clone(), auth.clone());
        let client = hamkor_api::webhook::tls::plain_client()?;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let resp = client
                    .post(url.as_str())
                    .header("content-type", "application/json")
                    .header("authorization", auth.as_str())
                    .body(payload.as_ref().clone())
                    .send()
                    .await?;
                let status = resp.status();
                let bytes = resp.bytes().await?;
                latencies.push(sent.elapsed());
                let answer: Value = serde_json::from_slice(&bytes)?;
                if !status.is_success() || answer.get("errors").is_some() || answer["data"].is_null() {
                    bail!("a bad answer ({status}): {answer}");
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(Run { latencies, elapsed })
}
