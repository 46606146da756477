//! `hamkor`: see `hamkor --help`.
//!
//! A thin shell: the runtime, the server and the schema are compiled once, in the
//! library ([`hamkor::run`]), not again in this crate.

use std::process::ExitCode;

use clap::Parser;
use hamkor_api::config::ConfigError;

/// mimalloc instead of the system allocator: a GraphQL response is built from many small
/// short-lived allocations, and under load glibc's malloc and free were a fifth of the
/// server's CPU (perf, caseload at 8 connections on the national seed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The exit status of a configuration error (`EX_CONFIG` of sysexits).
const EX_CONFIG: u8 = 78;

/// A failure is one line on standard error (its causes joined), never a panic's trace:
/// an orchestrator shows the last line of a container that did not start.
fn main() -> ExitCode {
    match hamkor::run(hamkor::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hamkor: {e:#}");
            if e.downcast_ref::<ConfigError>().is_some() {
                ExitCode::from(EX_CONFIG)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
