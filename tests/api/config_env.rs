//! Configuration as an orchestrator gives it: the `hamkor` binary itself, started with
//! the environment a Kubernetes pod gets, and with settings it must refuse.

use std::process::{Command, Output};

/// Run `hamkor <args>` in an empty directory with `env` added (and no `RUST_LOG`).
fn hamkor(args: &[&str], env: &[(&str, &str)], toml: Option<&str>) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    if let Some(toml) = toml {
        std::fs::write(dir.path().join("hamkor.toml"), toml).expect("write hamkor.toml");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hamkor"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env_remove("HAMKOR_CONFIG")
        .env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hamkor")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn unknown_hamkor_variables_of_an_orchestrator_are_reported_once_and_ignored() {
    let out = hamkor(
        &["export-schema"],
        &[
            ("HAMKOR_SERVICE_HOST", "10.96.0.12"),
            ("HAMKOR_SERVICE_PORT", "8080"),
            ("HAMKOR_PORT", "tcp://10.96.0.12:8080"),
            ("HAMKOR_PORT_8080_TCP_ADDR", "10.96.0.12"),
            ("HAMKOR_MAX_PAGE_SIZE", "50"),
        ],
        None,
    );
    let err = stderr(&out);
    assert!(out.status.success(), "hamkor refused to start: {err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("type Query"));
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("HAMKOR_SERVICE_HOST"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning naming the variables: {err}");
    for name in ["HAMKOR_PORT,", "HAMKOR_PORT_8080_TCP_ADDR", "HAMKOR_SERVICE_PORT"] {
        assert!(warnings[0].contains(name), "{name} not named: {err}");
    }
    // A setting is no stranger, and values are never printed.
    assert!(!warnings[0].contains("MAX_PAGE_SIZE") && !warnings[0].contains("10.96"));
}

#[test]
fn a_bad_setting_is_one_clear_line_and_a_non_zero_exit() {
    let out = hamkor(&["export-schema"], &[("HAMKOR_LISTEN", "not-an-address")], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(78), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].starts_with("hamkor: invalid configuration"), "{err}");
    assert!(lines[0].to_lowercase().contains("listen"), "names the key: {err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

#[test]
fn an_unknown_key_in_the_file_is_still_refused() {
    let out = hamkor(&["export-schema"], &[], Some("max_page_sise = 50\n"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("max_page_sise"), "{err}");
}
