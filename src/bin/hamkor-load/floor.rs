//! The SQL floor: the statements of one request replayed by `pgbench`.

use std::io::Write as _;
use std::process::Command;

use anyhow::{Context, bail};

/// What one request of an operation costs the database: its statements, in order.
pub struct Footprint {
    pub statements: Vec<String>,
}

pub struct Floor {
    pub latency_ms: f64,
    pub tps: f64,
}

/// Replay the statements with `pgbench` for `seconds` with `clients` connections.
pub fn pgbench(url: &str, footprint: &Footprint, clients: usize, seconds: u64) -> anyhow::Result<Floor> {
    let mut script = script_file()?;
    for s in &footprint.statements {
        writeln!(script.1, "{};", s.trim_end_matches(';'))?;
    }
    script.1.flush()?;
    let out = Command::new("pgbench")
        // Prepared, as the server's statements are: each is planned once per connection.
        .args(["-n", "-M", "prepared", "-f"])
        .arg(&script.0)
        .args(["-c", &clients.to_string(), "-j", &clients.min(2).to_string()])
        .args(["-T", &seconds.to_string(), url])
        .output()
        .context("running pgbench")?;
    let _ = std::fs::remove_file(&script.0);
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("pgbench failed: {}{}", text, String::from_utf8_lossy(&out.stderr));
    }
    let number_after = |key: &str| -> anyhow::Result<f64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(key))
            .with_context(|| format!("no '{key}' in pgbench's output: {text}"))?;
        let value = line.split('=').nth(1).context("no value")?;
        Ok(value.split_whitespace().next().context("no number")?.parse()?)
    };
    Ok(Floor {
        latency_ms: number_after("latency average")?,
        tps: number_after("tps")?,
    })
}

/// A scratch file for the pgbench script, in the system's temporary directory.
fn script_file() -> anyhow::Result<(std::path::PathBuf, std::fs::File)> {
    let path = std::env::temp_dir().join(format!("hamkor-load-{}.sql", std::process::id()));
    let file = std::fs::File::create(&path)?;
    Ok((path, file))
}
