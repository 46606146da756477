//! `hamkor`: see `hamkor --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hamkor::cli::run(hamkor::cli::Cli::parse()).await
}
