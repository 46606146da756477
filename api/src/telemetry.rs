//! Logging setup. Logs carry ids, never personal data: resolvers and services do not
//! log inputs, and HTTP spans record the path without the query string.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Settings};

/// Install the global subscriber (once; later calls are ignored, as in tests).
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
