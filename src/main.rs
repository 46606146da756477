//! `hamkor`: see `hamkor --help`.
//!
//! A thin shell: the runtime, the server and the schema are compiled once, in the
//! library ([`hamkor::run`]), not again in this crate.

use clap::Parser;

/// mimalloc instead of the system allocator: a GraphQL response is built from many small
/// short-lived allocations, and under load glibc's malloc and free were a fifth of the
/// server's CPU (perf, caseload at 8 connections on the national seed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    hamkor::run(hamkor::cli::Cli::parse())
}
