//! `hamkor`: see `hamkor --help`.
//!
//! A thin shell: the runtime, the server and the schema are compiled once, in the
//! library ([`hamkor::run`]), not again in this crate.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    hamkor::run(hamkor::cli::Cli::parse())
}
