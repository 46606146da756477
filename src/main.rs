//! `hamkor`: see `hamkor --help`.

// The schema's resolver futures nest deeply; optimised builds need more than the default
// query depth to lay them out.
#![recursion_limit = "256"]

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hamkor::cli::run(hamkor::cli::Cli::parse()).await
}
